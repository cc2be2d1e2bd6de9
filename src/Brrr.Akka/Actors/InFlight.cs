using System.Collections.Concurrent;
using Brrr.Backends;

namespace Brrr.Akka.Actors;

/// <summary>The deliveries of one topic received and not yet settled: what shutdown must give back.</summary>
internal sealed class InFlight
{
    private readonly ConcurrentDictionary<QueueDelivery, byte> _held = new(ReferenceEqualityComparer.Instance);

    public int Count => _held.Count;

    public IReadOnlyCollection<QueueDelivery> Held => _held.Keys.ToArray();

    public void Received(QueueDelivery delivery) => _held.TryAdd(delivery, 0);

    public void Settled(QueueDelivery delivery) => _held.TryRemove(delivery, out _);
}
