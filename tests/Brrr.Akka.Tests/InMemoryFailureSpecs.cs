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

    protected override Task<FailureHost> StartAsync() => Task.FromResult(Start("failures", WorkerConfig, Topic, Tasks));

    /// <summary>A worker system named <paramref name="name"/> serving <paramref name="tasks"/> on fresh in-memory backends, and a client on them.</summary>
    internal static FailureHost Start(string name, Config config, string topic, Brrr.Tasks.TaskSet tasks)
    {
        var backends = BrrrBackends.InMemory();
        var system = ActorSystem.Create(name, config);
        var worker = BrrrExtension.Get(system).StartWorker(backends, topic, tasks);
        var client = new BrrrClient(backends.Store, backends.Cache, backends.Queue, backends.Codec);
        return new FailureHost(client, new Stopper(worker, system));
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
