using System.Text.Json.Nodes;
using Brrr.Backends;

namespace Brrr.Inspection.Tests;

/// <summary>
/// The inspector's scan of a busy topic on a real redis-server: a message that moves while the scan reads the
/// topic's waiting list and then its consumers' held lists is counted once, and never reported lost.
/// </summary>
public sealed class QueueScanTests() : FleetTest(null)
{
    private const string Topic = "scan";

    [Fact]
    public async Task A_job_a_consumer_takes_between_the_waiting_and_the_held_reads_shows_once_as_held()
    {
        var call = await ScheduleAsync();
        await using var consumer = Redis.Queue.CreateConsumer(Topic);
        var racing = new ScanRacingQueue(Redis.Queue, async () => Assert.NotNull(await consumer.ReceiveAsync(TimeSpan.FromSeconds(5))));

        var report = await new BrrrInspector(Client, racing).InspectAsync(call.CallHash);

        Assert.Equal(CallNodeState.Held, report.Root.State);
        Assert.NotNull(Assert.Single(report.Root.Jobs).ConsumerId);
        Assert.Equal("in progress: 0 calls queued, 1 running, 0 waiting on children", report.Verdict);
    }

    [Fact]
    public async Task A_job_given_back_between_the_waiting_and_the_held_reads_is_not_reported_lost()
    {
        var call = await ScheduleAsync();
        await using var consumer = Redis.Queue.CreateConsumer(Topic);
        var delivery = await consumer.ReceiveAsync(TimeSpan.FromSeconds(5)) ?? throw new InvalidOperationException("no job waits");
        var racing = new ScanRacingQueue(Redis.Queue, () => consumer.ReleaseAsync(delivery));

        var report = await new BrrrInspector(Client, racing).InspectAsync(call.CallHash);

        Assert.Equal(CallNodeState.Queued, report.Root.State);
        Assert.Null(Assert.Single(report.Root.Jobs).ConsumerId);
        Assert.Equal("in progress: 1 call queued, 0 running, 0 waiting on children", report.Verdict);
    }

    private async Task<Call> ScheduleAsync()
    {
        var call = Client.Codec.EncodeCall("leaf", new JsonObject { ["n"] = 1 });
        await Client.ScheduleAsync(call, Topic);
        return call;
    }
}
