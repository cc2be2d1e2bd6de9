using Akka.Actor;
using Akka.Hosting;

namespace Brrr.Akka.Hosting;

/// <summary>
/// The key under which <c>WithBrrr</c> registers its system's brrr workers in Akka.Hosting's <see cref="ActorRegistry"/>:
/// take <c>IRequiredActor&lt;BrrrWorkerKey&gt;</c> from DI (no other registration needed) and ask it
/// <see cref="GetBrrrWorker"/>, or call <see cref="BrrrWorkerKeyExtensions.GetBrrrWorkerAsync"/>. One actor per
/// ActorSystem (<c>/user/brrr-workers</c>) stands for all of its workers: a request names one
/// (<see cref="BrrrOptions.WorkerName"/>) or none for the first started. It answers in-process only: the
/// <see cref="BrrrWorker"/> it replies with (its client, statistics, topic streams) is not serializable.
/// </summary>
public sealed class BrrrWorkerKey
{
    private BrrrWorkerKey()
    {
    }
}

/// <summary>
/// Asks the actor of <see cref="BrrrWorkerKey"/> for a running worker of its system; it replies with the
/// <see cref="BrrrWorker"/>, or with a <see cref="Status.Failure"/> (an <see cref="ArgumentException"/>) when no worker
/// of that name runs (none started yet, or it stopped).
/// </summary>
/// <param name="WorkerName">The worker's name (<see cref="BrrrOptions.WorkerName"/>); null: the first worker the system started, while it runs.</param>
public sealed record GetBrrrWorker(string? WorkerName = null);

/// <summary>Reaches a hosted worker through <c>IRequiredActor&lt;BrrrWorkerKey&gt;</c>.</summary>
public static class BrrrWorkerKeyExtensions
{
    /// <summary>
    /// The running worker named <paramref name="workerName"/> (null: the first started) of the system whose
    /// <c>WithBrrr</c> registered <paramref name="workers"/>; waits until the first worker has started and registered.
    /// </summary>
    /// <param name="workers">The registry entry, from DI.</param>
    /// <param name="workerName">The worker's name; null for the first worker started.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ArgumentException">No worker of that name runs.</exception>
    public static async Task<BrrrWorker> GetBrrrWorkerAsync(this IRequiredActor<BrrrWorkerKey> workers, string? workerName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workers);
        var actor = await workers.GetAsync(cancellationToken).ConfigureAwait(false);
        return await actor.Ask<BrrrWorker>(new GetBrrrWorker(workerName), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Answers <see cref="GetBrrrWorker"/> from the runtime of its system.</summary>
internal sealed class BrrrWorkersActor : ReceiveActor
{
    public BrrrWorkersActor(BrrrRuntime runtime) =>
        Receive<GetBrrrWorker>(request =>
        {
            var first = runtime.WorkerAsync();
            var wanted = request.WorkerName ?? (first.IsCompletedSuccessfully ? first.Result.Name : null);
            var worker = runtime.Workers.FirstOrDefault(w => string.Equals(w.Name, wanted, StringComparison.Ordinal));
            var missing = request.WorkerName is null ? "The first brrr worker of this system has not started, or has stopped." : $"No brrr worker named '{request.WorkerName}' runs in this system.";
            Sender.Tell(worker is null ? new Status.Failure(new ArgumentException(missing, nameof(GetBrrrWorker.WorkerName))) : worker);
        });
}
