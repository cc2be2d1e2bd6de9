using System.Runtime.CompilerServices;

namespace Brrr;

/// <summary>
/// How many times this worker ran each message whose task threw (for <c>brrr.task-attempts</c>), kept for the most
/// recent failures only (<see cref="Capacity"/> per generation of a <see cref="BoundedCache{TRecord}"/>), so a worker's
/// memory does not grow with the failures it sees. A message whose count was dropped, or that another worker ran
/// before, starts again at 1: the limit is per worker and a lower bound, never a reason to lose a message.
/// </summary>
internal sealed class TaskAttempts
{
    /// <summary>Failing messages whose counts are kept (per generation).</summary>
    public const int Capacity = 1024;

    private readonly BoundedCache<StrongBox<int>> _counts = new(Capacity);

    /// <summary>Counts one more failed run of <paramref name="message"/> and returns the runs so far (1 for the first).</summary>
    public int Failed(string message)
    {
        if (_counts.Get(message) is { } count)
        {
            return Interlocked.Increment(ref count.Value);
        }

        _counts.Put(message, new StrongBox<int>(1));
        return 1;
    }
}
