using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Backends;
using Brrr.Contracts;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>Per-task failure policies in a running worker, on shared in-memory backends.</summary>
public sealed class TaskPolicySpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly TaskOptions Quick = new() { BackoffMin = TimeSpan.FromMilliseconds(10), BackoffMax = TimeSpan.FromMilliseconds(10) };

    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.task-attempts = 3
        brrr.shutdown-timeout = 0s
        """);

    public TaskPolicySpecs() : base(WorkerConfig)
    {
    }

    private static Dictionary<string, TaskSet> Topic(ITaskHandler task) => new(StringComparer.Ordinal) { ["t"] = new TaskSet(task) };

    private static BrrrTask<int, int> Failing(string name, StrongCounter runs, TaskOptions options, Func<Exception>? error = null) =>
        BrrrTask.Create<int, int>(name, (_, _) =>
        {
            runs.Increment();
            throw error?.Invoke() ?? new InvalidOperationException("down");
        }, options);

    [Fact]
    public async Task Two_workers_on_shared_backends_give_a_failing_call_three_attempts_in_all_not_three_each()
    {
        var cache = new AttemptWatchingCache(new InMemoryCache());
        var backends = BrrrBackends.InMemory() with { Cache = cache };
        var (runsA, runsB) = (new StrongCounter(), new StrongCounter());
        using var systemA = ActorSystem.Create("policy-a", WorkerConfig);
        using var systemB = ActorSystem.Create("policy-b", WorkerConfig);
        var backoff = new TaskOptions { BackoffMin = TimeSpan.FromSeconds(3), BackoffMax = TimeSpan.FromSeconds(3) };
        var a = new LocalBrrr(systemA, Topic(Failing("flaky", runsA, backoff)), backends);
        await a.Client.ScheduleAsync(backends.Codec.EncodeCall("flaky", 1), "t", BrrrClient.NewRootId());
        await Eventually.HoldsAsync(() => cache.Counted == 1, "the first worker counted one failed run");

        // The first worker stops while the message waits out its backoff in the queue (longer than
        // brrr.delayed.poll-interval); the second one takes it once it is due.
        await a.DisposeAsync();
        await using var b = new LocalBrrr(systemB, Topic(Failing("flaky", runsB, Quick)), backends);
        await Eventually.HoldsAsync(() => b.Failures.Any(f => !f.Released), "the call failed for good on the second worker");

        Assert.Equal((1, 2), (runsA.Value, runsB.Value));
        Assert.Equal([2, 3], b.Failures.Select(f => f.Attempt));
    }

    [Fact]
    public async Task Two_workers_running_at_once_run_a_failing_call_three_times_in_all()
    {
        var backends = BrrrBackends.InMemory();
        var runs = new StrongCounter();
        using var systemA = ActorSystem.Create("policy-a", WorkerConfig);
        using var systemB = ActorSystem.Create("policy-b", WorkerConfig);
        await using var a = new LocalBrrr(systemA, Topic(Failing("flaky", runs, Quick)), backends);
        await using var b = new LocalBrrr(systemB, Topic(Failing("flaky", runs, Quick)), backends);

        // Either worker may run the last attempt, so the failure is read from the store, not from one system's events.
        var flaky = BrrrTask.Ref<int, int>("flaky");
        await a.Client.ScheduleAsync(flaky, 1, a.DefaultTopic);
        await Assert.ThrowsAsync<CallFailedException>(() => a.Client.WaitAsync(flaky, 1, TimeSpan.FromSeconds(30)));
        await Eventually.HoldsAsync(() => a.Failures.Count + b.Failures.Count == 3, "both workers reported every failed run");

        Assert.Equal(3, runs.Value);
    }

    [Fact]
    public async Task A_non_retryable_exception_is_tried_once_and_fails_for_good()
    {
        var runs = new StrongCounter();
        var task = Failing("strict", runs, TaskOptions.NeverRetry(typeof(ArgumentException)) with { Attempts = 5 }, () => new ArgumentNullException("x"));
        await using var brrr = new LocalBrrr(Sys, "t", task);

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(task, 1));

        Assert.Equal(1, runs.Value);
        Assert.Equal((1, false), (failed.Failure.Attempt, failed.Failure.Released));
        Assert.IsType<ArgumentNullException>(Assert.IsType<TaskFailedException>(failed.Failure.Error).InnerException);
    }

    [Fact]
    public async Task A_run_over_its_attempt_timeout_has_its_token_cancelled_and_counts_as_one_attempt()
    {
        var cancelled = new StrongCounter();
        var slow = BrrrTask.Create<int, int>("slow", async (ctx, _) =>
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ctx.CancellationToken);
            }
            finally
            {
                cancelled.Increment();
            }

            return 0;
        }, Quick with { Attempts = 2, AttemptTimeout = TimeSpan.FromMilliseconds(100) });
        await using var brrr = new LocalBrrr(Sys, "t", slow);

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(slow, 1));

        Assert.Equal(2, cancelled.Value);
        Assert.Equal([1, 2], brrr.Failures.Select(f => f.Attempt));
        var timeout = Assert.IsType<AttemptTimeoutException>(Assert.IsType<TaskFailedException>(failed.Failure.Error).InnerException);
        Assert.Equal(("slow", TimeSpan.FromMilliseconds(100)), (timeout.TaskName, timeout.Timeout));
    }

    /// <summary>A cache that counts the failed runs counted through it.</summary>
    private sealed class AttemptWatchingCache(ICache inner) : ICache
    {
        private int _counted;

        public int Counted => Volatile.Read(ref _counted);

        public Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default) => inner.IncrAsync(rootId, cancellationToken);

        public async Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default)
        {
            var count = await inner.IncrAttemptsAsync(callHash, expiry, cancellationToken);
            Interlocked.Increment(ref _counted);
            return count;
        }

        public Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default) => inner.ClearAttemptsAsync(callHash, cancellationToken);

        public Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default) => inner.CancelRootAsync(rootId, cancellationToken);

        public Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default) => inner.IsRootCancelledAsync(rootId, cancellationToken);
    }

    /// <summary>A thread-safe count shared by task bodies.</summary>
    private sealed class StrongCounter
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public void Increment() => Interlocked.Increment(ref _value);
    }
}
