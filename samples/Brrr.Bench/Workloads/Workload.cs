using Brrr.Tasks;

namespace Brrr.Bench.Workloads;

/// <summary>
/// One benchmark workload: its tasks, its roots, how many distinct calls a run makes and what each root must
/// return. Each root gets a fresh random salt, so its calls are new to the store (nothing memoized from an earlier run).
/// </summary>
internal abstract class Workload(RunProbe probe)
{
    /// <summary>Where the tasks report root returns and child→parent timings; in a worker process, an untimed probe (<see cref="RunProbe.Untimed"/>).</summary>
    protected RunProbe Probe { get; } = probe;

    public abstract string Name { get; }

    /// <summary>The shape, e.g. <c>n=15</c>.</summary>
    public abstract string Shape { get; }

    public abstract TaskSet Tasks { get; }

    public abstract long DistinctCallsPerRoot { get; }

    /// <summary>What every root must return.</summary>
    protected abstract long ExpectedRootValue { get; }

    /// <summary>The root's value named for a mismatch message, e.g. <c>fib(15)</c>.</summary>
    protected abstract string RootValueName { get; }

    /// <summary>Schedules the root with <paramref name="salt"/> on <paramref name="topic"/>.</summary>
    public abstract Task ScheduleRootAsync(BrrrClient client, string topic, string salt, CancellationToken cancellationToken);

    /// <summary>Polls the store as <paramref name="wait"/> says until the root's value is there, and returns it.</summary>
    public abstract Task<long> ReadRootAsync(BrrrClient client, string salt, StoredValueWait wait, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the root's stored value (<see cref="StoredValueWait.AfterReturn"/>): <c>null</c> when it is right, else
    /// what is wrong; throws <see cref="TimeoutException"/> when it is not stored in time.
    /// </summary>
    public async Task<string?> VerifyRootAsync(BrrrClient client, string salt, CancellationToken cancellationToken)
    {
        var value = await ReadRootAsync(client, salt, StoredValueWait.AfterReturn, cancellationToken).ConfigureAwait(false);
        return value == ExpectedRootValue ? null : $"{RootValueName}: expected {ExpectedRootValue}, got {value}";
    }
}

/// <summary>A workload whose every root is one call of <see cref="RootTask"/>: scheduling and reading it in one place.</summary>
internal abstract class Workload<TArgs>(RunProbe probe) : Workload(probe)
{
    protected abstract TaskRef<TArgs, long> RootTask { get; }

    /// <summary>The arguments of the root with <paramref name="salt"/>.</summary>
    protected abstract TArgs RootArgs(string salt);

    public sealed override Task ScheduleRootAsync(BrrrClient client, string topic, string salt, CancellationToken cancellationToken) =>
        client.ScheduleAsync(RootTask, RootArgs(salt), topic, cancellationToken);

    public sealed override async Task<long> ReadRootAsync(BrrrClient client, string salt, StoredValueWait wait, CancellationToken cancellationToken)
    {
        var args = RootArgs(salt);
        var deadline = wait.Limit == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + wait.Limit;
        while (true)
        {
            var read = await client.ReadAsync(RootTask, args, cancellationToken).ConfigureAwait(false);
            if (read.Found)
            {
                return read.Value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The value of root {RootTask.Name}({args}) was not stored within {wait.Limit.TotalSeconds} s.");
            }

            await Task.Delay(wait.Interval, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>How long to poll the store for a root's value (<see cref="Timeout.InfiniteTimeSpan"/>: until cancelled), and how often.</summary>
internal readonly record struct StoredValueWait(TimeSpan Limit, TimeSpan Interval)
{
    /// <summary>After the root's handler returned (in-process runs): the value follows within milliseconds, so poll fast, for at most 30 s.</summary>
    public static StoredValueWait AfterReturn { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1));

    /// <summary>
    /// Completion detection of process runs, until the run's timeout: one read every 5 ms, so the polls add little load
    /// to the backends the workers measure, and the wall time is at most 5 ms late.
    /// </summary>
    public static StoredValueWait UntilCancelled { get; } = new(Timeout.InfiniteTimeSpan, TimeSpan.FromMilliseconds(5));
}
