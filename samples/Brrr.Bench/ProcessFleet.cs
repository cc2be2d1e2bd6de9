using Brrr.Bench.Workloads;

namespace Brrr.Bench;

/// <summary>
/// The run of P worker processes (<see cref="WorkerProcesses"/>): each starts one worker system on the run's topic,
/// Redis and DynamoDB table before the clock, and stops it after. Roots are seen finished by
/// polling their stored values (<see cref="StoredValueWait.UntilCancelled"/>), one root at a time, so there is about
/// one read per 5 ms; a worker process that exits during the run ends the wait with an error. Child→parent latency is
/// not measured: the processes have different clocks, and the probes in the worker processes are not read.
/// </summary>
internal sealed class ProcessFleet : IWorkerFleet
{
    private readonly WorkerProcess[] _processes;
    private readonly Workload _workload;
    private readonly BrrrClient _reader;
    private readonly string[] _salts;
    private long _rootsDone;

    private ProcessFleet(WorkerProcess[] processes, Workload workload, BrrrClient reader, string[] salts)
    {
        _processes = processes;
        _workload = workload;
        _reader = reader;
        _salts = salts;
    }

    public int Systems => _processes.Length;

    public int Parallelism { get; private init; }

    public long RootsDone => Interlocked.Read(ref _rootsDone);

    /// <summary>Starts a worker in each process on the run's topic and backends, and waits until each says ready.</summary>
    public static async Task<ProcessFleet> StartAsync(WorkerProcesses processes, RunBackends run, string topic, Workload workload, string[] salts, long spawnLimit)
    {
        var all = processes.All.ToArray();
        var parallelism = await Task.WhenAll(all.Select(p => p.ServeAsync(topic, run.DynamoTable))).ConfigureAwait(false);
        return new ProcessFleet(all, workload, run.Uncounted.CreateClient(spawnLimit), salts) { Parallelism = parallelism[0] };
    }

    public async Task WaitForRootsAsync(CancellationToken cancellationToken)
    {
        using var polling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poll = PollAsync(polling.Token);
        var exits = _processes.Select(p => p.Exited).ToArray();
        var anyExit = Task.WhenAny(exits);
        if (await Task.WhenAny(poll, anyExit).ConfigureAwait(false) == poll)
        {
            await poll.ConfigureAwait(false);
            return;
        }

        await polling.CancelAsync().ConfigureAwait(false);

        // The poll ends on the cancellation just made: only the worker's exit is worth reporting.
        await poll.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var exit = await anyExit.ConfigureAwait(false);
        var process = _processes[Array.IndexOf(exits, exit)];
        throw new WorkerProcessException($"Worker process {process.Index} exited with code {await exit.ConfigureAwait(false)} during the run (its stderr is above).");
    }

    public double[]? LatencySamplesMs() => null;

    public double? ChildReturnsPerSecond() => null;

    public async Task<IReadOnlyList<WorkerReport>> StopAsync() =>
        await Task.WhenAll(_processes.Select(p => p.StopAsync())).ConfigureAwait(false);

    /// <summary>Nothing to release: the processes belong to <see cref="WorkerProcesses"/>, which kills them when it is disposed.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        foreach (var salt in _salts)
        {
            await _workload.ReadRootAsync(_reader, salt, StoredValueWait.UntilCancelled, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _rootsDone);
        }
    }
}
