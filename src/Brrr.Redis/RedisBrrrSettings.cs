using System.Globalization;

namespace Brrr.Redis;

/// <summary>
/// Immutable settings of the Redis backends, with their defaults (the one place they are written: the HOCON section
/// <c>brrr.redis</c> of Brrr.Redis.Hosting and the <c>Brrr:Redis</c> configuration section only override them). Build
/// them from code with <c>RedisBrrrSettings.Default with { Configuration = "redis:6379" }</c>; each property names the
/// HOCON key that sets it.
/// </summary>
public sealed record RedisBrrrSettings
{
    /// <summary>The HOCON path of the section that overrides these settings (Brrr.Redis.Hosting reads it).</summary>
    public const string Section = "brrr.redis";

    private RedisBrrrSettings()
    {
    }

    /// <summary>The defaults: a local Redis on port 6379, the current layout, 5 s heartbeats.</summary>
    public static RedisBrrrSettings Default { get; } = new();

    /// <summary>The StackExchange.Redis configuration string (e.g. <c>"host:6379,password=..."</c>); abortConnect is forced to false.</summary>
    public string Configuration { get; init; } = "localhost:6379";

    /// <summary>
    /// Whether the connections read replies on the .NET thread pool (StackExchange.Redis's <c>SocketManager.ThreadPool</c>):
    /// one thread hop less per command; turn off when handlers block thread-pool threads.
    /// </summary>
    public bool IoOnThreadPool { get; init; } = true;

    /// <summary>Prefix of store keys (<c>&lt;prefix&gt;{&lt;call_hash&gt;}:&lt;type&gt;</c>) and of the queue's bookkeeping keys.</summary>
    public string KeyPrefix { get; init; } = "brrr:";

    /// <summary>
    /// The key names of topic lists and spawn counters, shared with the reference workers (PROTOCOL.md §4):
    /// <see cref="RedisLayout.Current"/> (<c>brrr/messages/&lt;topic&gt;</c>, <c>brrr/count/&lt;root_id&gt;</c>) or
    /// <see cref="RedisLayout.Legacy"/> (the bare topic name, <c>brrr_count/&lt;root_id&gt;</c>). Every worker of a fleet
    /// must use the same one. The default (<c>brrr.redis.layout</c> in <c>reference.conf</c>) is current.
    /// </summary>
    public RedisLayout Layout { get; init; } = RedisLayout.Current;

    /// <summary>The Redis database number; -1 uses the configuration string's default database.</summary>
    public int Database { get; init; } = -1;

    /// <summary>Longest single blocking pop; a receive with a longer timeout blocks in slices of this length.</summary>
    public TimeSpan BlockTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a consumer refreshes its heartbeat key.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Time to live of a consumer's heartbeat key (at least twice <see cref="HeartbeatInterval"/>): a consumer silent this long is dead and its messages are redelivered.</summary>
    public TimeSpan HeartbeatTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Expiry set on a spawn counter when it is created.</summary>
    public TimeSpan CounterExpiry { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Expiry of a root's cancel mark (<c>brrr.redis.cancel-expiry</c>): how long its jobs are still skipped after a cancel.</summary>
    public TimeSpan CancelExpiry { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Lifetime of a topic's redelivery marks after the last one was set; marks of messages taken by consumers that
    /// do not read them (Python, TypeScript) would otherwise stay forever.
    /// </summary>
    public TimeSpan RedeliveredMarkExpiry { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How often each consumer looks for dead consumers of its topic.</summary>
    public TimeSpan RecoveryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Reads a layout name as HOCON and the demo's environment spell it: <c>current</c> or <c>legacy</c>, any case.</summary>
    /// <exception cref="ArgumentException">Another value; the message names the key and the two values.</exception>
    public static RedisLayout ParseLayout(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "current" => RedisLayout.Current,
        "legacy" => RedisLayout.Legacy,
        _ => throw new ArgumentException($"{Section}.layout must be \"current\" (brrr/messages/<topic>, brrr/count/<root_id>: reference workers since 2026-03) or \"legacy\" (the bare topic name, brrr_count/<root_id>: earlier releases); got \"{value}\"."),
    };

    /// <summary>Puts the connection's I/O where <see cref="IoOnThreadPool"/> says.</summary>
    internal void ApplyIoTo(StackExchange.Redis.ConfigurationOptions options)
    {
        if (IoOnThreadPool)
        {
            options.SocketManager = StackExchange.Redis.SocketManager.ThreadPool;
        }
    }

    /// <summary>Throws when a value is out of range, naming the property (or the HOCON key).</summary>
    internal void Validate(bool hocon = false)
    {
        string Name(string property, string key) => hocon ? $"{Section}.{key}" : $"{nameof(RedisBrrrSettings)}.{property}";

        if (string.IsNullOrWhiteSpace(Configuration))
        {
            throw new ArgumentException($"{Name(nameof(Configuration), "configuration")} must name a Redis server, e.g. \"localhost:6379\"; got an empty string.");
        }

        if (KeyPrefix is null)
        {
            throw new ArgumentException($"{Name(nameof(KeyPrefix), "key-prefix")} must not be null (use \"\" for no prefix).");
        }

        if (KeyPrefix.Contains('{', StringComparison.Ordinal) || KeyPrefix.Contains('}', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{Name(nameof(KeyPrefix), "key-prefix")} must not contain '{{' or '}}' (they would change the keys' cluster hash tags); got \"{KeyPrefix}\".");
        }

        if (!Enum.IsDefined(Layout))
        {
            throw new ArgumentException($"{Name(nameof(Layout), "layout")} must be current or legacy, got {(int)Layout}.");
        }

        if (Database < -1)
        {
            throw new ArgumentException($"{Name(nameof(Database), "database")} must be >= -1, got {Database}.");
        }

        RequireAtLeast(BlockTimeout, TimeSpan.FromMilliseconds(10), Name(nameof(BlockTimeout), "block-timeout"));
        RequireAtLeast(HeartbeatInterval, TimeSpan.FromMilliseconds(10), Name(nameof(HeartbeatInterval), "heartbeat-interval"));
        RequireAtLeast(HeartbeatTtl, TimeSpan.FromMilliseconds(1), Name(nameof(HeartbeatTtl), "heartbeat-ttl"));
        RequireAtLeast(CounterExpiry, TimeSpan.FromSeconds(1), Name(nameof(CounterExpiry), "counter-expiry"));
        RequireAtLeast(CancelExpiry, TimeSpan.FromSeconds(1), Name(nameof(CancelExpiry), "cancel-expiry"));
        RequireAtLeast(RedeliveredMarkExpiry, TimeSpan.FromSeconds(1), Name(nameof(RedeliveredMarkExpiry), "redelivered-mark-expiry"));
        RequireAtLeast(RecoveryInterval, TimeSpan.FromMilliseconds(10), Name(nameof(RecoveryInterval), "recovery-interval"));
        if (HeartbeatTtl < 2 * HeartbeatInterval)
        {
            throw new ArgumentException($"{Name(nameof(HeartbeatTtl), "heartbeat-ttl")} must be at least twice {Name(nameof(HeartbeatInterval), "heartbeat-interval")} ({Format(HeartbeatInterval)}), got {Format(HeartbeatTtl)}: one late beat would make a live consumer look dead.");
        }
    }

    private static void RequireAtLeast(TimeSpan value, TimeSpan minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentException($"{name} must be at least {Format(minimum)}, got {Format(value)}.");
        }
    }

    private static string Format(TimeSpan value) => value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
}
