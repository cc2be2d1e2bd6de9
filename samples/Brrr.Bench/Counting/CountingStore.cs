using Brrr.Backends;

namespace Brrr.Bench.Counting;

/// <summary>
/// Counts every operation on an <see cref="IStore"/> before passing it on (one count = one request to the store). A
/// combined operation the inner store does natively counts once; otherwise it counts as the steps it is made of. A child
/// scheduled in one step with the queue (<see cref="ISchedulingStore"/>, when the inner store can) counts as
/// <c>set_new_and_push</c>, a value's returns sent with the removal of their record as <c>push_then_delete</c>, and a
/// value written with its one expected return as <c>set_then_push_if</c>.
/// </summary>
internal sealed class CountingStore(IStore inner) : IStore, ISchedulingStore
{
    private const int Has = 0, Get = 1, Set = 2, Delete = 3, SetNew = 4, Cas = 5, Cad = 6, GetOrSetNew = 7, SetThenGet = 8, GetOrOtherwise = 9, GetMany = 10,
        SetNewAndPush = 11, PushThenDelete = 12, SetThenPushIf = 13;

    private readonly bool _nativeGetOrSetNew = StoreSteps.HasNative(inner, nameof(IStore.GetOrSetNewValueAsync));
    private readonly bool _nativeSetThenGet = StoreSteps.HasNative(inner, nameof(IStore.SetThenGetAsync));
    private readonly bool _nativeGetOrOtherwise = StoreSteps.HasNative(inner, nameof(IStore.GetOrOtherwiseAsync));

    public OpCounters Counters { get; } = new("has", "get", "set", "delete", "set_new", "cas", "cad", "get_or_set_new", "set_then_get", "get_or_otherwise", "get_many",
        "set_new_and_push", "push_then_delete", "set_then_push_if");

    public Task<bool> HasAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        Counters.Count(Has);
        return inner.HasAsync(key, cancellationToken);
    }

    public Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        Counters.Count(Get);
        return inner.GetAsync(key, cancellationToken);
    }

    public Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        Counters.Count(Set);
        return inner.SetAsync(key, value, cancellationToken);
    }

    public Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        Counters.Count(Delete);
        return inner.DeleteAsync(key, cancellationToken);
    }

    public Task<bool> SetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        Counters.Count(SetNew);
        return inner.SetNewValueAsync(key, value, cancellationToken);
    }

    public Task<byte[]?> GetOrSetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        if (!_nativeGetOrSetNew)
        {
            return StoreSteps.GetOrSetNewValueAsync(this, key, value, cancellationToken);
        }

        Counters.Count(GetOrSetNew);
        return inner.GetOrSetNewValueAsync(key, value, cancellationToken);
    }

    public Task<byte[]?> SetThenGetAsync(MemKey setKey, byte[] value, MemKey getKey, CancellationToken cancellationToken = default)
    {
        if (!_nativeSetThenGet)
        {
            return StoreSteps.SetThenGetAsync(this, setKey, value, getKey, cancellationToken);
        }

        Counters.Count(SetThenGet);
        return inner.SetThenGetAsync(setKey, value, getKey, cancellationToken);
    }

    public Task<(byte[]? Value, byte[]? Otherwise)> GetOrOtherwiseAsync(MemKey key, MemKey otherwise, CancellationToken cancellationToken = default)
    {
        if (!_nativeGetOrOtherwise)
        {
            return StoreSteps.GetOrOtherwiseAsync(this, key, otherwise, cancellationToken);
        }

        Counters.Count(GetOrOtherwise);
        return inner.GetOrOtherwiseAsync(key, otherwise, cancellationToken);
    }

    public bool ReadsManyAtOnce => inner.ReadsManyAtOnce;

    public bool ReadsLatestWrites => inner.ReadsLatestWrites;

    public Task<byte[]?[]> GetManyAsync(IReadOnlyList<MemKey> keys, CancellationToken cancellationToken = default)
    {
        if (!inner.ReadsManyAtOnce)
        {
            return StoreSteps.GetManyAsync(this, keys, cancellationToken);
        }

        Counters.Count(GetMany);
        return inner.GetManyAsync(keys, cancellationToken);
    }

    public Task<bool> CompareAndSetAsync(MemKey key, byte[] value, byte[] expected, CancellationToken cancellationToken = default)
    {
        Counters.Count(Cas);
        return inner.CompareAndSetAsync(key, value, expected, cancellationToken);
    }

    public Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default)
    {
        Counters.Count(Cad);
        return inner.CompareAndDeleteAsync(key, expected, cancellationToken);
    }

    public bool CanScheduleWith(ICache cache, IQueue queue) =>
        inner is ISchedulingStore scheduling
        && scheduling.CanScheduleWith(cache is CountingCache countingCache ? countingCache.Inner : cache, queue is CountingQueue countingQueue ? countingQueue.Inner : queue);

    public Task<(byte[]? Current, long Count)> SetNewAndPushAsync(
        MemKey key, byte[] value, MemKey companion, byte[] companionValue, string rootId, long limit, string topic, string message,
        CancellationToken cancellationToken = default)
    {
        Counters.Count(SetNewAndPush);
        return ((ISchedulingStore)inner).SetNewAndPushAsync(key, value, companion, companionValue, rootId, limit, topic, message, cancellationToken);
    }

    public Task<(long[] Counts, bool Deleted)> PushThenDeleteIfAsync(
        IReadOnlyList<(string RootId, string Topic, string Message)> jobs, long limit, MemKey key, byte[] expected,
        CancellationToken cancellationToken = default)
    {
        Counters.Count(PushThenDelete);
        return ((ISchedulingStore)inner).PushThenDeleteIfAsync(jobs, limit, key, expected, cancellationToken);
    }

    public Task<(bool Sent, byte[]? Current, long Count)> SetThenPushIfAsync(
        MemKey valueKey, byte[] value, MemKey returnsKey, byte[] expected, string rootId, long limit, string topic, string message,
        CancellationToken cancellationToken = default)
    {
        Counters.Count(SetThenPushIf);
        return ((ISchedulingStore)inner).SetThenPushIfAsync(valueKey, value, returnsKey, expected, rootId, limit, topic, message, cancellationToken);
    }
}
