using Akka.Actor;
using Brrr.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Brrr.Akka.Hosting;

/// <summary>Registers the <see cref="IBrrrClient"/> of a hosted worker, or of a fleet's backends, in a service collection.</summary>
public static class BrrrClientRegistration
{
    /// <summary>
    /// Registers an <see cref="IBrrrClient"/> on <paramref name="backends"/>: a process that schedules and reads
    /// without running a worker, or one that enqueues into a worker it gave the same backends.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="backends">The fleet's queue, store, cache and codec.</param>
    /// <param name="spawnLimit">The client's spawn limit (<c>brrr.spawn-limit</c> of the fleet).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddBrrrClient(this IServiceCollection services, BrrrBackends backends, long spawnLimit = BrrrClient.DefaultSpawnLimit)
    {
        ArgumentNullException.ThrowIfNull(backends);
        return services.AddBrrrClient(_ => backends.CreateClient(spawnLimit));
    }

    /// <summary>
    /// Registers the <see cref="IBrrrClient"/> of the worker that <c>WithBrrr</c> starts in the host's ActorSystem (on
    /// its backends, the in-memory default included, so an app can enqueue into its own embedded worker). It can be
    /// taken at any time; each call waits until that worker has started. <see cref="BrrrServiceCollectionExtensions.AddBrrr"/>
    /// calls it with <c>AddAkka</c> and <c>WithBrrr</c>.
    /// </summary>
    /// <param name="services">The application's services (the ones <c>AddAkka</c> registers the ActorSystem in).</param>
    /// <param name="workerName">The worker's name (<see cref="BrrrOptions.WorkerName"/>); null: the first worker started.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddBrrrWorkerClient(this IServiceCollection services, string? workerName = null) =>
        services.AddBrrrClient(provider => new WorkerClient(provider, workerName));

    /// <summary>Forwards each call to the client of the named worker once it has started.</summary>
    private sealed class WorkerClient(IServiceProvider provider, string? workerName) : IBrrrClient
    {
        private async Task<BrrrClient> ClientAsync(CancellationToken cancellationToken)
        {
            var system = provider.GetRequiredService<ActorSystem>();
            return (await BrrrExtension.Get(system).WorkerAsync(workerName, cancellationToken).ConfigureAwait(false)).Client;
        }

        public async Task<Call> ScheduleAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, string? topic = null, CancellationToken cancellationToken = default) =>
            await (await ClientAsync(cancellationToken).ConfigureAwait(false)).ScheduleAsync(task, args, topic, cancellationToken).ConfigureAwait(false);

        public async Task<Call> ScheduleAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, ScheduleOptions options, CancellationToken cancellationToken = default) =>
            await (await ClientAsync(cancellationToken).ConfigureAwait(false)).ScheduleAsync(task, args, options, cancellationToken).ConfigureAwait(false);

        public async Task<ReadResult<TResult>> ReadAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, CancellationToken cancellationToken = default) =>
            await (await ClientAsync(cancellationToken).ConfigureAwait(false)).ReadAsync(task, args, cancellationToken).ConfigureAwait(false);

        public async Task<CallStatus<TResult>> GetStatusAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, CancellationToken cancellationToken = default) =>
            await (await ClientAsync(cancellationToken).ConfigureAwait(false)).GetStatusAsync(task, args, cancellationToken).ConfigureAwait(false);

        public async Task<TResult> WaitAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, TimeSpan timeout, CancellationToken cancellationToken = default) =>
            await (await ClientAsync(cancellationToken).ConfigureAwait(false)).WaitAsync(task, args, timeout, cancellationToken).ConfigureAwait(false);

        public async Task<string?> RetryAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, string? topic = null, CancellationToken cancellationToken = default) =>
            await (await ClientAsync(cancellationToken).ConfigureAwait(false)).RetryAsync(task, args, topic, cancellationToken).ConfigureAwait(false);

        public async Task CancelAsync(string rootId, CancellationToken cancellationToken = default) =>
            await (await ClientAsync(cancellationToken).ConfigureAwait(false)).CancelAsync(rootId, cancellationToken).ConfigureAwait(false);

        public async Task<bool> IsCancelledAsync(string rootId, CancellationToken cancellationToken = default) =>
            await (await ClientAsync(cancellationToken).ConfigureAwait(false)).IsCancelledAsync(rootId, cancellationToken).ConfigureAwait(false);
    }
}
