using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.TestKit;
using Brrr.Akka.Actors;
using Brrr.Backends;
using Brrr.Contracts;

namespace Brrr.Akka.Tests;

/// <summary>
/// The demand of a topic's stream, seen from a scripted queue consumer and from probes standing in for the runners:
/// it asks the queue for the free room only, and hands a runner a call only when a slot is free.
/// </summary>
public sealed class TopicPipelineSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private const int Parallelism = 2;
    private const int Prefetch = 1;

    public TopicPipelineSpecs() : base("akka.loglevel = WARNING")
    {
    }

    [Fact]
    public async Task The_stream_asks_for_the_free_room_and_runs_no_more_calls_than_its_parallelism()
    {
        var queue = CreateTestProbe();
        var runners = new[] { CreateTestProbe(), CreateTestProbe() };
        var inFlight = new InFlight("t");
        using var stopping = new CancellationTokenSource();
        var setup = new PipelineSetup("t", new TopicSettings(Parallelism, Prefetch), BrrrSettings.Create(ConfigurationFactory.Empty),
            new ScriptedConsumer("t", queue.Ref), inFlight, stopping.Token);
        var pipeline = TopicPipeline.Start(setup, runners.Select(r => r.Ref).ToArray(), Sys.Materializer(), new AkkaLogger(Sys.Log));

        // Room for parallelism + prefetch: one receive asks for all of it; two calls run, one waits for a slot.
        Assert.Equal(Parallelism + Prefetch, queue.ExpectMsg<Asked>().Max);
        var first = runners[0].ExpectMsg<RunCall>();
        var second = runners[1].ExpectMsg<RunCall>();
        Assert.Equal(("m0", "m1"), (first.Delivery.Message, second.Delivery.Message));
        queue.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        runners[0].ExpectNoMsg(TimeSpan.Zero);
        Assert.Equal(3, inFlight.Count);

        // A settled call frees its runner for the waiting message, and the queue is asked for the one free place.
        inFlight.Settled(first.Delivery);
        first.Handled.SetResult();
        var third = runners[0].ExpectMsg<RunCall>();
        Assert.Equal("m2", third.Delivery.Message);
        Assert.Equal(1, queue.ExpectMsg<Asked>().Max);
        queue.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        runners[1].ExpectNoMsg(TimeSpan.Zero);

        // Stopping: no more receives; the calls handed out still end (the switch may let the prefetched message through
        // before it takes effect), and the stream completes only after them.
        pipeline.StopReceiving();
        await stopping.CancelAsync();
        Assert.False(pipeline.Completion.IsCompleted);
        second.Handled.SetResult();
        third.Handled.SetResult();
        var late = await CompleteAsync(pipeline, runners);
        Assert.True(late.All(m => m == "m3"), $"handed out after stopping: {string.Join(", ", late)}");
        queue.ExpectNoMsg(TimeSpan.Zero);
    }

    /// <summary>Completes every call the probes still get until the stream is done; returns their messages.</summary>
    private static async Task<List<string>> CompleteAsync(TopicPipeline pipeline, IReadOnlyList<TestProbe> runners)
    {
        var late = new List<string>();
        await Eventually.HoldsAsync(
            () =>
            {
                foreach (var runner in runners)
                {
                    while (runner.HasMessages && runner.ReceiveOne(TimeSpan.Zero) is RunCall call)
                    {
                        late.Add(call.Delivery.Message);
                        call.Handled.SetResult();
                    }
                }

                return pipeline.Completion.IsCompleted;
            },
            "the stream completes once its calls are done",
            TimeSpan.FromSeconds(10));
        return late;
    }

    /// <summary>Answers every receive at once with as many fresh messages as asked for, and tells the probe what was asked.</summary>
    private sealed class ScriptedConsumer(string topic, IActorRef probe) : IQueueConsumer
    {
        private int _next;

        public string Topic => topic;

        public Task<IReadOnlyList<QueueDelivery>> ReceiveManyAsync(int max, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            probe.Tell(new Asked(max));
            IReadOnlyList<QueueDelivery> deliveries = Enumerable.Range(0, max).Select(_ => new QueueDelivery(topic, $"m{_next++}", false)).ToArray();
            return Task.FromResult(deliveries);
        }

        public Task<QueueDelivery?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The stream receives through ReceiveManyAsync.");

        public Task AckAsync(QueueDelivery delivery, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task ReleaseAsync(QueueDelivery delivery, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed record Asked(int Max);
}
