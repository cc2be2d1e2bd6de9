using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Redis;
using Brrr.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brrr.AspNetCore.Tests;

/// <summary>A real Kestrel server on a free 127.0.0.1 port, set up by the test, with an HTTP client for it.</summary>
internal static class TestWeb
{
    /// <summary>Builds and starts the app; <paramref name="services"/> registers, <paramref name="map"/> maps.</summary>
    public static async Task<(WebApplication App, HttpClient Http)> StartAsync(Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        services(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) });
    }
}

/// <summary>A worker on a real redis-server of its own, and a real Kestrel beside it that the test sets up around the worker.</summary>
internal sealed class WorkerWeb : IAsyncDisposable
{
    private WorkerWeb(RedisServer server, RedisBrrr redis, ActorSystem system, BrrrWorker worker, WebApplication app, HttpClient http)
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

    /// <summary>Starts redis-server (persistent, so it can be restarted), the worker of <paramref name="tasks"/> on <paramref name="topic"/>, and the web.</summary>
    public static async Task<WorkerWeb> StartAsync(
        string name, Config config, Func<RedisBrrrSettings, RedisBrrrSettings> redisSettings, string topic, TaskSet tasks,
        Action<IServiceCollection, BrrrWorker> services, Action<WebApplication, BrrrWorker> map)
    {
        var server = RedisServer.Start(persistent: true);
        var redis = await RedisBrrr.ConnectAsync(redisSettings(RedisBrrrSettings.Default with { Configuration = server.Configuration, BlockTimeout = TimeSpan.FromMilliseconds(200) }));
        var system = ActorSystem.Create(name, config);
        var worker = BrrrExtension.Get(system).StartWorker(new BrrrBackends(redis.Store, redis.Cache, redis.Queue, JsonCodec.Default), topic, tasks);
        var (app, http) = await TestWeb.StartAsync(s => services(s, worker), a => map(a, worker));
        return new WorkerWeb(server, redis, system, worker, app, http);
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
