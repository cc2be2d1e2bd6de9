using Akka.Configuration;

namespace Brrr.Redis.Hosting;

/// <summary>Reads <see cref="RedisBrrrSettings"/> from the HOCON section <c>brrr.redis</c>.</summary>
public static class RedisBrrrHocon
{
    /// <summary>
    /// The settings of a <c>brrr.redis</c> section (pass <c>config.GetConfig("brrr.redis")</c>): each key present
    /// overrides <see cref="RedisBrrrSettings.Default"/>, missing keys keep it (<c>reference.conf</c> of this package
    /// lists the keys).
    /// </summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the HOCON key.</exception>
    public static RedisBrrrSettings Create(Config? section)
    {
        var defaults = RedisBrrrSettings.Default;
        if (section is null || section.IsEmpty)
        {
            return defaults;
        }

        TimeSpan Duration(string key, TimeSpan fallback) => section.HasPath(key) ? section.GetTimeSpan(key, allowInfinite: false) : fallback;

        var settings = defaults with
        {
            Configuration = section.GetString("configuration", defaults.Configuration),
            IoOnThreadPool = section.GetBoolean("io-on-thread-pool", defaults.IoOnThreadPool),
            KeyPrefix = section.GetString("key-prefix", defaults.KeyPrefix),
            Layout = section.HasPath("layout") ? RedisBrrrSettings.ParseLayout(section.GetString("layout")) : defaults.Layout,
            Database = section.GetInt("database", defaults.Database),
            BlockTimeout = Duration("block-timeout", defaults.BlockTimeout),
            HeartbeatInterval = Duration("heartbeat-interval", defaults.HeartbeatInterval),
            HeartbeatTtl = Duration("heartbeat-ttl", defaults.HeartbeatTtl),
            CounterExpiry = Duration("counter-expiry", defaults.CounterExpiry),
            CancelExpiry = Duration("cancel-expiry", defaults.CancelExpiry),
            RedeliveredMarkExpiry = Duration("redelivered-mark-expiry", defaults.RedeliveredMarkExpiry),
            RecoveryInterval = Duration("recovery-interval", defaults.RecoveryInterval),
        };
        settings.Validate(hocon: true);
        return settings;
    }
}
