using System.Text.Json.Nodes;
using Brrr.Contracts.Servers;
using Brrr.Redis;
using StackExchange.Redis;

namespace Brrr.Cli.Tests;

/// <summary>The <c>brrr</c> tool as a real process against a real three-primary Redis Cluster.</summary>
public sealed class ToolClusterTests : IAsyncLifetime
{
    private readonly RedisClusterServer _cluster = RedisClusterServer.Start();
    private RedisBrrr? _redis;

    private RedisBrrr Redis => _redis ?? throw new InvalidOperationException("not initialised");

    public async Task InitializeAsync() => _redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = _cluster.Configuration });

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _cluster.Dispose();
    }

    [Fact]
    public async Task Reset_deletes_keys_of_many_slots_on_every_primary_of_a_cluster()
    {
        var database = Redis.Multiplexer.GetDatabase();
        var keys = Enumerable.Range(0, 20).SelectMany(i => new RedisKey[] { $"brrr/count/root{i}", $"brrr:{{call{i}}}:value" }).ToList();
        foreach (var key in keys)
        {
            await database.StringSetAsync(key, "x");
        }

        await Redis.Queue.PushAsync("cli-cluster-reset", "job");
        await database.StringSetAsync("unrelated", "kept");
        Assert.True(keys.Select(k => Redis.Multiplexer.HashSlot(k)).Distinct().Count() > 1, "the keys span slots");

        var reset = await BrrrTool.RunAsync($"redis://127.0.0.1:{_cluster.Ports[0]}", "reset", "--yes", "--json");

        Assert.True(reset.ExitCode == ExitCodes.Ok, reset.Error);
        Assert.Equal(keys.Count + 1, (long)JsonNode.Parse(reset.Out)!["deleted_keys"]!);
        foreach (var key in keys.Append("brrr/messages/cli-cluster-reset"))
        {
            Assert.False(await database.KeyExistsAsync(key), $"{key} survived reset");
        }

        Assert.Equal("kept", (string?)await database.StringGetAsync("unrelated"));
    }
}
