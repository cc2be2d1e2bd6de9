using System.Text.Json.Nodes;
using Amazon.Runtime;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.DynamoDb;
using Brrr.Redis;

namespace Brrr.Cli.Tests;

/// <summary>The <c>brrr</c> tool as a real process over a real redis-server (queue) and a real dynalite (store).</summary>
public sealed class DynamoToolTests(DynaliteServer dynalite) : IClassFixture<DynaliteServer>, IAsyncLifetime
{
    private const string Topic = "cli-dynamo";

    private readonly RedisServer _server = RedisServer.Start();
    private readonly string _table = "brrr-cli-" + Guid.NewGuid().ToString("N");
    private RedisBrrr? _redis;
    private DynamoDbStore? _store;

    private RedisBrrr Redis => _redis ?? throw new InvalidOperationException("not initialised");

    private DynamoDbStore Store => _store ?? throw new InvalidOperationException("not initialised");

    private string Url => $"redis://127.0.0.1:{_server.Port}";

    private Dictionary<string, string> AwsEnvironment => new()
    {
        ["BRRR_REDIS_URL"] = Url,
        ["AWS_ENDPOINT_URL"] = dynalite.ServiceUrl.ToString(),
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = "dummy",
        ["AWS_SECRET_ACCESS_KEY"] = "dummy",
        ["DYNAMODB_TABLE_NAME"] = _table,
    };

    public async Task InitializeAsync()
    {
        _redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = _server.Configuration });
        _store = DynamoDbStore.Create(
            DynamoDbStoreSettings.Default with { ServiceUrl = dynalite.ServiceUrl, Region = "us-east-1", TableName = _table },
            new BasicAWSCredentials("dummy", "dummy"));
        await _store.EnsureTableAsync();
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DeleteTableAsync();
            _store.Dispose();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _server.Dispose();
    }

    [Fact]
    public async Task Status_and_inspect_read_a_calls_records_from_dynamodb_when_the_aws_variables_name_it()
    {
        var client = new BrrrClient(Store, Redis.Cache, Redis.Queue, JsonCodec.Default);
        var call = JsonCodec.Default.EncodeCall("fib", new JsonObject { ["n"] = "12" });
        await client.ScheduleAsync(call, Topic);
        var hash = call.CallHash;
        Assert.Null(await new Memory(Redis.Store).FindCallAsync(hash));

        var queued = await BrrrTool.RunWithAsync(AwsEnvironment, "inspect", "fib", "n=12", "--json");
        Assert.Equal(ExitCodes.NotDone, queued.ExitCode);
        Assert.Equal("in progress: 1 call queued, 0 running, 0 waiting on children", (string)JsonNode.Parse(queued.Out)!["verdict"]!);
        var pending = await BrrrTool.RunWithAsync(AwsEnvironment, "status", "--hash", hash, "--json");
        Assert.Equal((ExitCodes.NotDone, "pending"), (pending.ExitCode, (string)JsonNode.Parse(pending.Out)!["status"]!));

        await new Memory(Store).SetValueAsync(hash, "144"u8.ToArray());

        Assert.Equal(ExitCodes.NotDone, (await BrrrTool.RunAsync(Url, "status", "--hash", hash)).ExitCode);
        var done = await BrrrTool.RunWithAsync(AwsEnvironment, "status", "fib", "n=12", "--json");
        Assert.Equal((ExitCodes.Ok, 144), (done.ExitCode, (int)JsonNode.Parse(done.Out)!["value"]!));
        var inspected = await BrrrTool.RunWithAsync(AwsEnvironment, "inspect", "--hash", hash);
        Assert.Equal(ExitCodes.Ok, inspected.ExitCode);
        Assert.Contains("verdict: done: fib {\"n\":\"12\"} has its value", inspected.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_alone_names_redis_and_the_dynamodb_table_and_status_reads_the_value_from_it()
    {
        var call = JsonCodec.Default.EncodeCall("fib", new JsonObject { ["n"] = "9" });
        await new Memory(Store).SetCallAsync(call);
        await new Memory(Store).SetValueAsync(call.CallHash, "34"u8.ToArray());
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, $$"""
                brrr.redis.configuration = "127.0.0.1:{{_server.Port}}"
                brrr.dynamodb { table-name = "{{_table}}", region = us-east-1, service-url = "{{dynalite.ServiceUrl}}" }
                """);
            var credentials = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "dummy", ["AWS_SECRET_ACCESS_KEY"] = "dummy" };

            var done = await BrrrTool.RunWithAsync(credentials, "status", "fib", "n=9", "--config", file, "--json");

            Assert.Equal((ExitCodes.Ok, 34), (done.ExitCode, (int)JsonNode.Parse(done.Out)!["value"]!));
            var inspected = await BrrrTool.RunWithAsync(credentials, "inspect", "fib", "n=9", "--config", file);
            Assert.Equal(ExitCodes.Ok, inspected.ExitCode);
            Assert.Contains("verdict: done: fib {\"n\":\"9\"} has its value", inspected.Out, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
