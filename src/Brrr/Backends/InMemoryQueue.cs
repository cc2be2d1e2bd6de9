using System.Collections.Concurrent;

namespace Brrr.Backends;

/// <summary>
/// The embedded default queue: thread-safe FIFO topics in this process. Messages a consumer holds when it is
/// disposed, or that it releases, go back to the head of their topic marked as redelivered. Delayed messages
/// (<see cref="IDelayedQueue"/>) wait beside their topic, ordered by due time, until promoted.
/// </summary>
public sealed class InMemoryQueue : IDelayedQueue, IQueueAdmin, IDelayedQueueAdmin
{
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private long _consumerIds;

    /// <inheritdoc />
    public Task PushAsync(string topic, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        GetTopic(topic).Add(new QueueDelivery(topic, message, false), atHead: false);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PushAsync(string topic, string message, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        GetTopic(topic).AddDelayed(new QueueDelivery(topic, message, false), notBefore);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> PromoteDueAsync(string topic, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return Task.FromResult(GetTopic(topic).PromoteDue(DateTimeOffset.UtcNow, max));
    }

    /// <inheritdoc />
    public Task<long> CountDelayedAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Task.FromResult(GetTopic(topic).DelayedCount);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DelayedMessage>> PeekDelayedAsync(string topic, long start, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Task.FromResult(GetTopic(topic).PeekDelayed(start, count));
    }

    /// <inheritdoc />
    public IQueueConsumer CreateConsumer(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var consumer = new Consumer(GetTopic(topic), "memory-" + Interlocked.Increment(ref _consumerIds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        consumer.Register();
        return consumer;
    }

    /// <inheritdoc />
    public Task<QueueStats> GetStatsAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Task.FromResult(GetTopic(topic).Stats());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> names = _topics.Values.Where(t => t.IsUsed).Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();
        return Task.FromResult(names);
    }

    /// <inheritdoc />
    /// <remarks>In memory a consumer is alive until it is disposed (then it is gone from the list) and keeps no heartbeat.</remarks>
    public Task<TopicSnapshot> GetTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var state = GetTopic(topic);
        var consumers = state.Consumers.Values
            .Select(c => new ConsumerSnapshot(c.Id, c.HeldCount, null, Alive: true))
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .ToArray();
        return Task.FromResult(new TopicSnapshot(topic, state.Stats().Waiting, consumers));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> PeekAsync(string topic, long start, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Task.FromResult(GetTopic(topic).Peek(start, count));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetHeldAsync(string topic, string consumerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(consumerId);
        IReadOnlyList<string> held = GetTopic(topic).Consumers.TryGetValue(consumerId, out var consumer) ? consumer.HeldMessages() : [];
        return Task.FromResult(held);
    }

    /// <inheritdoc />
    public Task<long> RemoveWaitingAsync(string topic, string message, long count = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Task.FromResult(GetTopic(topic).Remove(message, count));
    }

    private Topic GetTopic(string name) => _topics.GetOrAdd(name, static n => new Topic(n));

    private sealed class Topic(string name)
    {
        private readonly LinkedList<QueueDelivery> _waiting = new();

        // Ties of due time keep their push order (the sequence number).
        private readonly PriorityQueue<QueueDelivery, (DateTimeOffset Due, long Sequence)> _delayed = new();
        private long _delayedSequence;
        private readonly SemaphoreSlim _available = new(0);
        private readonly Lock _lock = new();
        private long _inFlight;

        public string Name { get; } = name;

        /// <summary>The open consumers of this topic, by id.</summary>
        public ConcurrentDictionary<string, Consumer> Consumers { get; } = new(StringComparer.Ordinal);

        /// <summary>Whether a message waits or is held here, or a consumer is open.</summary>
        public bool IsUsed
        {
            get
            {
                lock (_lock)
                {
                    return _waiting.Count > 0 || _inFlight > 0 || _delayed.Count > 0 || !Consumers.IsEmpty;
                }
            }
        }

        public long DelayedCount
        {
            get
            {
                lock (_lock)
                {
                    return _delayed.Count;
                }
            }
        }

        public IReadOnlyList<DelayedMessage> PeekDelayed(long start, int count)
        {
            lock (_lock)
            {
                return _delayed.UnorderedItems.OrderBy(d => d.Priority).Skip((int)Math.Min(start, int.MaxValue)).Take(count)
                    .Select(d => new DelayedMessage(d.Element.Message, d.Priority.Due, d.Element.Redelivered)).ToArray();
            }
        }

        public void AddDelayed(QueueDelivery delivery, DateTimeOffset notBefore)
        {
            lock (_lock)
            {
                _delayed.Enqueue(delivery, (notBefore, _delayedSequence++));
            }
        }

        /// <summary>Moves up to <paramref name="max"/> messages due at <paramref name="now"/> to the tail, earliest first.</summary>
        public int PromoteDue(DateTimeOffset now, int max)
        {
            var moved = 0;
            while (moved < max)
            {
                lock (_lock)
                {
                    if (!_delayed.TryPeek(out var delivery, out var due) || due.Due > now)
                    {
                        break;
                    }

                    _delayed.Dequeue();
                    _waiting.AddLast(delivery);
                }

                _available.Release();
                moved++;
            }

            return moved;
        }

        /// <summary>Settles a held delivery and holds a redelivered copy back until <paramref name="notBefore"/>, in one step.</summary>
        public void SettleLater(QueueDelivery delivery, DateTimeOffset notBefore)
        {
            lock (_lock)
            {
                _inFlight--;
                _delayed.Enqueue(delivery with { Redelivered = true }, (notBefore, _delayedSequence++));
            }
        }

        public IReadOnlyList<string> Peek(long start, int count)
        {
            lock (_lock)
            {
                return _waiting.Skip((int)Math.Min(start, int.MaxValue)).Take(count).Select(d => d.Message).ToArray();
            }
        }

        /// <summary>
        /// Removes up to <paramref name="count"/> waiting copies of <paramref name="message"/>. Each removal first takes one
        /// count of the semaphore, so a consumer that has taken a count always finds a message to dequeue.
        /// </summary>
        public long Remove(string message, long count)
        {
            long removed = 0;
            while (removed < count && _available.Wait(0))
            {
                lock (_lock)
                {
                    var node = _waiting.First;
                    while (node is not null && !string.Equals(node.Value.Message, message, StringComparison.Ordinal))
                    {
                        node = node.Next;
                    }

                    if (node is null)
                    {
                        _available.Release();
                        break;
                    }

                    _waiting.Remove(node);
                    removed++;
                }
            }

            return removed;
        }

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

    private sealed class Consumer(Topic topic, string id) : IDelayedQueueConsumer
    {
        private readonly ConcurrentDictionary<QueueDelivery, byte> _held = new(ReferenceEqualityComparer.Instance);

        public string Topic => topic.Name;

        public string Id { get; } = id;

        public long HeldCount => _held.Count;

        public void Register() => topic.Consumers.TryAdd(Id, this);

        public IReadOnlyList<string> HeldMessages() => _held.Keys.Select(d => d.Message).ToArray();

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

        public Task ReleaseAsync(QueueDelivery delivery, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
        {
            Forget(delivery);
            topic.SettleLater(delivery, notBefore);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            topic.Consumers.TryRemove(Id, out _);
            foreach (var delivery in _held.Keys)
            {
                Settle(delivery, giveBack: true);
            }

            return ValueTask.CompletedTask;
        }

        private void Settle(QueueDelivery delivery, bool giveBack)
        {
            Forget(delivery);
            topic.Settle(delivery, giveBack);
        }

        private void Forget(QueueDelivery delivery)
        {
            ArgumentNullException.ThrowIfNull(delivery);
            if (!_held.TryRemove(delivery, out _))
            {
                throw new InvalidOperationException($"The delivery of '{delivery.Message}' on topic '{delivery.Topic}' is not held by this consumer (already settled?).");
            }
        }
    }
}
