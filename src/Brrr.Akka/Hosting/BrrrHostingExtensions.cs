using Akka.DependencyInjection;
using Akka.Hosting;
using Brrr.Tasks;

namespace Brrr.Akka.Hosting;

/// <summary>Akka.Hosting builder methods that embed a brrr worker in a host's ActorSystem.</summary>
public static class BrrrHostingExtensions
{
    /// <summary>Runs a worker serving <paramref name="topic"/> with <paramref name="tasks"/>.</summary>
    /// <param name="builder">The ActorSystem builder.</param>
    /// <param name="topic">The topic to serve.</param>
    /// <param name="tasks">The tasks served there.</param>
    /// <param name="parallelism">Calls of the topic running at once; default from HOCON.</param>
    /// <param name="backends">The backends; default: a <see cref="BrrrBackends"/> from DI, else in-memory.</param>
    public static AkkaConfigurationBuilder WithBrrr(this AkkaConfigurationBuilder builder, string topic, TaskSet tasks, int? parallelism = null, BrrrBackends? backends = null)
    {
        var options = new BrrrOptions { Backends = backends };
        options.AddTopic(topic, tasks, parallelism);
        return builder.WithBrrr(options);
    }

    /// <summary>Runs a worker configured by <paramref name="configure"/>.</summary>
    public static AkkaConfigurationBuilder WithBrrr(this AkkaConfigurationBuilder builder, Action<BrrrOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new BrrrOptions();
        configure(options);
        return builder.WithBrrr(options);
    }

    /// <summary>
    /// Runs a worker with <paramref name="options"/>: their HOCON is prepended, the brrr extension loads with the system,
    /// and the worker starts once the system has. Then the system's workers are registered in Akka.Hosting's
    /// <see cref="ActorRegistry"/> under <see cref="BrrrWorkerKey"/> (once per system), so that
    /// <c>IRequiredActor&lt;BrrrWorkerKey&gt;</c> reaches them from DI.
    /// </summary>
    public static AkkaConfigurationBuilder WithBrrr(this AkkaConfigurationBuilder builder, BrrrOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Topics.Count == 0)
        {
            throw new ArgumentException("BrrrOptions needs at least one topic (AddTopic).", nameof(options));
        }

        builder.AddHocon(options.ToConfig(), HoconAddMode.Prepend);
        builder.AddHocon(BrrrExtension.DefaultConfig, HoconAddMode.Append);

        // Loaded as the system starts, before the host first uses CoordinatedShutdown: so that the runtime sets the
        // timeout of the phase where workers stop (BrrrSettings.ShutdownPhaseTimeout) before the phases are read.
        builder.WithExtensions(typeof(BrrrExtension));
        builder.AddStartup(async (system, registry) =>
        {
            var initial = options.Backends ?? DependencyResolver.For(system).Resolver.GetService<BrrrBackends>() ?? BrrrBackends.InMemory();
            var backends = await options.BuildBackendsAsync(system, initial).ConfigureAwait(false);
            var topics = options.Topics.ToDictionary(t => t.Key, t => t.Value.Tasks, StringComparer.Ordinal);
            var runtime = BrrrExtension.Get(system);
            runtime.StartWorker(backends, topics, options.WorkerName);
            registry.TryRegister<BrrrWorkerKey>(runtime.WorkersActor);
        });
        return builder;
    }
}
