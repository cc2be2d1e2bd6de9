using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

public sealed class DiagnosticsSpecs : global::Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly BrrrTask<int, int> Leaf = BrrrTask.Create<int, int>("leaf", (_, a) => Task.FromResult(a * 10));
    private static readonly BrrrTask<int, int> Sum = BrrrTask.Create<int, int>("sum", async (ctx, n) =>
    {
        var parts = await ctx.Gather(Enumerable.Range(1, n).Select(i => ctx.Call(Leaf, i)).ToArray());
        return parts.Sum();
    });

    private static readonly BrrrTask<int, int> Broken = BrrrTask.Create<int, int>("broken", (_, _) => throw new InvalidOperationException("no"));

    // Other specs run workers at the same time: everything here is filtered by this spec's own topic.
    private readonly string _topic = "diag-" + Guid.NewGuid().ToString("N");
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _traces;
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentQueue<Activity> _activities = new();

    public DiagnosticsSpecs() : base(ConfigurationFactory.ParseString("akka.loglevel = OFF\nbrrr.retry-backoff-min = 10ms\nbrrr.task-attempts = 2"))
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == BrrrDiagnostics.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
        _traces = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BrrrDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "brrr.call" && Equals(activity.GetTagItem("messaging.destination.name"), _topic))
                {
                    _activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_traces);
    }

    [Fact]
    public async Task Executions_outcomes_durations_in_flight_and_a_trace_per_message_are_published_under_Brrr()
    {
        await using var brrr = new LocalBrrr(Sys, _topic, Sum, Leaf, Broken);

        Assert.Equal(150, await brrr.RunAsync(Sum, 5));
        await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(Broken, 1));

        await AwaitAssertAsync(() => Assert.Equal(0, Total("brrr.messages.in_flight")), TimeSpan.FromSeconds(10));
        // A message leaves the in-flight count when it is settled, and is counted by outcome just after: the broken
        // call's first run may be counted after its second run threw, so its outcomes are awaited too.
        await AwaitAssertAsync(() => Assert.Equal(1, Total("brrr.calls", ("brrr.outcome", "released"))), TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(() => Assert.Equal(1, Total("brrr.calls", ("brrr.outcome", "failed"))), TimeSpan.FromSeconds(10));
        Assert.Equal(brrr.Executions["leaf"], Total("brrr.executions", ("brrr.task", "leaf")));
        Assert.Equal(brrr.Executions["sum"], Total("brrr.executions", ("brrr.task", "sum")));
        Assert.Equal(2, Total("brrr.executions", ("brrr.task", "broken")));
        var stats = brrr.Worker.Statistics;
        Assert.Equal(stats.Completed, Total("brrr.calls", ("brrr.outcome", "completed")));
        Assert.Equal(stats.Deferred, Total("brrr.calls", ("brrr.outcome", "deferred")));
        Assert.Equal(1, Total("brrr.calls", ("brrr.outcome", "released")));
        Assert.Equal(1, Total("brrr.calls", ("brrr.outcome", "failed")));
        var calls = Total("brrr.calls");
        Assert.Equal(calls, Measurements("brrr.call.duration").Count());
        Assert.All(Measurements("brrr.call.duration"), m => Assert.InRange(m.Value, 0, 60));
        Assert.True(Measurements("brrr.messages.in_flight").Any(m => m.Value > 0), "in-flight never went up");

        await AwaitAssertAsync(() => Assert.Equal(calls, _activities.Count), TimeSpan.FromSeconds(10));
        Assert.All(_activities, a => Assert.Equal(ActivityKind.Consumer, a.Kind));
        Assert.Equal(5, _activities.Count(a => Equals(a.GetTagItem("brrr.task"), "leaf") && Equals(a.GetTagItem("brrr.outcome"), "completed")));
        var failed = Assert.Single(_activities, a => Equals(a.GetTagItem("brrr.outcome"), "failed"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("broken", failed.GetTagItem("brrr.task"));
        Assert.NotNull(failed.GetTagItem("brrr.call_hash"));
    }

    public new void Dispose()
    {
        _meters.Dispose();
        _traces.Dispose();
        base.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var all = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            all[tag.Key] = tag.Value;
        }

        if (Equals(all.GetValueOrDefault("brrr.topic"), _topic))
        {
            _measurements.Enqueue((instrument.Name, value, all));
        }
    }

    private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)));

    private long Total(string instrument, params (string Key, string Value)[] tags) =>
        (long)Measurements(instrument, tags).Sum(m => m.Value);
}
