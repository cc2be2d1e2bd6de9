using Brrr.Backends;

namespace Brrr.Bench.Counting;

/// <summary>
/// Counts every operation on an <see cref="IQueue"/> and on the consumers it creates. A receive that comes back
/// empty (poll timeout) is counted apart, as <c>receive_empty</c>; a receive of several messages counts once.
/// </summary>
internal sealed class CountingQueue(IQueue inner) : IQueue
{
    private const int Push = 0, Receive = 1, ReceiveEmpty = 2, Ack = 3, Release = 4, Stats = 5;

    public OpCounters Counters { get; } = new("push", "receive", "receive_empty", "ack", "release", "stats");

    /// <summary>The queue counted.</summary>
    public IQueue Inner => inner;

    public Task PushAsync(string topic, string message, CancellationToken cancellationToken = default)
    {
        Counters.Count(Push);
        return inner.PushAsync(topic, message, cancellationToken);
    }

    public IQueueConsumer CreateConsumer(string topic) => new Consumer(inner.CreateConsumer(topic), Counters);

    public Task<QueueStats> GetStatsAsync(string topic, CancellationToken cancellationToken = default)
    {
        Counters.Count(Stats);
        return inner.GetStatsAsync(topic, cancellationToken);
    }

    private sealed class Consumer(IQueueConsumer consumer, OpCounters counters) : IQueueConsumer
    {
        public string Topic => consumer.Topic;

        public async Task<QueueDelivery?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var delivery = await consumer.ReceiveAsync(timeout, cancellationToken).ConfigureAwait(false);
            counters.Count(delivery is null ? ReceiveEmpty : Receive);
            return delivery;
        }

        public async Task<IReadOnlyList<QueueDelivery>> ReceiveManyAsync(int max, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var deliveries = await consumer.ReceiveManyAsync(max, timeout, cancellationToken).ConfigureAwait(false);
            counters.Count(deliveries.Count == 0 ? ReceiveEmpty : Receive);
            return deliveries;
        }

        public Task AckAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
        {
            counters.Count(Ack);
            return consumer.AckAsync(delivery, cancellationToken);
        }

        public Task ReleaseAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
        {
            counters.Count(Release);
            return consumer.ReleaseAsync(delivery, cancellationToken);
        }

        public ValueTask DisposeAsync() => consumer.DisposeAsync();
    }
}
