using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Brrr;

/// <summary>Registers a brrr client in a service collection.</summary>
public static class BrrrServiceCollectionExtensions
{
    /// <summary>
    /// Registers the singleton <see cref="IBrrrClient"/> that <paramref name="factory"/> makes on first use, for
    /// example <c>sp =&gt; new BrrrClient(store, cache, queue)</c> in a process that only schedules and reads. A second
    /// registration does not replace the first.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="factory">Makes the client.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddBrrrClient(this IServiceCollection services, Func<IServiceProvider, IBrrrClient> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.TryAddSingleton(factory);
        return services;
    }
}
