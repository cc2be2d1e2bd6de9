namespace Brrr.Bench;

/// <summary>
/// The workers of one run: W worker systems in this process (<see cref="InProcessFleet"/>) or P worker processes
/// (<see cref="ProcessFleet"/>). Started before the clock, stopped after it; disposing stops whatever still runs.
/// </summary>
internal interface IWorkerFleet : IAsyncDisposable
{
    /// <summary>Worker systems in all.</summary>
    int Systems { get; }

    /// <summary>The brrr parallelism of the run's topic.</summary>
    int Parallelism { get; }

    /// <summary>Roots seen finished so far (for the timeout message).</summary>
    long RootsDone { get; }

    /// <summary>
    /// Completes when every root of the run has finished; throws <see cref="OperationCanceledException"/> on
    /// <paramref name="cancellationToken"/> and <see cref="WorkerProcessException"/> when a worker process dies first.
    /// </summary>
    Task WaitForRootsAsync(CancellationToken cancellationToken);

    /// <summary>Child→parent latency samples in ms, sorted; null when the fleet cannot measure them.</summary>
    double[]? LatencySamplesMs();

    /// <summary>Child handler returns per second (<see cref="RunProbe.ChildReturnsPerSecond"/>); null for process fleets, as latency.</summary>
    double? ChildReturnsPerSecond();

    /// <summary>Stops the workers; one report per process that ran workers. Throws <see cref="WorkerProcessException"/> when one does not report.</summary>
    Task<IReadOnlyList<WorkerReport>> StopAsync();
}
