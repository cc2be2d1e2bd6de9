using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Redis;
using StackExchange.Redis;

namespace Brrr.IntegrationTests;

/// <summary>The demo's processes next to a fleet of the other Redis layout (PROTOCOL.md §4): warned of, not lost.</summary>
public sealed class DemoLayoutTests
{
    private const string DemoTopic = "brrr-cs-demo";
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_worker_and_monitor_warn_in_one_line_of_messages_waiting_at_the_legacy_layouts_list_and_a_legacy_worker_takes_them()
    {
        using var server = RedisServer.Start();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var database = redis.GetDatabase();
        var environment = new Dictionary<string, string> { ["BRRR_DEMO_REDIS_URL"] = $"redis://127.0.0.1:{server.Port}" };

        // What a legacy reference producer pushes: the bare topic name.
        await database.ListRightPushAsync(DemoTopic, "not a brrr message");

        using (var worker = DemoProcess.Start(environment, "worker"))
        {
            await Eventually.HoldsAsync(() => worker.Output.Contains("Redis layout mismatch", StringComparison.Ordinal), "the current-layout worker warns", TimeSpan.FromSeconds(60));
            var warning = Assert.Single(worker.Output.Split('\n'), line => line.Contains("Redis layout mismatch", StringComparison.Ordinal));
            Assert.Contains($"1 message(s) wait at '{DemoTopic}', the legacy layout's list", warning, StringComparison.Ordinal);
            Assert.Contains($"reads 'brrr/messages/{DemoTopic}'", warning, StringComparison.Ordinal);
            Assert.Contains("BRRR_DEMO_REDIS_LAYOUT=legacy", warning, StringComparison.Ordinal);
        }

        Assert.Equal(1, await database.ListLengthAsync(DemoTopic));
        using (var monitor = DemoProcess.Start(environment, "monitor", "--once"))
        {
            Assert.Equal(0, await monitor.ExitCodeAsync(Exit));
            Assert.Contains($"warning: Redis layout mismatch on topic '{DemoTopic}'", monitor.Output, StringComparison.Ordinal);
            Assert.Contains($"{DemoTopic}: waiting 0, in flight 0", monitor.Output, StringComparison.Ordinal);
        }

        var legacy = new Dictionary<string, string>(environment) { ["BRRR_DEMO_REDIS_LAYOUT"] = "legacy" };
        using (var monitor = DemoProcess.Start(legacy, "monitor", "--once"))
        {
            Assert.Equal(0, await monitor.ExitCodeAsync(Exit));
            Assert.DoesNotContain("layout mismatch", monitor.Output, StringComparison.Ordinal);
            Assert.Contains($"{DemoTopic}: waiting 1, in flight 0", monitor.Output, StringComparison.Ordinal);
        }

        // A legacy-layout worker reads the bare list: the garbage ends as a dead letter at the legacy key.
        using (var worker = DemoProcess.Start(legacy, "worker"))
        {
            await Eventually.HoldsAsync(async () => await database.ListLengthAsync(DemoTopic + ":dead-letters") == 1, "the legacy worker dead-letters the message", TimeSpan.FromSeconds(60));
            Assert.DoesNotContain("layout mismatch", worker.Output, StringComparison.Ordinal);
        }

        Assert.Equal(0, await database.ListLengthAsync(DemoTopic));
        Assert.False(await database.KeyExistsAsync($"brrr/messages/{DemoTopic}:dead-letters"));
    }

    [Fact]
    public async Task Reset_deletes_the_spawn_counters_and_topic_lists_of_both_layouts()
    {
        using var server = RedisServer.Start();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var database = redis.GetDatabase();
        var environment = new Dictionary<string, string> { ["BRRR_DEMO_REDIS_URL"] = $"redis://127.0.0.1:{server.Port}" };
        RedisKey[] keys = ["brrr/count/r00t", "brrr_count/r00t", $"brrr/messages/{DemoTopic}", DemoTopic, $"{{brrr/messages/{DemoTopic}}}:brrr:consumers", $"{{{DemoTopic}}}:brrr:consumers"];
        foreach (var key in keys)
        {
            await database.ListRightPushAsync(key, "x");
        }

        await database.StringSetAsync("unrelated", "kept");
        using var reset = DemoProcess.Start(environment, "reset", "--yes");
        Assert.Equal(0, await reset.ExitCodeAsync(Exit));
        foreach (var key in keys)
        {
            Assert.False(await database.KeyExistsAsync(key), $"{key} survived reset");
        }

        Assert.Equal("kept", (string?)await database.StringGetAsync("unrelated"));
    }
}
