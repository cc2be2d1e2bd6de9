using System.Diagnostics;
using System.Net;
using Brrr.Akka;
using Brrr.Contracts;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brrr.AspNetCore.Tests;

/// <summary><see cref="BrrrHealthCheck"/> over a real worker on a real redis-server, read through a real Kestrel <c>/healthz</c>.</summary>
public sealed class HealthCheckTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Health_goes_unhealthy_when_Redis_is_killed_and_healthy_again_once_it_is_back()
    {
        await using var host = await HealthHost.StartAsync(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.LateAfter = TimeSpan.FromSeconds(1);
        });
        await Eventually.HoldsAsync(async () => (await host.HealthAsync()) is (HttpStatusCode.OK, "Healthy"), "healthy with Redis up", Within);

        host.Server.Kill();
        var killed = Stopwatch.StartNew();
        await Eventually.HoldsAsync(async () => (await host.HealthAsync()).Status == HttpStatusCode.ServiceUnavailable, "unhealthy with Redis down", Within);
        Assert.True(killed.Elapsed <= TimeSpan.FromSeconds(5), $"unhealthy {killed.Elapsed.TotalSeconds:0.0} s after Redis was killed; at most 5 s");
        var check = new BrrrHealthCheck(host.Worker.Backends, host.Worker, new BrrrHealthCheckOptions { ProbeTimeout = TimeSpan.FromSeconds(1), LateAfter = TimeSpan.FromSeconds(1) });
        await Eventually.HoldsAsync(async () =>
        {
            var result = await check.CheckHealthAsync(new HealthCheckContext { Registration = new HealthCheckRegistration("brrr", check, null, null) });
            return result.Status == HealthStatus.Unhealthy && result.Description!.Contains("queue", StringComparison.Ordinal)
                && result.Description.Contains("store", StringComparison.Ordinal) && result.Description.Contains("heartbeat of topic health is late", StringComparison.Ordinal);
        }, "the queue and store unreachable and the heartbeat late", Within);

        host.Server.Restart();
        await Eventually.HoldsAsync(async () => (await host.HealthAsync()) is (HttpStatusCode.OK, "Healthy"), "healthy again with Redis back", Within);
        var salt = Random.Shared.Next(1_000_000, int.MaxValue / 2);
        await host.Worker.Client.ScheduleAsync(HealthHost.Double, salt, HealthHost.Topic);
        Assert.Equal(salt * 2, await host.Worker.Client.WaitAsync(HealthHost.Double, salt, Within));
    }

    [Fact]
    public async Task A_stopped_worker_reports_its_streams_not_running_and_is_unhealthy()
    {
        await using var host = await HealthHost.StartAsync();
        var running = Assert.Single(host.Worker.GetTopicStreams());
        Assert.Equal(HealthHost.Topic, running.Topic);
        Assert.True(running.Running);
        Assert.False(running.Dead);

        await host.Worker.StopAsync();
        var stopped = Assert.Single(host.Worker.GetTopicStreams());
        Assert.False(stopped.Running);
        Assert.False(stopped.Dead);
        Assert.Null(stopped.SinceQueueAnswered);
        var (status, body) = await host.HealthAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body);
    }

    [Fact]
    public async Task Growing_dead_letters_make_the_check_degraded_until_the_window_passes()
    {
        await using var host = await HealthHost.StartAsync();
        var check = new BrrrHealthCheck(host.Worker.Backends, host.Worker, new BrrrHealthCheckOptions { DeadLetterWindow = TimeSpan.FromSeconds(1) });
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("brrr", check, null, null) };
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);

        await host.Redis.Queue.PushAsync(HealthHost.Topic + host.Worker.Settings.DeadLetterSuffix, "{\"not\":\"a real letter\"}");
        var grown = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Degraded, grown.Status);
        Assert.Contains("dead letters of topic health are growing (1 now)", grown.Description, StringComparison.Ordinal);
        Assert.Equal(1L, grown.Data["dead-letters:health"]);

        await Eventually.HoldsAsync(async () => (await check.CheckHealthAsync(context)).Status == HealthStatus.Healthy, "healthy once the dead letters stop growing", Within);
    }

    [Fact]
    public async Task A_queue_that_keeps_the_worker_waiting_past_late_after_but_answers_the_probe_makes_the_check_degraded()
    {
        await using var host = await HealthHost.StartAsync();
        var check = new BrrrHealthCheck(host.Worker.Backends, host.Worker, new BrrrHealthCheckOptions { ProbeTimeout = TimeSpan.FromSeconds(10), LateAfter = TimeSpan.FromSeconds(1) });
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("brrr", check, null, null) };
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);

        // Longer than LateAfter, shorter than the probe timeout (and the client's command timeout): the probes wait it out.
        host.Server.Pause(TimeSpan.FromSeconds(4));
        await Eventually.HoldsAsync(
            () => Assert.Single(host.Worker.GetTopicStreams()).SinceQueueAnswered > TimeSpan.FromSeconds(1.5), "the stream waits on the paused queue", Within);
        var late = await check.CheckHealthAsync(context);

        Assert.Equal(HealthStatus.Degraded, late.Status);
        Assert.Contains("the heartbeat of topic health is late", late.Description, StringComparison.Ordinal);
        Assert.Equal("receiving", late.Data["stream:health"]);
        await Eventually.HoldsAsync(async () => (await check.CheckHealthAsync(context)).Status == HealthStatus.Healthy, "healthy once the pause is over", Within);
    }

    [Fact]
    public async Task A_backend_that_hangs_answers_unhealthy_within_the_probe_timeout_not_a_hang()
    {
        await using var host = await HealthHost.StartAsync();
        var check = new BrrrHealthCheck(host.Worker.Backends, host.Worker, new BrrrHealthCheckOptions { ProbeTimeout = TimeSpan.FromMilliseconds(300) });
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("brrr", check, null, null) };
        host.Server.Pause(TimeSpan.FromSeconds(30));
        var result = await check.CheckHealthAsync(context).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("did not answer within 0.3 s", result.Description, StringComparison.Ordinal);
        host.Server.Restart();
    }
}
