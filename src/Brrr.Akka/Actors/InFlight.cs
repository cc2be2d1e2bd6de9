using System.Collections.Concurrent;
using System.Diagnostics;
using Brrr.Backends;

namespace Brrr.Akka.Actors;

/// <summary>
/// The deliveries of one topic received and not yet settled, with when each was received: what shutdown must give
/// back. Also kept in <c>brrr.messages.in_flight</c> (<see cref="BrrrDiagnostics"/>).
/// </summary>
internal sealed class InFlight(string topic)
{
    private readonly ConcurrentDictionary<QueueDelivery, long> _held = new(ReferenceEqualityComparer.Instance);
    private readonly KeyValuePair<string, object?> _topicTag = new("brrr.topic", topic);

    public int Count => _held.Count;

    /// <summary>The deliveries held, each with its <see cref="Stopwatch.GetTimestamp"/> at receipt.</summary>
    public IReadOnlyCollection<KeyValuePair<QueueDelivery, long>> Held => _held.ToArray();

    public void Received(QueueDelivery delivery)
    {
        if (_held.TryAdd(delivery, Stopwatch.GetTimestamp()))
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
