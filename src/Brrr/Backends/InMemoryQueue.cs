using System.Collections.Concurrent;

namespace Brrr.Backends;

/// <summary>
/// The embedded default queue: thread-safe FIFO topics in this process. Messages a consumer holds when it is
/// disposed, or that it releases, go back to the head of their topic marked as redelivered.
/// </summary>
public sealed class InMemoryQueue : IQueue
{
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task PushAsync(string topic, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        GetTopic(topic).Add(new QueueDelivery(topic, message, false), atHead: false);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public IQueueConsumer CreateConsumer(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return new Consumer(GetTopic(topic));
    }

    /// <inheritdoc />
    public Task<QueueStats> GetStatsAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Task.FromResult(GetTopic(topic).Stats());
    }

    private Topic GetTopic(string name) => _topics.GetOrAdd(name, static n => new Topic(n));

    private sealed class Topic(string name)
    {
        private readonly LinkedList<QueueDelivery> _waiting = new();
        private readonly SemaphoreSlim _available = new(0);
        private readonly Lock _lock = new();
        private long _inFlight;

        public string Name { get; } = name;

        public void Add(QueueDelivery delivery, bool atHead)
        {
            lock (_lock)
            {
                if (atHead)
                {
                    _waiting.AddFirst(delivery);
                }
                else
                {
                    _waiting.AddLast(delivery);
                }
            }

            _available.Release();
        }

        public async Task<QueueDelivery?> TakeAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            return await _available.WaitAsync(timeout, cancellationToken).ConfigureAwait(false) ? Dequeue() : null;
        }

        public void Settle(QueueDelivery delivery, bool giveBack)
        {
            lock (_lock)
            {
                _inFlight--;
            }

            if (giveBack)
            {
                Add(delivery with { Redelivered = true }, atHead: true);
            }
        }

        /// <summary>Takes a message only if one is waiting now.</summary>
        public QueueDelivery? TryTake() => _available.Wait(0) ? Dequeue() : null;

        /// <summary>Takes the head; the caller has taken one count of the semaphore for it.</summary>
        private QueueDelivery Dequeue()
        {
            lock (_lock)
            {
                var first = _waiting.First!;
                _waiting.RemoveFirst();
                _inFlight++;
                return first.Value;
            }
        }

        public QueueStats Stats()
        {
            lock (_lock)
            {
                return new QueueStats(Name, _waiting.Count, _inFlight);
            }
        }
    }

    private sealed class Consumer(Topic topic) : IQueueConsumer
    {
        private readonly ConcurrentDictionary<QueueDelivery, byte> _held = new(ReferenceEqualityComparer.Instance);

        public string Topic => topic.Name;

        public async Task<QueueDelivery?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var delivery = await topic.TakeAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (delivery is not null)
            {
                _held.TryAdd(delivery, 0);
            }

            return delivery;
        }

        public async Task<IReadOnlyList<QueueDelivery>> ReceiveManyAsync(int max, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
            if (await ReceiveAsync(timeout, cancellationToken).ConfigureAwait(false) is not { } first)
            {
                return [];
            }

            var deliveries = new List<QueueDelivery>(max) { first };
            while (deliveries.Count < max && topic.TryTake() is { } next)
            {
                _held.TryAdd(next, 0);
                deliveries.Add(next);
            }

            return deliveries;
        }

        public Task AckAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
        {
            Settle(delivery, giveBack: false);
            return Task.CompletedTask;
        }

        public Task ReleaseAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
        {
            Settle(delivery, giveBack: true);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            foreach (var delivery in _held.Keys)
            {
                Settle(delivery, giveBack: true);
            }

            return ValueTask.CompletedTask;
        }

        private void Settle(QueueDelivery delivery, bool giveBack)
        {
            ArgumentNullException.ThrowIfNull(delivery);
            if (!_held.TryRemove(delivery, out _))
            {
                throw new InvalidOperationException($"The delivery of '{delivery.Message}' on topic '{delivery.Topic}' is not held by this consumer (already settled?).");
            }

            topic.Settle(delivery, giveBack);
        }
    }
}
