using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Brrr.Akka.Hosting;

/// <summary>
/// One call for an application that embeds a worker and enqueues into it: the ActorSystem, the worker and its
/// <see cref="IBrrrClient"/> in DI. A builder method cannot register services (Akka.Hosting keeps the builder's
/// service collection to itself), so <c>AddAkka(..., b =&gt; b.WithBrrr(...))</c> alone gives the worker and its
/// registry entry (<see cref="BrrrWorkerKey"/>) but no <see cref="IBrrrClient"/>; this method adds both.
/// </summary>
public static class BrrrServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ActorSystem <paramref name="actorSystemName"/> (<c>AddAkka</c>) running the worker that
    /// <paramref name="configure"/> sets up (<c>WithBrrr</c>), and registers that worker's <see cref="IBrrrClient"/>
    /// (<see cref="BrrrClientRegistration.AddBrrrWorkerClient"/>): on its backends, the in-memory default included, so
    /// the application enqueues into its own worker. When <paramref name="akka"/> starts other workers too, name this
    /// one (<see cref="BrrrOptions.WorkerName"/>): an unnamed one's client is the client of the first worker started.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="actorSystemName">The ActorSystem's name.</param>
    /// <param name="configure">The worker's options (topics, backends, settings); run at once.</param>
    /// <param name="akka">The rest of the ActorSystem's setup (HOCON, logging, backend packages), run before <c>WithBrrr</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddBrrr(this IServiceCollection services, string actorSystemName, Action<BrrrOptions> configure, Action<AkkaConfigurationBuilder>? akka = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new BrrrOptions();
        configure(options);
        services.AddAkka(actorSystemName, builder =>
        {
            akka?.Invoke(builder);
            builder.WithBrrr(options);
        });
        return services.AddBrrrWorkerClient(options.WorkerName);
    }
}
