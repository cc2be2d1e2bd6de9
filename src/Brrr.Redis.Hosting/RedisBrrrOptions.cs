using Akka.Actor;
using Akka.Configuration;
using Akka.DependencyInjection;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Microsoft.Extensions.Logging;

namespace Brrr.Redis.Hosting;

/// <summary>
/// Code-side Redis connection settings for Akka.Hosting. Only the properties set are written as HOCON under
/// <c>brrr.redis</c> (see <see cref="ToConfig"/>); the rest come from the application's HOCON, else the defaults.
/// </summary>
public sealed class RedisBrrrOptions
{
    /// <summary><c>brrr.redis.configuration</c>: a StackExchange.Redis configuration string (hosts, password, ssl...).</summary>
    public string? Configuration { get; set; }

    /// <summary><c>brrr.redis.key-prefix</c>: prefix of every store and bookkeeping key.</summary>
    public string? KeyPrefix { get; set; }

    /// <summary>
    /// <c>brrr.redis.layout</c>: the key names of topic lists and spawn counters that the fleet's reference workers use
    /// (<see cref="RedisLayout.Current"/> by default, see <c>reference.conf</c>).
    /// </summary>
    public RedisLayout? Layout { get; set; }

    /// <summary><c>brrr.redis.database</c>: the Redis database number.</summary>
    public int? Database { get; set; }

    /// <summary><c>brrr.redis.io-on-thread-pool</c>: read replies on the .NET thread pool (default) or on StackExchange.Redis's own threads.</summary>
    public bool? IoOnThreadPool { get; set; }

    /// <summary><c>brrr.redis.counter-expiry</c>: lifetime of a spawn counter.</summary>
    public TimeSpan? CounterExpiry { get; set; }

    /// <summary><c>brrr.redis.cancel-expiry</c>: how long the mark of a cancelled root lives.</summary>
    public TimeSpan? CancelExpiry { get; set; }

    /// <summary><c>brrr.redis.heartbeat-ttl</c>: how long a silent consumer lives before its messages are redelivered.</summary>
    public TimeSpan? HeartbeatTtl { get; set; }

    /// <summary>The HOCON of the properties that are set (and nothing else).</summary>
    public Config ToConfig() => new HoconBuilder()
        .Set("brrr.redis.configuration", Configuration)
        .Set("brrr.redis.key-prefix", KeyPrefix)
        .Set("brrr.redis.layout", Layout is { } layout ? layout.ConfigName() : null)
        .Set("brrr.redis.database", Database)
        .Set("brrr.redis.counter-expiry", CounterExpiry)
        .Set("brrr.redis.heartbeat-ttl", HeartbeatTtl)
        .Set("brrr.redis.cancel-expiry", CancelExpiry)
        .Set("brrr.redis.io-on-thread-pool", IoOnThreadPool)
        .ToConfig();
}

/// <summary>Puts a brrr worker of Akka.Hosting on Redis.</summary>
public static class RedisBrrrHostingExtensions
{
    /// <summary>
    /// Uses Redis for the queue and the spawn-limit cache, and for the store unless <paramref name="store"/> is
    /// false (for example when a DynamoDB store is used). The connection is read from <c>brrr.redis</c> when the
    /// ActorSystem starts (with <paramref name="configure"/>'s settings on top) and closed when it terminates.
    /// The backends log (heartbeat failures, recovered consumers) through the host's <see cref="ILoggerFactory"/>.
    /// </summary>
    public static BrrrOptions UseRedis(this BrrrOptions options, Action<RedisBrrrOptions>? configure = null, bool store = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        var redisOptions = new RedisBrrrOptions();
        configure?.Invoke(redisOptions);
        options.BackendConfig.Add(redisOptions.ToConfig());
        options.BackendSteps.Add(async (system, backends) =>
        {
            var redisConfig = system.Settings.Config.GetConfig(RedisBrrrSettings.Section);
            // Akka.Hosting's own hosted service needs the host's logging, so the factory is always registered.
            var loggerFactory = DependencyResolver.For(system).Resolver.GetService<ILoggerFactory>()
                ?? throw new InvalidOperationException("UseRedis found no ILoggerFactory in the host's services; register logging (services.AddLogging()).");
            var redis = await RedisBrrr.ConnectAsync(RedisBrrrHocon.Create(redisConfig), loggerFactory).ConfigureAwait(false);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "brrr-redis-close", async () =>
            {
                await redis.DisposeAsync().ConfigureAwait(false);
                return global::Akka.Done.Instance;
            });
            return backends with { Queue = redis.Queue, Cache = redis.Cache, Store = store ? redis.Store : backends.Store };
        });
        return options;
    }
}
