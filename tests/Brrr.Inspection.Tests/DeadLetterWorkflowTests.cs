using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Tasks;

namespace Brrr.Inspection.Tests;

/// <summary>
/// A worker on a real redis-server dead-letters a failed chain; requeuing its letters after the fix completes the
/// workflow. Subclassed for each store.
/// </summary>
public abstract class DeadLetterWorkflowTests : FleetTest
{
    private const string Topic = "dl-flow";

    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        brrr.poll-timeout = 200ms
        brrr.retry-backoff-min = 10ms
        brrr.retry-backoff-max = 50ms
        brrr.task-attempts = 2
        brrr.shutdown-timeout = 2s
        """);

    private readonly ConcurrentDictionary<string, int> _executions = new(StringComparer.Ordinal);
    private readonly BrrrTask<Step, int> _pair;
    private readonly TaskSet _tasks;
    private volatile bool _fixed;
    private ActorSystem? _system;
    private BrrrWorker? _worker;

    protected DeadLetterWorkflowTests(DynaliteServer? dynalite)
        : base(dynalite)
    {
        var flaky = BrrrTask.Create<Step, int>("flaky", (_, a) =>
        {
            Count("flaky");
            return _fixed ? Task.FromResult(a.N) : throw new InvalidOperationException("not fixed yet");
        });
        var sibling = BrrrTask.Create<Step, int>("sibling", (_, a) =>
        {
            Count("sibling");
            return Task.FromResult(a.N * 10);
        });
        _pair = BrrrTask.Create<Step, int>("pair", async (ctx, a) => (await ctx.Gather(ctx.Call(sibling, a), ctx.Call(flaky, a))).Sum());
        _tasks = new TaskSet(flaky, sibling, _pair);
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _system = ActorSystem.Create("dead-letters", WorkerConfig);
        _worker = BrrrExtension.Get(_system).StartWorker(Backends, Topic, _tasks);
    }

    public override async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.StopAsync();
        }

        if (_system is not null)
        {
            await _system.Terminate();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task Requeuing_a_failed_roots_letters_after_the_fix_completes_it_and_reuses_the_stored_sibling()
    {
        var args = new Step(Guid.NewGuid().ToString("N"), 4);
        await Client.ScheduleAsync(_pair, args, Topic);
        await Assert.ThrowsAsync<CallFailedException>(() => Client.WaitAsync(_pair, args, TimeSpan.FromSeconds(60)));
        var admin = new DeadLetterAdmin(Redis.Queue, Client);
        // The parent can be dead-lettered twice: the sibling's return and the leaf's failure each push a job of it.
        await Eventually.HoldsAsync(
            async () => (await admin.ListAsync()).Select(l => l.Letter!.TaskName).Distinct().Count() == 2, "the leaf and the parent are dead-lettered");
        var letters = await admin.ListAsync();
        Assert.Equal(["flaky", "pair"], letters.Select(l => l.Letter!.TaskName).Distinct().Order(StringComparer.Ordinal));
        var rootId = Assert.Single(letters.Select(l => l.Letter!.RootId).Distinct());
        var flakyRuns = _executions["flaky"];

        _fixed = true;
        var result = await admin.RequeueAsync(new DeadLetterFilter { RootId = rootId });

        Assert.Equal(new DeadLetterActionResult(letters.Count, letters.Count, []), result with { Skipped = [] });
        Assert.Equal(44, await Client.WaitAsync(_pair, args, TimeSpan.FromSeconds(60)));
        Assert.Equal(1, _executions["sibling"]);
        Assert.True(_executions["flaky"] > flakyRuns, "the fixed leaf ran again");
        Assert.Empty(await admin.ListAsync());
        Assert.Equal(CallState.Completed, (await Client.GetStatusAsync(_pair, args)).State);
    }

    private void Count(string task) => _executions.AddOrUpdate(task, 1, (_, n) => n + 1);
}
