using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Bench.Workloads;

namespace Brrr.Bench;

/// <summary>W worker ActorSystems in this process; the workloads' tasks tell <see cref="RunProbe"/> when roots return.</summary>
internal sealed class InProcessFleet : IWorkerFleet
{
    private readonly ActorSystem[] _systems;
    private readonly BrrrWorker[] _workers;
    private readonly RunProbe _probe;
    private readonly ResourceMeter _meter;

    private InProcessFleet(ActorSystem[] systems, BrrrWorker[] workers, RunProbe probe, string topic)
    {
        _systems = systems;
        _workers = workers;
        _probe = probe;
        Parallelism = workers[0].Settings.ForTopic(topic).Parallelism;
        _meter = ResourceMeter.Start();
    }

    public int Systems => _systems.Length;

    public int Parallelism { get; }

    public long RootsDone => _probe.RootReturns;

    /// <summary>Starts the worker systems; the roots <paramref name="salts"/> are expected on <paramref name="probe"/> before any is scheduled.</summary>
    public static InProcessFleet Start(BenchOptions o, RunBackends run, string topic, Workload workload, RunProbe probe, IEnumerable<string> salts)
    {
        var config = ConfigurationFactory.ParseString(o.WorkerHocon());
        var systems = Enumerable.Range(0, o.Workers).Select(i => ActorSystem.Create($"bench-{i}", config)).ToArray();
        var workers = systems.Select(s => BrrrExtension.Get(s).StartWorker(run.Backends, topic, workload.Tasks)).ToArray();
        foreach (var salt in salts)
        {
            probe.ExpectRoot(salt);
        }

        return new InProcessFleet(systems, workers, probe, topic);
    }

    public Task WaitForRootsAsync(CancellationToken cancellationToken) => _probe.AllRootsDone.WaitAsync(cancellationToken);

    public double[]? LatencySamplesMs() => _probe.LatencySamplesMs();

    public double? ChildReturnsPerSecond() => _probe.ChildReturnsPerSecond();

    /// <summary>Reads the counters before the workers stop, as the run's clock has just stopped.</summary>
    public async Task<IReadOnlyList<WorkerReport>> StopAsync()
    {
        var report = WorkerReport.Of(_workers, _meter.Stop(), ops: null);
        await DisposeAsync().ConfigureAwait(false);
        return [report];
    }

    public async ValueTask DisposeAsync()
    {
        _meter.Dispose();
        await Task.WhenAll(_workers.Select(w => w.StopAsync())).ConfigureAwait(false);
        await Task.WhenAll(_systems.Select(s => s.Terminate())).ConfigureAwait(false);
    }
}
