using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Redis;
using Brrr.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Brrr.AspNetCore.Tests;

/// <summary>A worker on a real redis-server and a real Kestrel server on 127.0.0.1:0 serving its health on <c>/healthz</c>.</summary>
internal sealed class HealthHost : IAsyncDisposable
{
    public const string Topic = "health";

    public static readonly BrrrTask<int, int> Double = BrrrTask.Create<int, int>("double", (_, a) => Task.FromResult(a * 2));

    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("akka.loglevel = OFF\nbrrr.poll-timeout = 200ms\nbrrr.retry-backoff-max = 200ms");

    private HealthHost(WorkerWeb web) => Web = web;

    public WorkerWeb Web { get; }

    public RedisServer Server => Web.Server;

    public RedisBrrr Redis => Web.Redis;

    public BrrrWorker Worker => Web.Worker;

    public static async Task<HealthHost> StartAsync(Action<BrrrHealthCheckOptions>? configure = null) =>
        new(await WorkerWeb.StartAsync(
            "brrr-health",
            WorkerConfig,
            s => s with { HeartbeatInterval = TimeSpan.FromMilliseconds(200), HeartbeatTtl = TimeSpan.FromSeconds(1) },
            Topic,
            new TaskSet(Double),
            (services, worker) => services.AddHealthChecks().AddBrrrHealthChecks(worker, configure ?? (o => o.ProbeTimeout = TimeSpan.FromSeconds(1))),
            (app, _) => app.MapHealthChecks("/healthz")));

    /// <summary>The status code and body of <c>GET /healthz</c>.</summary>
    public async Task<(HttpStatusCode Status, string Body)> HealthAsync()
    {
        using var response = await Web.Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public ValueTask DisposeAsync() => Web.DisposeAsync();

}
