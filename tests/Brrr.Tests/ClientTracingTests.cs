using System.Collections.Concurrent;
using System.Diagnostics;
using Brrr.Backends;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>Listeners of an activity source are process-wide: the tests that add one or need none run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ActivityListenerCollection
{
    public const string Name = "activity listeners";
}

[Collection(ActivityListenerCollection.Name)]
public sealed class ClientTracingTests : IDisposable
{
    private static readonly BrrrTask<int, int> Double = BrrrTask.Create<int, int>("double", (_, n) => Task.FromResult(n * 2));

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly TraceReadCountingCache _cache = new(new InMemoryCache());
    private readonly InMemoryQueue _queue = new();
    private readonly BrrrClient _client;
    private ActivityListener? _listener;

    public ClientTracingTests() => _client = new BrrrClient(new InMemoryStore(), _cache, _queue);

    [Fact]
    public async Task Schedule_is_a_producer_activity_whose_context_is_kept_for_the_root_and_the_job_is_unchanged()
    {
        Listen();
        using var app = new Activity("app") { TraceStateString = "vendor=abc" }.Start();
        var call = _client.Codec.EncodeCall(Double.Name, 21);

        await _client.ScheduleAsync(call, "t", "root-a");

        var schedule = Assert.Single(_stopped, a => a.OperationName == "brrr.schedule");
        Assert.Equal(ActivityKind.Producer, schedule.Kind);
        Assert.Equal(app.TraceId, schedule.TraceId);
        Assert.Equal(app.SpanId, schedule.ParentSpanId);
        Assert.Equal("root-a", schedule.GetTagItem("brrr.root_id"));
        Assert.Equal("scheduled", schedule.GetTagItem("brrr.outcome"));
        Assert.Equal(schedule.Id + "\nvendor=abc", await _cache.GetRootTraceAsync("root-a"));
        Assert.Equal([new ScheduleMessage("root-a", call.CallHash).ToWire()], await _queue.PeekAsync("t", 0, 10));
    }

    [Fact]
    public async Task With_no_listener_a_schedule_under_an_activity_writes_no_trace_context()
    {
        using var app = new Activity("app").Start();

        await _client.ScheduleAsync(_client.Codec.EncodeCall(Double.Name, 21), "t", "root-a");

        Assert.Equal(0, _cache.Writes);
        Assert.Null(await _cache.GetRootTraceAsync("root-a"));
        Assert.Single(await _queue.PeekAsync("t", 0, 10));
    }

    [Fact]
    public async Task With_a_listener_and_no_sampled_activity_a_schedule_writes_no_trace_context()
    {
        Listen(ActivitySamplingResult.None);

        await _client.ScheduleAsync(_client.Codec.EncodeCall(Double.Name, 21), "t", "root-a");

        Assert.Equal(0, _cache.Writes);
        Assert.Empty(_stopped);
    }

    [Fact]
    public async Task Wait_is_an_internal_activity_that_fails_when_it_times_out()
    {
        Listen();

        await Assert.ThrowsAsync<TimeoutException>(() => _client.WaitAsync(Double, 4, TimeSpan.Zero));

        var wait = Assert.Single(_stopped, a => a.OperationName == "brrr.wait");
        Assert.Equal(ActivityKind.Internal, wait.Kind);
        Assert.Equal(ActivityStatusCode.Error, wait.Status);
        Assert.Equal("double", wait.GetTagItem("brrr.task"));
        Assert.Equal(_client.Codec.EncodeCall(Double.Name, 4).CallHash, wait.GetTagItem("brrr.call_hash"));
    }

    public void Dispose() => _listener?.Dispose();

    private void Listen(ActivitySamplingResult sampling = ActivitySamplingResult.AllDataAndRecorded)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BrrrTracing.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }
}
