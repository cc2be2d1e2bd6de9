using Brrr.Backends;

namespace Brrr.Akka.Tests;

/// <summary>
/// A store whose value writes (<see cref="IStore.SetThenGetAsync"/>, the write of a call's value) go through
/// <paramref name="write"/>, given the write's number (1 for the first) and the store's own write.
/// </summary>
internal sealed class FaultyValueStore(IStore inner, Func<int, Func<Task<byte[]?>>, Task<byte[]?>> write) : IStore
{
    private int _writes;

    public int Writes => Volatile.Read(ref _writes);

    public Task<byte[]?> SetThenGetAsync(MemKey setKey, byte[] value, MemKey getKey, CancellationToken cancellationToken = default) =>
        write(Interlocked.Increment(ref _writes), () => inner.SetThenGetAsync(setKey, value, getKey, cancellationToken));

    public Task<byte[]?> GetOrSetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default) =>
        inner.GetOrSetNewValueAsync(key, value, cancellationToken);

    public Task<bool> HasAsync(MemKey key, CancellationToken cancellationToken = default) => inner.HasAsync(key, cancellationToken);

    public Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

    public Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default) => inner.SetAsync(key, value, cancellationToken);

    public Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public Task<bool> SetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default) =>
        inner.SetNewValueAsync(key, value, cancellationToken);

    public Task<bool> CompareAndSetAsync(MemKey key, byte[] value, byte[] expected, CancellationToken cancellationToken = default) =>
        inner.CompareAndSetAsync(key, value, expected, cancellationToken);

    public Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default) =>
        inner.CompareAndDeleteAsync(key, expected, cancellationToken);
}

/// <summary>A queue that refuses every push to <paramref name="refusedTopic"/> with an <see cref="ArgumentException"/>, as a queue refuses a bad request.</summary>
internal sealed class RefusingQueue(IQueue inner, string refusedTopic) : IQueue
{
    private int _refused;

    public int Refused => Volatile.Read(ref _refused);

    public Task PushAsync(string topic, string message, CancellationToken cancellationToken = default)
    {
        if (topic == refusedTopic)
        {
            Interlocked.Increment(ref _refused);
            throw new ArgumentException($"The queue refuses pushes to {topic}.", nameof(topic));
        }

        return inner.PushAsync(topic, message, cancellationToken);
    }

    public IQueueConsumer CreateConsumer(string topic) => inner.CreateConsumer(topic);

    public Task<QueueStats> GetStatsAsync(string topic, CancellationToken cancellationToken = default) => inner.GetStatsAsync(topic, cancellationToken);
}
