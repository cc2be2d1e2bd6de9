using Brrr.Tasks;

namespace Brrr.Bench.Workloads;

/// <summary>
/// One benchmark workload: its tasks, its roots, how many distinct calls a run makes and what each root must
/// return. Each root gets a fresh random salt, so its calls are new to the store (nothing memoized from an earlier run).
/// </summary>
internal abstract class Workload(RunProbe probe)
{
    protected RunProbe Probe { get; } = probe;

    public abstract string Name { get; }

    /// <summary>The shape, e.g. <c>n=15</c>.</summary>
    public abstract string Shape { get; }

    public abstract TaskSet Tasks { get; }

    public abstract long DistinctCallsPerRoot { get; }

    /// <summary>Schedules the root with <paramref name="salt"/> on <paramref name="topic"/>.</summary>
    public abstract Task ScheduleRootAsync(BrrrClient client, string topic, string salt, CancellationToken cancellationToken);

    /// <summary>Reads the root's stored value: <c>null</c> when it is right, else what is wrong; throws <see cref="TimeoutException"/> when it is not stored in time.</summary>
    public abstract Task<string?> VerifyRootAsync(BrrrClient client, string salt, CancellationToken cancellationToken);

    /// <summary>Polls the store until the root's value is there (the handler returns just before the value is written).</summary>
    protected static async Task<T> ReadStoredAsync<TArgs, T>(BrrrClient client, TaskRef<TArgs, T> task, TArgs args, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var read = await client.ReadAsync(task, args, cancellationToken).ConfigureAwait(false);
            if (read.Found)
            {
                return read.Value!;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The value of root {task.Name}({args}) was not stored within 30 s of its handler returning.");
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    protected static string? Check<T>(T actual, T expected, string what) where T : IEquatable<T> =>
        actual.Equals(expected) ? null : $"{what}: expected {expected}, got {actual}";
}
