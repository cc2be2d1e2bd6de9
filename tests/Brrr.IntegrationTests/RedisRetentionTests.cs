using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Redis;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.IntegrationTests;

/// <summary>Task retention on a real redis-server: a settled child's keys get a PEXPIRE only once its returns were sent, and are gone after it.</summary>
public sealed class RedisRetentionTests
{
    public sealed record N(int X);

    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.poll-timeout = 200ms
        brrr.shutdown-timeout = 0s
        brrr.tasks."leaf".retention = 2s
        """);

    [Fact]
    public async Task A_child_with_a_two_second_retention_keeps_its_keys_while_its_parent_waits_and_loses_them_after()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var db = redis.Multiplexer.GetDatabase();
        using var system = ActorSystem.Create("retention", WorkerConfig);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var leaf = BrrrTask.Create<N, int>("leaf", async (_, n) =>
        {
            Interlocked.Increment(ref runs);
            await gate.Task;
            return n.X;
        });
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, n) => await ctx.Call(leaf, n) + 1);
        await using var brrr = new LocalBrrr(system, new Dictionary<string, TaskSet> { ["main"] = new(parent, leaf) },
            new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default));
        var (leafHash, parentHash) = (JsonCodec.Default.EncodeCall("leaf", new N(7)).CallHash, JsonCodec.Default.EncodeCall("parent", new N(7)).CallHash);
        string Key(string hash, string type) => $"brrr:{{{hash}}}:{type}";

        var run = brrr.RunAsync(parent, new N(7));
        await Eventually.HoldsAsync(() => db.KeyExistsAsync(Key(leafHash, "pending_returns")), "the parent waits on the leaf");
        Assert.Null(await db.KeyTimeToLiveAsync(Key(leafHash, "call")));

        gate.SetResult();
        Assert.Equal(8, await run);
        Assert.False(await db.KeyExistsAsync(Key(leafHash, "pending_returns")));
        await Eventually.HoldsAsync(
            async () => !await db.KeyExistsAsync(Key(leafHash, "value")) && !await db.KeyExistsAsync(Key(leafHash, "call")), "the leaf's keys expired");
        Assert.True(await db.KeyExistsAsync(Key(parentHash, "value")));
        Assert.Null(await db.KeyTimeToLiveAsync(Key(parentHash, "value")));
        Assert.Null(await db.KeyTimeToLiveAsync(Key(parentHash, "call")));


        // Asked again, the expired leaf runs again.
        Assert.Equal(7, await brrr.RunAsync(leaf, new N(7)));
        Assert.Equal(2, Volatile.Read(ref runs));
    }
}
