using System.Collections.Concurrent;
using Brrr.Backends;

namespace Brrr.Akka.Actors;

/// <summary>
/// The deliveries of one topic received and not yet settled: what shutdown must give back. Also kept in
/// <c>brrr.messages.in_flight</c> (<see cref="BrrrDiagnostics"/>).
/// </summary>
internal sealed class InFlight(string topic)
{
    private readonly ConcurrentDictionary<QueueDelivery, byte> _held = new(ReferenceEqualityComparer.Instance);
    private readonly KeyValuePair<string, object?> _topicTag = new("brrr.topic", topic);

    public int Count => _held.Count;

    public IReadOnlyCollection<QueueDelivery> Held => _held.Keys.ToArray();

    public void Received(QueueDelivery delivery)
    {
        if (_held.TryAdd(delivery, 0))
        {
            BrrrDiagnostics.InFlight.Add(1, _topicTag);
        }
    }

    public void Settled(QueueDelivery delivery)
    {
        if (_held.TryRemove(delivery, out _))
        {
            BrrrDiagnostics.InFlight.Add(-1, _topicTag);
        }
    }
}
