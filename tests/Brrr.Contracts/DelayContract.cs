using System.Collections.Concurrent;
using Brrr.Backends;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Contracts;

/// <summary>
/// Time on a running worker, for every backend: a delayed root runs not before it is due and soon after, a failed
/// call waits out its retry backoff in the queue, so a topic with parallelism 1 runs other calls meanwhile, and
/// <see cref="TaskContext.Sleep"/> wakes a task once, at its first deferral plus the delay, however often it re-runs. A subclass
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

    // The sleeper's runs up to its sleep, and the runs that got past it (with the due time the sleep returned), by "nonce:n".
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> _napStarts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(DateTimeOffset At, DateTimeOffset Due)>> _wakes = new(StringComparer.Ordinal);

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
        Sleeper = BrrrTask.Create<Nap, long>("sleeper", async (ctx, a) =>
        {
            _napStarts.GetOrAdd($"{a.Nonce}:{a.N}", _ => new()).Enqueue(DateTimeOffset.UtcNow);
            var due = await ctx.Sleep(TimeSpan.FromMilliseconds(a.Millis));
            _wakes.GetOrAdd($"{a.Nonce}:{a.N}", _ => new()).Enqueue((DateTimeOffset.UtcNow, due));
            return due.ToUnixTimeMilliseconds();
        });
        Tasks = new TaskSet(Stamp, FailsOnce, Sleeper);
    }

    /// <summary>The tasks the worker must serve on <see cref="Topic"/>.</summary>
    protected TaskSet Tasks { get; }

    private BrrrTask<Step, int> Stamp { get; }

    private BrrrTask<Step, int> FailsOnce { get; }

    private BrrrTask<Nap, long> Sleeper { get; }

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

    [Fact]
    public async Task A_sleep_in_a_task_re_run_five_times_wakes_once_at_the_first_deferral_plus_the_delay()
    {
        await using var host = await StartAsync();
        var nap = new Nap(Nonce(), 1, 2000);
        var key = $"{nap.Nonce}:{nap.N}";

        // Each schedule of the same call under a new root re-runs it (and re-schedules its timer, PROTOCOL.md §5.3b).
        for (var run = 1; run <= 5; run++)
        {
            await host.Client.ScheduleAsync(Sleeper, nap, Topic);
            await Eventually.HoldsAsync(() => StartsOf(key).Length >= run, $"run {run} of the sleeper started", Patience);
            await Task.Delay(100);
        }

        var due = DateTimeOffset.FromUnixTimeMilliseconds(await host.Client.WaitAsync(Sleeper, nap, Patience));
        var starts = StartsOf(key);
        var wake = Assert.Single(_wakes[key]);
        // Five runs deferred on the sleep, and one more, once the timer completed, got past it.
        Assert.Equal(6, starts.Length);
        Assert.True(starts[4] < due, $"the fifth run ({starts[4]:O}) started after the timer was due ({due:O}): the test cannot tell re-runs apart");
        Assert.True(starts[5] >= due - TimeSpan.FromMilliseconds(5), $"the waking run started at {starts[5]:O}, before the timer was due at {due:O}");

        // Fixed by the first run's deferral: at least its start plus the delay, and before any re-run could have moved it.
        Assert.Equal(due, wake.Due);
        Assert.InRange(due, starts[0] + TimeSpan.FromMilliseconds(1999), starts[1] + TimeSpan.FromMilliseconds(2000));
        Assert.True(due < starts[4] + TimeSpan.FromMilliseconds(2000), "a re-run pushed the wake-up out");
        Assert.InRange(wake.At, due - TimeSpan.FromMilliseconds(5), due + TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Two_calls_sleeping_the_same_delay_have_separate_timers()
    {
        await using var host = await StartAsync();
        var first = new Nap(Nonce(), 1, 1500);
        var second = first with { N = 2 };
        await host.Client.ScheduleAsync(Sleeper, first, Topic);
        await Eventually.HoldsAsync(() => StartsOf($"{first.Nonce}:1").Length >= 1, "the first sleeper ran", Patience);
        await Task.Delay(100);
        await host.Client.ScheduleAsync(Sleeper, second, Topic);

        var firstDue = DateTimeOffset.FromUnixTimeMilliseconds(await host.Client.WaitAsync(Sleeper, first, Patience));
        var secondDue = DateTimeOffset.FromUnixTimeMilliseconds(await host.Client.WaitAsync(Sleeper, second, Patience));
        Assert.True(firstDue < secondDue, $"the second sleeper got the first one's timer (due {firstDue:O} and {secondDue:O})");
        Assert.True(secondDue >= StartsOf($"{second.Nonce}:2")[0] + TimeSpan.FromMilliseconds(1499));
        Assert.True(Assert.Single(_wakes[$"{second.Nonce}:2"]).At >= secondDue - TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public async Task A_duplicate_timer_job_delivered_early_does_not_wake_the_sleeper_early()
    {
        await using var host = await StartAsync();
        var nap = new Nap(Nonce(), 1, 3000);
        var parent = host.Client.Codec.EncodeCall(Sleeper.Name, nap);
        var timer = SleepTimer.CallOf(host.Client.Codec, parent.CallHash, 0, TimeSpan.FromMilliseconds(nap.Millis));
        var root = BrrrClient.NewRootId();
        await host.Client.ScheduleAsync(parent, Topic, root);
        await Eventually.HoldsAsync(async () => await host.Client.Memory.GetDueAsync(timer.CallHash) is not null, "the timer was scheduled", Patience);
        var due = (await host.Client.Memory.GetDueAsync(timer.CallHash))!.Value;

        // What at-least-once delivery may do: the timer's job arrives again, now, long before it is due.
        await host.Client.Jobs.Queue.PushAsync(Topic, new ScheduleMessage(root, timer.CallHash).ToWire());
        var delayed = (IDelayedQueue)host.Client.Jobs.Queue;
        await Eventually.HoldsAsync(async () => await delayed.CountDelayedAsync(Topic) == 2, "the early timer job was delayed again", Patience);

        Assert.Equal(due.ToUnixTimeMilliseconds(), await host.Client.WaitAsync(Sleeper, nap, Patience));
        var wake = Assert.Single(_wakes[$"{nap.Nonce}:1"]);
        Assert.True(wake.At >= due - TimeSpan.FromMilliseconds(5), $"woken at {wake.At:O}, before the timer was due at {due:O}");
    }

    private DateTimeOffset[] StartsOf(string key) => _napStarts.TryGetValue(key, out var starts) ? [.. starts] : [];

    private void Ran(string task, Step step) => _runs.Enqueue($"{task}:{step.Nonce}:{step.N}");

    private static string Nonce() => Guid.NewGuid().ToString("N");
}

/// <summary>The sleeper's arguments: who it is, and how long it sleeps.</summary>
public sealed record Nap(string Nonce, int N, int Millis);
