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

    private HealthHost(RedisServer server, RedisBrrr redis, ActorSystem system, BrrrWorker worker, WebApplication app, HttpClient http)
    {
        Server = server;
        Redis = redis;
        System = system;
        Worker = worker;
        App = app;
        Http = http;
    }

    public RedisServer Server { get; }

    public RedisBrrr Redis { get; }

    public ActorSystem System { get; }

    public BrrrWorker Worker { get; }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public static async Task<HealthHost> StartAsync(Action<BrrrHealthCheckOptions>? configure = null)
    {
        var server = RedisServer.Start(persistent: true);
        var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with
        {
            Configuration = server.Configuration,
            BlockTimeout = TimeSpan.FromMilliseconds(200),
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            HeartbeatTtl = TimeSpan.FromSeconds(1),
        });
        var system = ActorSystem.Create("brrr-health", WorkerConfig);
        var backends = new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default);
        var worker = BrrrExtension.Get(system).StartWorker(backends, Topic, new TaskSet(Double));
        var (app, http) = await TestWeb.StartAsync(
            services => services.AddHealthChecks().AddBrrrHealthChecks(worker, configure ?? (o => o.ProbeTimeout = TimeSpan.FromSeconds(1))),
            app => app.MapHealthChecks("/healthz"));
        return new HealthHost(server, redis, system, worker, app, http);
    }

    /// <summary>The status code and body of <c>GET /healthz</c>.</summary>
    public async Task<(HttpStatusCode Status, string Body)> HealthAsync()
    {
        using var response = await Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Worker.StopAsync();
        await System.Terminate();
        await Redis.DisposeAsync();
        Server.Dispose();
    }
}
