using System.Diagnostics;

namespace Brrr.Contracts.Workloads;

/// <summary>The one-trace-per-workflow check of the runtime and backend tests, on the activities an exporter received.</summary>
public static class WorkflowTraces
{
    /// <summary>
    /// Asserts that the <paramref name="exported"/> activities of <paramref name="topic"/> hold one <c>brrr.schedule</c>
    /// per root, and that every <c>brrr.call</c> of a root is in its schedule's trace, as the schedule's child, and
    /// covers <paramref name="callsPerRoot"/> distinct calls. Returns each root's trace id.
    /// </summary>
    public static IReadOnlyDictionary<string, ActivityTraceId> AssertOneTracePerRoot(IReadOnlyCollection<Activity> exported, string topic, int callsPerRoot)
    {
        ArgumentNullException.ThrowIfNull(exported);
        var ofTopic = exported.Where(a => Equals(a.GetTagItem("messaging.destination.name"), topic)).ToList();
        var schedules = ofTopic.Where(a => a.OperationName == "brrr.schedule").ToList();
        Assert.NotEmpty(schedules);
        Assert.All(schedules, s => Assert.Equal(ActivityKind.Producer, s.Kind));
        var byRoot = schedules.ToDictionary(s => (string)s.GetTagItem("brrr.root_id")!, StringComparer.Ordinal);

        var calls = ofTopic.Where(a => a.OperationName == "brrr.call").ToList();
        Assert.All(calls, call =>
        {
            var schedule = byRoot[(string)call.GetTagItem("brrr.root_id")!];
            Assert.Equal(schedule.TraceId, call.TraceId);
            Assert.Equal(schedule.SpanId, call.ParentSpanId);
        });
        foreach (var root in byRoot.Keys)
        {
            var hashes = calls.Where(c => Equals(c.GetTagItem("brrr.root_id"), root)).Select(c => c.GetTagItem("brrr.call_hash")).Distinct();
            Assert.Equal(callsPerRoot, hashes.Count());
        }

        return byRoot.ToDictionary(r => r.Key, r => r.Value.TraceId, StringComparer.Ordinal);
    }
}
