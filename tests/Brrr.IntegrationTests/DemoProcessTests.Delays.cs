using System.Text.Json.Nodes;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Redis;

namespace Brrr.IntegrationTests;

public sealed partial class DemoProcessTests
{
    [Fact]
    public async Task A_delayed_call_survives_the_sigkill_of_its_only_worker_and_runs_once_due_on_the_next()
    {
        var cluster = StartServers(useDynamo: false);
        var worker = Track(DemoProcess.Start(cluster.Environment, "worker", "--config", _configFile));
        await WaitUntilServingAsync(cluster.Web);
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = cluster.Redis.Configuration });
        var client = new BrrrClient(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
        var call = JsonCodec.Default.EncodeCall("hello", new JsonObject { ["greetee"] = "Later" });
        var due = DateTimeOffset.UtcNow.AddSeconds(3);
        await client.ScheduleAsync(call, DemoTopic, due);

        worker.Kill();
        Assert.Equal(1, await redis.Queue.CountDelayedAsync(DemoTopic));

        // Due with no worker left: nothing moves it, nothing runs it, nothing loses it.
        await Task.Delay(due - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await redis.Queue.CountDelayedAsync(DemoTopic));
        Assert.Null(await client.Memory.GetValueAsync(call.CallHash));

        Track(DemoProcess.Start(cluster.Environment, "worker", "--config", _configFile));
        Assert.Equal("""{"status":"ok","result":"Hello, Later!"}""", await GetWhenDoneAsync(cluster.Web + "/hello?greetee=Later"));
        Assert.Equal(0, await redis.Queue.CountDelayedAsync(DemoTopic));
        Assert.Equal(0, (await redis.Queue.GetStatsAsync(DemoTopic)).Waiting);
    }
}
