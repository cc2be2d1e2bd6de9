using Brrr.Backends;
using Brrr.Contracts;

namespace Brrr.Akka.Tests;

/// <summary>
/// A store whose value writes (<see cref="IStore.SetThenGetAsync"/>, the write of a call's value) go through
/// <paramref name="write"/>, given the write's number (1 for the first) and the store's own write.
/// </summary>
internal sealed class FaultyValueStore(IStore inner, Func<int, Func<Task<byte[]?>>, Task<byte[]?>> write) : ForwardingStore(inner), IStore
{
    private int _writes;

    public int Writes => Volatile.Read(ref _writes);

    public Task<byte[]?> SetThenGetAsync(MemKey setKey, byte[] value, MemKey getKey, CancellationToken cancellationToken = default) =>
        write(Interlocked.Increment(ref _writes), () => Inner.SetThenGetAsync(setKey, value, getKey, cancellationToken));

    public Task<byte[]?> GetOrSetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default) =>
        Inner.GetOrSetNewValueAsync(key, value, cancellationToken);
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
