using Akka.Configuration;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.TestKit;
using Brrr.Tasks;

namespace Brrr.Akka.Tests;

/// <summary>
/// A workflow stopped by its spawn limit fails its root: the calls that failed at the limit wake their parents (those
/// wake-ups are not counted against the limit), so the root gets an error record and a waiting client sees the failure
/// at once, instead of waiting forever on a root nobody will wake.
/// </summary>
public sealed class SpawnLimitFailureSpecs() : global::Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("""
    akka.loglevel = ERROR
    brrr.spawn-limit = 10
    brrr.poll-timeout = 200ms
    """))
{
    private static readonly BrrrTask<int, long> Fib = BrrrTask.Create<int, long>("fib", async (ctx, n) =>
    {
        if (n < 2) return n;
        var parts = await ctx.Gather(ctx.Call(Fib!, n - 1), ctx.Call(Fib!, n - 2));
        return parts[0] + parts[1];
    });

    [Fact]
    public async Task The_root_of_a_workflow_over_its_spawn_limit_fails_and_its_waiting_client_sees_it()
    {
        await using var brrr = new LocalBrrr(Sys, new Dictionary<string, TaskSet> { ["main"] = new(Fib) },
            new BrrrBackends(new InMemoryStore(), new InMemoryCache(), new InMemoryQueue(), JsonCodec.Default));
        await brrr.Client.ScheduleAsync(Fib, 12, "main");

        var failed = await Assert.ThrowsAsync<CallFailedException>(() => brrr.Client.WaitAsync(Fib, 12, TimeSpan.FromSeconds(30)));

        Assert.Contains("Spawn limit of 10 jobs", string.Join(" ", failed.Chain.Select(c => c.Message)), StringComparison.Ordinal);
        Assert.Equal(CallState.Failed, (await brrr.Client.GetStatusAsync(Fib, 12)).State);
    }
}
