using System.Diagnostics;
using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr;

/// <summary>
/// The trace contexts of roots' schedules (<see cref="BrrrTracing"/>) as one worker sees them: each root's record is
/// read from the cache once and kept, absent or not (it is written before the root's first job is pushed, and a root
/// scheduled by a reference worker never has one). Readers of one root at the same time share one read; a failed read
/// is not kept. Bounded like <see cref="BoundedCache{TRecord}"/>. Thread safe.
/// </summary>
internal sealed class RootTraces
{
    /// <summary>The default number of roots kept per generation.</summary>
    public const int DefaultCapacity = 1024;

    private readonly ICache _cache;
    private readonly BrrrLimits _limits;
    private readonly BoundedCache<Task<ActivityContext>> _parents;

    public RootTraces(ICache cache, BrrrLimits limits, int capacity = DefaultCapacity)
    {
        _cache = cache;
        _limits = limits;
        _parents = new BoundedCache<Task<ActivityContext>>(capacity);
    }

    /// <summary>
    /// The context the call of <paramref name="delivery"/> continues: its root's schedule, or <c>default</c> (no parent)
    /// when the root has no record or the message does not decode (its failure is the load's to report).
    /// </summary>
    /// <exception cref="Exception">The cache read failed (whatever the cache raises); the next call of the root reads again.</exception>
    public Task<ActivityContext> ParentOfAsync(QueueDelivery delivery, CancellationToken cancellationToken)
    {
        if (_limits.IsOversized(delivery.Message, out _) || ScheduleMessage.TryFromWire(delivery.Message)?.RootId is not { } rootId)
        {
            return Task.FromResult<ActivityContext>(default);
        }

        if (_parents.Get(rootId) is not { } parent || parent.IsFaulted || parent.IsCanceled)
        {
            // Not under the caller's token: other calls of the root may share this read.
            parent = ReadAsync(rootId);
            _parents.Put(rootId, parent);
        }

        return parent.IsCompleted ? parent : parent.WaitAsync(cancellationToken);
    }

    private async Task<ActivityContext> ReadAsync(string rootId) =>
        BrrrTracing.ParentOf(await _cache.GetRootTraceAsync(rootId, CancellationToken.None).ConfigureAwait(false));
}
