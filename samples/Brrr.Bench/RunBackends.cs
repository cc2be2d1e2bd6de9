using Brrr.Akka;
using Brrr.Bench.Counting;

namespace Brrr.Bench;

/// <summary>The backends of one run and their operation counters (null without <c>--count-ops</c>).</summary>
/// <param name="Backends">What the workers and the scheduling client use (counted with <c>--count-ops</c>).</param>
/// <param name="Uncounted">The same backends without counting, for the bench's own reads.</param>
/// <param name="DynamoTable">The run's DynamoDB table, null unless the backend is redis-dynamo.</param>
internal sealed record RunBackends(BrrrBackends Backends, BrrrBackends Uncounted, string? DynamoTable, RunCounters? Counters)
{
    /// <summary>The counts so far, null without <c>--count-ops</c>.</summary>
    public OpCounts? Snapshot() => Counters is { } c ? new OpCounts(c.Store.Snapshot(), c.Queue.Snapshot(), c.Cache.Snapshot()) : null;
}

/// <summary>The operation counters of one run's store, queue and cache.</summary>
internal sealed record RunCounters(OpCounters Store, OpCounters Queue, OpCounters Cache);
