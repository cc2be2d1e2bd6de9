using Brrr.Akka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brrr.AspNetCore;

/// <summary>Registers <see cref="BrrrHealthCheck"/> with Microsoft.Extensions.Diagnostics.HealthChecks.</summary>
public static class BrrrHealthChecksBuilderExtensions
{
    /// <summary>The default registration name.</summary>
    public const string DefaultName = "brrr";

    /// <summary>Adds the health of <paramref name="worker"/>: its topic streams, its backends and its topics' dead letters.</summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="worker">The worker.</param>
    /// <param name="configure">Changes the defaults of <see cref="BrrrHealthCheckOptions"/>.</param>
    /// <param name="name">The registration name.</param>
    /// <param name="tags">Tags, to filter checks per endpoint.</param>
    public static IHealthChecksBuilder AddBrrrHealthChecks(
        this IHealthChecksBuilder builder, BrrrWorker worker, Action<BrrrHealthCheckOptions>? configure = null, string name = DefaultName, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return Add(builder, worker.Backends, worker, configure, name, tags);
    }

    /// <summary>
    /// Adds the health of <paramref name="backends"/> for a process without a worker (a web front that schedules and
    /// reads): the queue and store answer, and the dead letters of <see cref="BrrrHealthCheckOptions.Topics"/> do not grow.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="backends">The backends.</param>
    /// <param name="configure">Changes the defaults of <see cref="BrrrHealthCheckOptions"/>.</param>
    /// <param name="name">The registration name.</param>
    /// <param name="tags">Tags, to filter checks per endpoint.</param>
    public static IHealthChecksBuilder AddBrrrHealthChecks(
        this IHealthChecksBuilder builder, BrrrBackends backends, Action<BrrrHealthCheckOptions>? configure = null, string name = DefaultName, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        return Add(builder, backends, null, configure, name, tags);
    }

    private static IHealthChecksBuilder Add(
        IHealthChecksBuilder builder, BrrrBackends backends, BrrrWorker? worker, Action<BrrrHealthCheckOptions>? configure, string name, IEnumerable<string>? tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = new BrrrHealthCheckOptions();
        configure?.Invoke(options);
        // One instance per registration: it remembers the dead-letter counts between probes.
        var check = new BrrrHealthCheck(backends, worker, options);
        return builder.Add(new HealthCheckRegistration(name, _ => check, HealthStatus.Unhealthy, tags));
    }
}
