using Akka.Configuration;
using Brrr.Redis.Hosting;

namespace Brrr.Redis.Tests;

public sealed class RedisBrrrSettingsTests
{
    [Fact]
    public void The_defaults_are_a_local_Redis_with_the_current_layout()
    {
        var defaults = RedisBrrrSettings.Default;
        Assert.Equal("localhost:6379", defaults.Configuration);
        Assert.Equal("brrr:", defaults.KeyPrefix);
        Assert.Equal(-1, defaults.Database);
        Assert.Equal(TimeSpan.FromHours(24), defaults.CounterExpiry);
        Assert.Equal(TimeSpan.FromSeconds(2), defaults.BlockTimeout);
        Assert.True(defaults.IoOnThreadPool);
        Assert.Equal(RedisLayout.Current, defaults.Layout);
        Assert.True(defaults.HeartbeatTtl > defaults.HeartbeatInterval);
    }

    [Fact]
    public void The_default_liveness_gives_a_dead_consumers_messages_back_within_seconds_and_tolerates_four_missed_beats()
    {
        var defaults = RedisBrrrSettings.Default;
        Assert.True(defaults.HeartbeatTtl + defaults.RecoveryInterval <= TimeSpan.FromSeconds(10), $"a killed worker's messages come back only after {defaults.HeartbeatTtl + defaults.RecoveryInterval}");
        Assert.True(defaults.HeartbeatTtl >= 5 * defaults.HeartbeatInterval, $"only {defaults.HeartbeatTtl / defaults.HeartbeatInterval} beats fit in the time to live");
    }

    [Fact]
    public void Every_key_documented_in_reference_conf_shows_its_default()
    {
        using var stream = typeof(RedisBrrrHocon).Assembly.GetManifestResourceStream("Brrr.Redis.Hosting.reference.conf")!;
        using var reader = new StreamReader(stream);
        var documented = ConfigurationFactory.ParseString(reader.ReadToEnd().Replace("#: ", "", StringComparison.Ordinal));
        var section = documented.GetConfig(RedisBrrrSettings.Section);

        Assert.Equal(12, section.AsEnumerable().Count());
        Assert.Equal(RedisBrrrSettings.Default, RedisBrrrHocon.Create(section));
        Assert.NotEqual(RedisBrrrSettings.Default, RedisBrrrHocon.Create(ConfigurationFactory.ParseString("block-timeout = 3s")));
    }

    [Fact]
    public void Settings_read_from_HOCON_override_only_the_keys_given()
    {
        var config = ConfigurationFactory.ParseString("""
            configuration = "redis.example:6380,password=secret"
            key-prefix = "app:"
            heartbeat-ttl = 45s
            counter-expiry = 2h
            io-on-thread-pool = off
            """);
        var settings = RedisBrrrHocon.Create(config);
        Assert.Equal("redis.example:6380,password=secret", settings.Configuration);
        Assert.Equal("app:", settings.KeyPrefix);
        Assert.Equal(TimeSpan.FromSeconds(45), settings.HeartbeatTtl);
        Assert.Equal(TimeSpan.FromHours(2), settings.CounterExpiry);
        Assert.False(settings.IoOnThreadPool);
        Assert.Equal(RedisBrrrSettings.Default.HeartbeatInterval, settings.HeartbeatInterval);
    }

    [Theory]
    [InlineData("heartbeat-ttl = 1s\nheartbeat-interval = 2s", "brrr.redis.heartbeat-ttl")]
    [InlineData("heartbeat-ttl = 3s\nheartbeat-interval = 2s", "brrr.redis.heartbeat-ttl")]
    [InlineData("block-timeout = 0s", "brrr.redis.block-timeout")]
    [InlineData("database = -2", "brrr.redis.database")]
    [InlineData("configuration = \"\"", "brrr.redis.configuration")]
    [InlineData("key-prefix = \"{x}\"", "brrr.redis.key-prefix")]
    [InlineData("layout = newest", "brrr.redis.layout")]
    public void A_bad_HOCON_value_is_refused_naming_its_key(string hocon, string key)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisBrrrHocon.Create(ConfigurationFactory.ParseString(hocon)));
        Assert.StartsWith(key + " ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("current", RedisLayout.Current)]
    [InlineData("legacy", RedisLayout.Legacy)]
    [InlineData("Legacy", RedisLayout.Legacy)]
    public void The_layout_is_read_from_HOCON(string value, RedisLayout layout)
    {
        Assert.Equal(layout, RedisBrrrHocon.Create(ConfigurationFactory.ParseString($"layout = {value}")).Layout);
    }

    [Fact]
    public void A_bad_layout_names_both_layouts_and_the_reference_releases_they_match()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisBrrrSettings.ParseLayout("brrr/messages"));
        Assert.Contains("\"current\" (brrr/messages/<topic>, brrr/count/<root_id>", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"legacy\" (the bare topic name, brrr_count/<root_id>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_value_set_in_code_is_refused_naming_its_property()
    {
        var settings = RedisBrrrSettings.Default with { RecoveryInterval = TimeSpan.Zero };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RedisBrrr.ConnectAsync(settings));
        Assert.Contains("RedisBrrrSettings.RecoveryInterval", error.Message, StringComparison.Ordinal);
    }
}
