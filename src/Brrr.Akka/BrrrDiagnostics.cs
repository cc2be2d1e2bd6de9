using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Brrr.Akka;

/// <summary>
/// What workers publish through <c>System.Diagnostics</c>, all under the name <see cref="Name"/>: listen with
/// OpenTelemetry (<c>AddMeter("Brrr")</c>, <c>AddSource("Brrr")</c>), <c>dotnet-counters monitor --counters Brrr</c> or a
/// <see cref="MeterListener"/> / <see cref="ActivityListener"/>. Nothing is recorded while nobody listens.
/// <list type="bullet">
/// <item><c>brrr.executions</c> (counter): handler executions, tagged <c>brrr.task</c> and <c>brrr.topic</c>.</item>
/// <item><c>brrr.calls</c> (counter): handled messages, tagged <c>brrr.topic</c> and <c>brrr.outcome</c>: <c>completed</c>,
/// <c>deferred</c>, <c>skipped</c> (value known or a child still missing), <c>cancelled</c> (the root is cancelled), <c>released</c> (back to the queue after a
/// failure, or on shutdown) or <c>failed</c> (for good: dead-lettered or dropped).</item>
/// <item><c>brrr.call.duration</c> (histogram, seconds): from a message's pickup to its settlement, same tags.</item>
/// <item><c>brrr.messages.in_flight</c> (up-down counter): messages received and not yet settled, tagged <c>brrr.topic</c>.</item>
/// <item>Activity <c>brrr.call</c> (consumer) per handled message, tagged <c>messaging.destination.name</c>,
/// <c>brrr.task</c>, <c>brrr.call_hash</c>, <c>brrr.root_id</c> and <c>brrr.outcome</c>; its status is Error when
/// the message failed.</item>
/// <item>Activities of <see cref="BrrrClient"/>: <c>brrr.schedule</c> (producer), tagged like <c>brrr.call</c> with
/// <c>brrr.outcome</c> <c>scheduled</c> or <c>known</c> (the value was stored already), and <c>brrr.wait</c> (internal),
/// tagged <c>brrr.task</c> and <c>brrr.call_hash</c>; Error status when they throw.</item>
/// </list>
/// One trace per workflow: while a listener listens, <see cref="BrrrClient.ScheduleAsync(Call, string, string, CancellationToken)"/>
/// keeps the W3C <c>traceparent</c> (and <c>tracestate</c>) of its <c>brrr.schedule</c> activity in the cache for the
/// root (<see cref="Brrr.Backends.ICache.SetRootTraceAsync"/>; on Redis <c>brrr:trace:&lt;root_id&gt;</c>, expiring with
/// the spawn counter). A worker reads it once per root (and keeps it, bounded), and every <c>brrr.call</c> of the root
/// is a child of that schedule, in its trace. Queue messages and store records are unchanged, and reference workers
/// never read the record; a root without one (scheduled by a reference worker, or with nobody listening) has calls
/// traced on their own, as roots.
/// </summary>
public static class BrrrDiagnostics
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = BrrrTracing.Name;

    internal static readonly ActivitySource Source = BrrrTracing.Source;

    private static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Executions =
        Meter.CreateCounter<long>("brrr.executions", "{execution}", "Handler executions, by task and topic.");

    internal static readonly Counter<long> Calls =
        Meter.CreateCounter<long>("brrr.calls", "{message}", "Handled messages, by topic and outcome.");

    internal static readonly Histogram<double> CallDuration =
        Meter.CreateHistogram<double>("brrr.call.duration", "s", "From a message's pickup to its settlement, by topic and outcome.");

    internal static readonly UpDownCounter<long> InFlight =
        Meter.CreateUpDownCounter<long>("brrr.messages.in_flight", "{message}", "Messages received and not yet settled, by topic.");

    /// <summary>Counts one handled message of <paramref name="topic"/> with <paramref name="outcome"/>, and how long it took.</summary>
    internal static void Handled(string topic, string outcome, long startedTimestamp)
    {
        var topicTag = new KeyValuePair<string, object?>("brrr.topic", topic);
        var outcomeTag = new KeyValuePair<string, object?>("brrr.outcome", outcome);
        Calls.Add(1, topicTag, outcomeTag);
        if (CallDuration.Enabled)
        {
            CallDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, topicTag, outcomeTag);
        }
    }
}
