using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>How a Redis command fails without a reply, so its outcome is unknown.</summary>
internal static class RedisErrors
{
    /// <summary>
    /// True for the ways StackExchange.Redis fails a command: a <see cref="RedisException"/> (connection lost, server
    /// error), a <see cref="TimeoutException"/> (<see cref="RedisTimeoutException"/>), or a cancelled task when it
    /// tears down, after timeouts, the connection the command was waiting on (none of our commands take a token).
    /// </summary>
    public static bool IsCommandFailure(Exception error) => error is RedisException or TimeoutException or OperationCanceledException;
}
