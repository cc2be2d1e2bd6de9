using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Tasks;

namespace Brrr.Akka.Tests;

/// <summary>CoordinatedShutdown gives in-flight calls the whole <c>brrr.shutdown-timeout</c>, not Akka's default phase timeout.</summary>
public sealed class ShutdownPhaseSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    // Akka's default phase timeout (5 s) shortened to 1 s, so the spec shows the same cut in a fifth of the time.
    private static readonly TimeSpan DefaultPhaseTimeout = TimeSpan.FromSeconds(1);

    public ShutdownPhaseSpecs() : base(ConfigurationFactory.ParseString($"""
        akka.loglevel = WARNING
        akka.coordinated-shutdown.default-phase-timeout = {DefaultPhaseTimeout.TotalMilliseconds}ms
        brrr.shutdown-timeout = 4s
        """))
    {
    }

    [Theory]
    [InlineData("brrr.shutdown-timeout = 8s", 13)]
    [InlineData("brrr.shutdown-timeout = 0s", 5)]
    [InlineData("", 15)]
    public void The_shutdown_phase_timeout_is_the_shutdown_timeout_plus_time_to_give_messages_back(string hocon, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BrrrSettings.Create(ConfigurationFactory.ParseString(hocon)).ShutdownPhaseTimeout);

    [Fact]
    public void The_runtime_sets_the_service_unbind_phase_timeout_unless_the_application_does()
    {
        var runtime = BrrrExtension.Get(Sys);
        Assert.Equal(runtime.Settings.ShutdownPhaseTimeout, CoordinatedShutdown.Get(Sys).Timeout(CoordinatedShutdown.PhaseServiceUnbind));

        using var explicitly = ActorSystem.Create("explicit", ConfigurationFactory.ParseString(
            "akka.loglevel = OFF\nakka.coordinated-shutdown.phases.service-unbind.timeout = 30s"));
        BrrrExtension.Get(explicitly);
        Assert.Equal(TimeSpan.FromSeconds(30), CoordinatedShutdown.Get(explicitly).Timeout(CoordinatedShutdown.PhaseServiceUnbind));
    }

    [Fact]
    public async Task A_call_longer_than_the_default_phase_timeout_but_within_the_shutdown_timeout_finishes_during_coordinated_shutdown()
    {
        var backends = BrrrBackends.InMemory();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = BrrrTask.Create<int, int>("held", async (_, i) =>
        {
            started.TrySetResult();
            await gate.Task;
            return i * 2;
        });
        var worker = BrrrExtension.Get(Sys).StartWorker(backends, "t", new TaskSet(held));
        var client = backends.CreateClient();
        await client.ScheduleAsync(held, 21, "t");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var shutdown = CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance);

        // The call outlasts Akka's default phase timeout (the time is the point here, not a wait for something).
        await Task.Delay(DefaultPhaseTimeout * 2);
        gate.SetResult();
        await shutdown.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(new ReadResult<int>(true, 42), await client.ReadAsync(held, 21));
        Assert.Equal(1, worker.Statistics.Completed);
        var stats = await backends.Queue.GetStatsAsync("t");
        Assert.Equal((0L, 0L), (stats.Waiting, stats.InFlight));
    }
}
