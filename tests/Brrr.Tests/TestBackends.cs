using Brrr.Backends;
using Brrr.Contracts;

namespace Brrr.Tests;

/// <summary>
/// A store decorator that yields to the scheduler before every operation, so concurrent read-modify-write loops
/// interleave (and lose compare-and-set races) far more often than on the bare in-memory store.
/// </summary>
internal sealed class YieldingStore(IStore inner) : IStore
{
    public async Task<bool> HasAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await inner.HasAsync(key, cancellationToken);
    }

    public async Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await inner.GetAsync(key, cancellationToken);
    }

    public async Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        await inner.SetAsync(key, value, cancellationToken);
    }

    public async Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        await inner.DeleteAsync(key, cancellationToken);
    }

    public async Task<bool> SetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await inner.SetNewValueAsync(key, value, cancellationToken);
    }

    public async Task<bool> CompareAndSetAsync(MemKey key, byte[] value, byte[] expected, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await inner.CompareAndSetAsync(key, value, expected, cancellationToken);
    }

    public async Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await inner.CompareAndDeleteAsync(key, expected, cancellationToken);
    }
}

/// <summary>A store decorator that runs a hook once, just before the first compare-and-delete reaches the store.</summary>
internal sealed class BeforeFirstCompareAndDeleteStore(IStore inner, Func<IStore, Task> hook) : ForwardingStore(inner)
{
    private int _fired;

    public override async Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _fired, 1) == 0)
        {
            await hook(Inner);
        }

        return await Inner.CompareAndDeleteAsync(key, expected, cancellationToken);
    }
}

/// <summary>A store that answers "not found" to the first <paramref name="misses"/> reads, as an eventually consistent one may.</summary>
internal sealed class LaggingStore(IStore inner, int misses) : ForwardingStore(inner)
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public override Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default) =>
        Interlocked.Increment(ref _reads) <= misses ? Task.FromResult<byte[]?>(null) : Inner.GetAsync(key, cancellationToken);
}

/// <summary>A clock that stands still until moved.</summary>
internal sealed class ManualClock(long unixSeconds) : TimeProvider
{
    private long _now = unixSeconds;

    public long Now
    {
        get => Interlocked.Read(ref _now);
        set => Interlocked.Exchange(ref _now, value);
    }

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(Now);
}

/// <summary>
/// A store decorator that counts the reads of <c>value</c> records and how many of them were under way at once (each
/// read waits, up to 200 ms, for another read to be under way too, so reads started together overlap however the
/// thread pool schedules them, and reads made one at a time never do).
/// </summary>
internal sealed class ValueReadCountingStore(IStore inner) : ForwardingStore(inner)
{
    private int _reads;
    private int _running;
    private int _peak;
    private TaskCompletionSource _overlapped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Reads => Volatile.Read(ref _reads);

    public int Peak => Volatile.Read(ref _peak);

    public void Reset()
    {
        Volatile.Write(ref _reads, 0);
        Volatile.Write(ref _peak, 0);
        _overlapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public override async Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        if (key.Type != MemKeyType.Value)
        {
            return await Inner.GetAsync(key, cancellationToken);
        }

        Interlocked.Increment(ref _reads);
        var running = Interlocked.Increment(ref _running);
        int seen;
        while (running > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, running, seen) != seen)
        {
        }

        if (running > 1)
        {
            _overlapped.TrySetResult();
        }

        try
        {
            await Task.WhenAny(_overlapped.Task, Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None));
            return await Inner.GetAsync(key, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}

/// <summary>
/// An in-memory store that reads many records at once (as Redis does), counting its read requests: a plain read, a
/// value-or-error read and a read of many records each count one.
/// </summary>
internal sealed class ReadRequestCountingStore(InMemoryStore inner) : ForwardingStore(inner), IStore
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public bool ReadsManyAtOnce => true;

    public void Reset() => Volatile.Write(ref _reads, 0);

    public override Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return Inner.GetAsync(key, cancellationToken);
    }

    public Task<(byte[]? Value, byte[]? Otherwise)> GetOrOtherwiseAsync(MemKey key, MemKey otherwise, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return Inner.GetOrOtherwiseAsync(key, otherwise, cancellationToken);
    }

    public Task<byte[]?[]> GetManyAsync(IReadOnlyList<MemKey> keys, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return Inner.GetManyAsync(keys, cancellationToken);
    }
}
