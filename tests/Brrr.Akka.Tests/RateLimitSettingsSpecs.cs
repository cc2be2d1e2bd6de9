using Akka.Configuration;
using Brrr.Akka.Hosting;
using Brrr.Backends;
using Microsoft.Extensions.Configuration;

namespace Brrr.Akka.Tests;

/// <summary>brrr.topics."t".rate-limit and brrr.tasks."name".rate-limit: parsed, validated, and written by options and appsettings.</summary>
public sealed class RateLimitSettingsSpecs
{
    private static BrrrSettings Parse(string hocon) => BrrrSettings.Create(ConfigurationFactory.ParseString(hocon));

    [Theory]
    [InlineData("100/s", 100, 1, 1)]
    [InlineData("20/min", 20, 60, 1)]
    [InlineData("500/h burst 10", 500, 3600, 10)]
    public void A_rate_is_n_per_second_minute_or_hour_with_an_optional_burst(string text, long count, int perSeconds, int burst)
    {
        var limit = RateLimit.Parse(text);

        Assert.Equal(new RateLimit(count, TimeSpan.FromSeconds(perSeconds), burst), limit);
        Assert.Equal(text, limit.ToString());
    }

    [Fact]
    public void Topics_and_tasks_have_no_limit_by_default_and_read_their_own()
    {
        var settings = Parse("""
            brrr.topics.fib { rate-limit = "50/s" }
            brrr.tasks."fetch.page" { rate-limit = "20/min burst 5", attempts = 3 }
            """);

        Assert.Null(settings.TopicDefaults.RateLimit);
        Assert.Equal(RateLimit.Parse("50/s"), settings.ForTopic("fib").RateLimit);
        Assert.Null(settings.ForTopic("other").RateLimit);
        Assert.Equal(RateLimit.Parse("20/min burst 5"), Assert.Single(settings.TaskRateLimits, l => l.Key == "fetch.page").Value);
        Assert.Equal(3, settings.Tasks["fetch.page"].Attempts);
    }

    [Theory]
    [InlineData("brrr.topics.fib.rate-limit = \"50/d\"", "brrr.topics.\"fib\".rate-limit")]
    [InlineData("brrr.topics.fib.rate-limit = \"0/s\"", "brrr.topics.\"fib\".rate-limit")]
    [InlineData("brrr.topic-defaults.rate-limit = fast", "brrr.topic-defaults.rate-limit")]
    [InlineData("brrr.tasks.x.rate-limit = \"5/s burst 0\"", "brrr.tasks.\"x\".rate-limit")]
    [InlineData("brrr.task-defaults.rate-limit = \"5/s\"", "brrr.task-defaults.rate-limit")]
    public void A_bad_rate_limit_is_an_error_naming_its_key(string hocon, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse(hocon));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_and_appsettings_write_the_same_limits()
    {
        var options = new BrrrOptions();
        options.Topics["fib"] = new BrrrTopicOptions { Tasks = new Tasks.TaskSet(), RateLimit = RateLimit.Parse("50/s") };
        options.TaskRateLimits["fetch"] = RateLimit.Parse("20/min burst 5");
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Brrr:Topics:fib:RateLimit"] = "50/s", ["Brrr:Tasks:fetch:rate-limit"] = "20/min burst 5" })
            .Build().GetSection("Brrr");

        foreach (var settings in new[] { BrrrSettings.Create(options.ToConfig()), BrrrSettings.Create(new BrrrOptions().Bind(section).ToConfig()) })
        {
            Assert.Equal(RateLimit.Parse("50/s"), settings.ForTopic("fib").RateLimit);
            Assert.Equal(RateLimit.Parse("20/min burst 5"), settings.TaskRateLimits["fetch"]);
        }
    }

    [Fact]
    public async Task The_in_memory_limiter_reserves_starts_one_interval_apart_and_admits_a_reservation_once()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        IRateLimiter limiter = new InMemoryCache(time);
        RateLimitScope[] scopes = [new("topic:t", RateLimit.Parse("4/s"))];

        Assert.Equal(TimeSpan.Zero, await limiter.AcquireAsync(scopes, "a"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), await limiter.AcquireAsync(scopes, "b"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), await limiter.AcquireAsync(scopes, "c"));
        time.Now += TimeSpan.FromMilliseconds(600);

        // The calls that come back after their reservations start at once; a new one queues behind them.
        Assert.Equal(TimeSpan.Zero, await limiter.AcquireAsync(scopes, "c"));
        Assert.Equal(TimeSpan.Zero, await limiter.AcquireAsync(scopes, "b"));
        Assert.Equal(TimeSpan.FromMilliseconds(150), await limiter.AcquireAsync(scopes, "d"));
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
