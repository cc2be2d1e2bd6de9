using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Tasks;

namespace Brrr.Inspection.Tests;

/// <summary>
/// The inspector's verdicts on a failure that real workers produce: a leaf a worker dead-letters reads "stuck" while
/// its parent has not run again, "failed" with the chain once it has, and the leaf "dead-lettered" once a retry has
/// cleared the chain's error records. The parent and the leaf have their own topics, so each worker is started only
/// for the step it takes. Without children records the failed leaf shows only once its parent has run (the leaf sent
/// its returns, so nothing in the store links it to the parent before then). Subclassed for each store.
/// </summary>
public abstract class WorkerVerdictTests : FleetTest
{
    private const string ParentTopic = "verdict-parent";
    private const string LeafTopic = "verdict-leaf";

    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.poll-timeout = 200ms
        brrr.shutdown-timeout = 2s
        """);

    private readonly BrrrTask<Step, int> _outer;
    private readonly TaskSet _tasks;
    private ActorSystem? _system;
    private bool _recordChildren;

    protected WorkerVerdictTests(DynaliteServer? dynalite)
        : base(dynalite)
    {
        var crash = BrrrTask.Create<Step, int>("crash", (_, _) => throw new InvalidOperationException("kaput"), new TaskOptions { Attempts = 1 });
        _outer = BrrrTask.Create<Step, int>("outer", async (ctx, a) => await ctx.Call(crash, a, LeafTopic) + 1, new TaskOptions { Attempts = 1 });
        _tasks = new TaskSet(crash, _outer);
    }

    private ActorSystem System => _system ??= ActorSystem.Create(
        "verdicts", ConfigurationFactory.ParseString($"brrr.children-record = {(_recordChildren ? "on" : "off")}").WithFallback(WorkerConfig));

    public override async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.Terminate();
        }

        await base.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_leaf_a_worker_dead_letters_reads_stuck_then_failed_once_its_parent_runs_and_dead_lettered_once_a_retry_clears_the_chain(bool recordChildren)
    {
        _recordChildren = recordChildren;
        var args = new Step(Guid.NewGuid().ToString("N"), 3);
        var root = await Client.ScheduleAsync(_outer, args, ParentTopic);
        var leafHash = Client.Codec.EncodeCall("crash", args).CallHash;
        var inspector = new BrrrInspector(Client, Redis.Queue);
        var admin = new DeadLetterAdmin(Redis.Queue, Client);

        await RunWorkerAsync(ParentTopic, "parent-1", async () => (await Redis.Queue.GetStatsAsync(LeafTopic)).Waiting == 1, "the parent defers on the leaf");
        await RunWorkerAsync(LeafTopic, "leaf", async () => (await admin.ListAsync()).Count == 1, "the leaf is dead-lettered");

        var stuck = await inspector.InspectAsync(root.CallHash);
        var leafLabel = (await inspector.InspectAsync(leafHash)).Root.Label;
        Assert.StartsWith("crash {", leafLabel, StringComparison.Ordinal);
        if (recordChildren)
        {
            var leaf = Assert.Single(stuck.Root.Children);
            Assert.Equal((CallNodeState.Failed, leafHash, leafLabel), (leaf.State, leaf.CallHash, leaf.Label));
            Assert.NotNull(leaf.DeadLetter);
            Assert.StartsWith($"stuck: {leaf.Label} was dead-lettered: ", stuck.Verdict, StringComparison.Ordinal);
            Assert.Contains("kaput", stuck.Verdict, StringComparison.Ordinal);
            Assert.EndsWith($"fix the cause, then `brrr dead-letters requeue --root {leaf.DeadLetter.RootId}`", stuck.Verdict, StringComparison.Ordinal);
        }
        else
        {
            // The leaf woke its parent with its failure: the parent's job waits, and it fails once it runs.
            Assert.Equal(CallNodeState.Queued, stuck.Root.State);
            Assert.Empty(stuck.Root.Children);
            Assert.Equal("in progress: 1 call queued, 0 running, 0 waiting on children", stuck.Verdict);
        }

        await RunWorkerAsync(ParentTopic, "parent-2", async () => (await admin.ListAsync()).Count == 2, "the parent fails with its leaf");

        var failed = await inspector.InspectAsync(root.CallHash);
        Assert.Equal(CallNodeState.Failed, failed.Root.State);
        Assert.Equal((CallNodeState.Failed, leafHash), (Assert.Single(failed.Root.Children).State, failed.Root.Children[0].CallHash));
        Assert.StartsWith($"failed: {failed.Root.Label}: InvalidOperationException: kaput; {leafLabel} was dead-lettered: fix the cause", failed.Verdict, StringComparison.Ordinal);

        Assert.NotNull(await Client.RetryAsync(_outer, args, ParentTopic));

        var lettered = await inspector.InspectAsync(leafHash);
        Assert.Equal(CallNodeState.DeadLettered, lettered.Root.State);
        Assert.Null(lettered.Root.Error);
        Assert.StartsWith("dead-lettered: ", lettered.Root.Detail, StringComparison.Ordinal);
        Assert.StartsWith($"stuck: {leafLabel} was dead-lettered: ", lettered.Verdict, StringComparison.Ordinal);
    }

    /// <summary>Runs a worker of <paramref name="topic"/> until <paramref name="done"/> holds, then stops it.</summary>
    private async Task RunWorkerAsync(string topic, string name, Func<Task<bool>> done, string what)
    {
        var worker = BrrrExtension.Get(System).StartWorker(Backends, topic, _tasks, name);
        try
        {
            await Eventually.HoldsAsync(done, what, TimeSpan.FromSeconds(60));
        }
        finally
        {
            await worker.StopAsync();
        }
    }
}
