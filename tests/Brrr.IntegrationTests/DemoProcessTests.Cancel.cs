using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Redis;
using StackExchange.Redis;

namespace Brrr.IntegrationTests;

/// <summary>The demo's <c>cancel</c> command.</summary>
public sealed partial class DemoProcessTests
{
    [Fact]
    public async Task A_root_cancelled_from_the_command_line_before_a_worker_runs_is_acknowledged_without_running()
    {
        var cluster = StartServers(useDynamo: false);
        var salt = Guid.NewGuid().ToString("N");
        using var schedule = DemoProcess.Start(cluster.Environment, "schedule", DemoTopic, "fib", "n=15", $"salt={salt}");
        Assert.Equal(0, await schedule.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        var rootId = Regex.Match(schedule.Output, @"root ([0-9a-f]{32})\)").Groups[1].Value;
        Assert.NotEqual("", rootId);

        using (var cancel = DemoProcess.Start(cluster.Environment, "cancel", rootId))
        {
            Assert.Equal(0, await cancel.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"cancelled root {rootId}", cancel.Output, StringComparison.Ordinal);
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Configuration);
        var database = redis.GetDatabase();
        Assert.True(await database.KeyExistsAsync($"brrr:cancelled:{rootId}"));

        // The worker takes the root's one job and acknowledges it: fib(15) is never computed.
        Track(DemoProcess.Start(cluster.Environment, "worker", "--config", _configFile));
        await using var brrr = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = cluster.Redis.Configuration });
        await Eventually.HoldsAsync(
            async () => await brrr.Queue.GetStatsAsync(DemoTopic) is { Waiting: 0, InFlight: 0 }, "the worker acknowledged the cancelled root's job", TimeSpan.FromSeconds(60));
        var hash = JsonCodec.Default.EncodeCall("fib", new JsonObject { ["n"] = "15", ["salt"] = salt }).CallHash;
        Assert.False(await database.KeyExistsAsync($"brrr:{{{hash}}}:value"));
        Assert.False(await database.KeyExistsAsync($"brrr:{{{hash}}}:pending_returns"));
    }

    [Fact]
    public async Task Cancel_with_a_bad_root_id_says_what_is_wrong()
    {
        using var cancel = DemoProcess.Start(StartServers(useDynamo: false).Environment, "cancel", "");
        Assert.Equal(2, await cancel.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("cancel: a root id must not be empty", cancel.ErrorOutput, StringComparison.Ordinal);
    }
}
