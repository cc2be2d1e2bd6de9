using Akka.Configuration;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

public sealed class SpawnLimitSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly BrrrTask<int, int> Chain = BrrrTask.Create<int, int>("chain", async (ctx, n) => n == 0 ? 0 : 1 + await ctx.Call(Chain!, n - 1));
    private static readonly BrrrTask<int, int> Leaf = BrrrTask.Create<int, int>("leaf", (_, i) => Task.FromResult(i));
    private static readonly BrrrTask<int, int> Wide = BrrrTask.Create<int, int>("wide", async (ctx, n) => (await ctx.Gather(Enumerable.Range(0, n).Select(i => ctx.Call(Leaf, i)))).Sum());

    // One runner: the reference counts (99 children pushed, parent run once) assume no child runs before the
    // parent's registrations are done, which a single slot guarantees.
    public SpawnLimitSpecs() : base(ConfigurationFactory.ParseString("akka.loglevel = OFF\nbrrr.spawn-limit = 100\nbrrr.topic-defaults.parallelism = 1"))
    {
    }

    [Fact]
    public async Task A_chain_deeper_than_the_limit_fails_at_its_100th_job_and_the_failure_climbs_to_the_root()
    {
        await using var brrr = new LocalBrrr(Sys, "t", Chain, Leaf, Wide);

        var failure = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(Chain, 103));
        Assert.IsType<SpawnLimitException>(failure.Failure.Error);
        // 100 runs push the 100 jobs the limit allows; then each of the 99 waiting ancestors runs once more, woken by
        // its child's failure (those wake-ups are not counted), meets it and fails: the root fails too.
        await AwaitAssertAsync(async () => Assert.Equal(CallState.Failed, (await brrr.Client.GetStatusAsync(Chain, 103)).State), TimeSpan.FromSeconds(10));
        Assert.Equal(199, brrr.Executions["chain"]);
    }

    [Fact]
    public async Task A_parent_with_104_children_fails_and_runs_once_and_a_new_root_still_works()
    {
        await using var brrr = new LocalBrrr(Sys, "t", Chain, Leaf, Wide);

        var failure = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(Wide, 104));
        Assert.IsType<SpawnLimitException>(failure.Failure.Error);
        // Jobs 2..100 of the root are the 99 children that fit; their returns all hit the limit.
        await AwaitAssertAsync(() => Assert.Equal(99, brrr.Executions.GetValueOrDefault("leaf")), TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(() => Assert.Equal(0, brrr.Worker.InFlightCount), TimeSpan.FromSeconds(10));
        Assert.Equal(1, brrr.Executions["wide"]);

        Assert.Equal(3, await brrr.RunAsync(Chain, 3));
    }
}
