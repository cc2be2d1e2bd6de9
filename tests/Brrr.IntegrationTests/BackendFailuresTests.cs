using Brrr.Demo;
using StackExchange.Redis;

namespace Brrr.IntegrationTests;

/// <summary>How the web names a failed backend in its 503 answers.</summary>
public sealed class BackendFailuresTests
{
    private readonly BackendFailures _failures = new("Redis at 127.0.0.1:6379", "DynamoDB at http://127.0.0.1:8000/", () => false);

    [Fact]
    public void Redis_connection_and_timeout_failures_name_redis_even_inside_other_exceptions()
    {
        var lost = new RedisConnectionException(ConnectionFailureType.SocketFailure, "No connection is active/available");
        Assert.Equal("Redis at 127.0.0.1:6379 is unreachable", _failures.Describe(lost));
        Assert.Equal("Redis at 127.0.0.1:6379 is unreachable", _failures.Describe(new AggregateException(new InvalidOperationException("wrap", lost))));
        Assert.Equal("Redis at 127.0.0.1:6379 is unreachable (no reply in time)", _failures.Describe(new RedisTimeoutException("Timeout awaiting response", CommandStatus.Sent)));
    }

    [Fact]
    public void Dynamodb_network_failures_name_dynamodb()
    {
        Assert.Equal("DynamoDB at http://127.0.0.1:8000/ is unreachable", _failures.Describe(new HttpRequestException("Connection refused")));
    }

    [Fact]
    public void Other_exceptions_are_no_backend_failure()
    {
        Assert.Null(_failures.Describe(new InvalidOperationException("a bug")));
    }

    [Fact]
    public void A_disconnected_redis_is_down_before_any_command_waits_for_it()
    {
        Assert.Equal("Redis at 127.0.0.1:6379 is unreachable", _failures.Down());
        Assert.Null(new BackendFailures("Redis at x:1", "DynamoDB", () => true).Down());
    }
}
