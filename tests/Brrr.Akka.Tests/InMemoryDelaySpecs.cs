using Akka.Actor;
using Akka.Configuration;
using Brrr.Contracts;

namespace Brrr.Akka.Tests;

/// <summary>The delay suite on the in-memory backends: delayed roots, and retries that wait in the queue.</summary>
public sealed class InMemoryDelaySpecs : DelayContract
{
    protected override Task<FailureHost> StartAsync()
    {
        var backends = BrrrBackends.InMemory();
        var system = ActorSystem.Create("delays", ConfigurationFactory.ParseString(WorkerHocon).WithFallback(InMemoryFailureSpecs.WorkerConfig));
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
