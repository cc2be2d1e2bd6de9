using Akka.Actor;
using Akka.Configuration;
using Brrr.Contracts;

namespace Brrr.Akka.Tests;

/// <summary>The failure suite on the in-memory backends: error records, propagation, status, wait and retry.</summary>
public sealed class InMemoryFailureSpecs : FailureContract
{
    internal static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.retry-backoff-min = 10ms
        brrr.retry-backoff-max = 50ms
        brrr.task-attempts = 2
        """);

    protected override Task<FailureHost> StartAsync()
    {
        var backends = BrrrBackends.InMemory();
        var system = ActorSystem.Create("failures", WorkerConfig);
        var worker = BrrrExtension.Get(system).StartWorker(backends, Topic, Tasks);
        var client = new BrrrClient(backends.Store, backends.Cache, backends.Queue, backends.Codec);
        return Task.FromResult(new FailureHost(client, new Stopper(worker, system)));
    }

    private sealed class Stopper(BrrrWorker worker, ActorSystem system) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await worker.StopAsync();
            await system.Terminate();
        }
    }
}
