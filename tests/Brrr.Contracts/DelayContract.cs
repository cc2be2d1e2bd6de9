using System.Collections.Concurrent;
using Brrr.Tasks;

namespace Brrr.Contracts;

/// <summary>
/// Time on a running worker, for every backend: a delayed root runs not before it is due and soon after, and a failed
/// call waits out its retry backoff in the queue, so a topic with parallelism 1 runs other calls meanwhile. A subclass
/// starts a worker serving <see cref="Tasks"/> on <see cref="Topic"/> with the settings of <see cref="WorkerHocon"/>.
/// Each test uses a fresh nonce, so one server can serve every test.
/// </summary>
public abstract class DelayContract
{
    /// <summary>The topic the suite's tasks are served on.</summary>
    protected const string Topic = "delays";

    /// <summary>The worker settings the suite needs: one call at a time, and promotion every 200 ms.</summary>
    protected const string WorkerHocon = """
        brrr.topic-defaults.parallelism = 1
        brrr.topic-defaults.prefetch = 0
        brrr.delayed.poll-interval = 200ms
        brrr.poll-timeout = 200ms
        """;

    /// <summary>The retry backoff of the failing task: longer than the poll interval, so it waits in the queue.</summary>
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // What ran, in order, as "task:nonce:n".
    private readonly ConcurrentQueue<string> _runs = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _ranAt = new(StringComparer.Ordinal);

    /// <summary>Sets up the suite's tasks.</summary>
    protected DelayContract()
    {
        Stamp = BrrrTask.Create<Step, int>("stamp", (_, a) =>
        {
            _ranAt.TryAdd($"{a.Nonce}:{a.N}", DateTimeOffset.UtcNow);
            Ran("stamp", a);
            return Task.FromResult(a.N);
        });
        var failures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        FailsOnce = BrrrTask.Create<Step, int>(
            "fails-once",
            (_, a) =>
            {
                Ran("fails-once", a);
                return failures.AddOrUpdate(a.Nonce, 1, (_, n) => n + 1) == 1 ? throw new InvalidOperationException("first run fails") : Task.FromResult(a.N);
            },
            new TaskOptions { Attempts = 2, BackoffMin = Backoff, BackoffMax = Backoff });
        Tasks = new TaskSet(Stamp, FailsOnce);
    }

    /// <summary>The tasks the worker must serve on <see cref="Topic"/>.</summary>
    protected TaskSet Tasks { get; }

    private BrrrTask<Step, int> Stamp { get; }

    private BrrrTask<Step, int> FailsOnce { get; }

    /// <summary>Starts a worker serving <see cref="Tasks"/> on <see cref="Topic"/> with <see cref="WorkerHocon"/>, and a client on the same backends.</summary>
    protected abstract Task<FailureHost> StartAsync();

    [Fact]
    public async Task A_root_scheduled_with_a_delay_runs_not_before_it_is_due_and_soon_after()
    {
        await using var host = await StartAsync();
        var nonce = Nonce();
        var now = new Step(nonce, 1);
        var later = new Step(nonce, 2);
        var due = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        await host.Client.ScheduleAsync(Stamp, later, new ScheduleOptions { Topic = Topic, NotBefore = due });
        await host.Client.ScheduleAsync(Stamp, now, new ScheduleOptions { Topic = Topic, Delay = TimeSpan.Zero });

        Assert.Equal(1, await host.Client.WaitAsync(Stamp, now, Patience));
        Assert.Equal(2, await host.Client.WaitAsync(Stamp, later, Patience));
        var ranAt = _ranAt[$"{nonce}:2"];
        Assert.InRange(ranAt, due - TimeSpan.FromMilliseconds(5), due + TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task With_parallelism_one_other_calls_of_the_topic_run_while_a_failed_call_waits_out_its_backoff()
    {
        await using var host = await StartAsync();
        var nonce = Nonce();
        var failing = new Step(nonce, 0);
        await host.Client.ScheduleAsync(FailsOnce, failing, Topic);
        await Eventually.HoldsAsync(() => _runs.Contains($"fails-once:{nonce}:0"), "the failing call ran once", Patience);
        for (var i = 1; i <= 3; i++)
        {
            await host.Client.ScheduleAsync(Stamp, new Step(nonce, i), Topic);
        }

        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(i, await host.Client.WaitAsync(Stamp, new Step(nonce, i), Patience));
        }

        Assert.Equal(0, await host.Client.WaitAsync(FailsOnce, failing, Patience));

        // The one runner was free during the backoff: every other call ran between the two runs of the failing one.
        var order = _runs.Where(r => r.Contains(nonce, StringComparison.Ordinal)).ToList();
        Assert.Equal($"fails-once:{nonce}:0", order[0]);
        Assert.Equal($"fails-once:{nonce}:0", order[^1]);
        Assert.Equal(
            [$"stamp:{nonce}:1", $"stamp:{nonce}:2", $"stamp:{nonce}:3"],
            order.Skip(1).SkipLast(1).Order(StringComparer.Ordinal));
    }

    private void Ran(string task, Step step) => _runs.Enqueue($"{task}:{step.Nonce}:{step.N}");

    private static string Nonce() => Guid.NewGuid().ToString("N");
}
