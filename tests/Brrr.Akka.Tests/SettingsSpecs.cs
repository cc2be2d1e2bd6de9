using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.Contracts;
using Brrr.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Brrr.Akka.Tests;

public sealed class SettingsSpecs
{
    [Fact]
    public void Hosting_options_and_the_same_hocon_give_the_same_settings()
    {
        var options = new BrrrOptions
        {
            SpawnLimit = 100,
            PollTimeout = TimeSpan.FromSeconds(2),
            ShutdownTimeout = TimeSpan.FromSeconds(3),
            CallTimeout = TimeSpan.FromMinutes(1),
            TaskAttempts = 5,
            CancelCheckInterval = TimeSpan.FromMilliseconds(250),
            DeadLetterSuffix = ".failed",
            ValueCacheSize = 7,
            MaxMessageBytes = 2048,
            MaxRecordBytes = 100_000,
            MaxValueBytes = 300_000,
            Dispatcher = "my-dispatcher",
            Registrars = 4,
            Returners = 5,
            DefaultParallelism = 3,
            DefaultPrefetch = 0,
            DelayedPollInterval = TimeSpan.FromMilliseconds(250),
            DelayedBatchSize = 7,
        };
        options.AddTopic("brrr.cs-demo", new TaskSet(), parallelism: 7, prefetch: 2);
        options.AddTopic("plain", new TaskSet(), parallelism: 9);

        var fromOptions = BrrrSettings.Create(options.ToConfig());
        var fromHocon = BrrrSettings.Create(ConfigurationFactory.ParseString("""
            brrr {
              spawn-limit = 100
              poll-timeout = 2s
              shutdown-timeout = 3s
              call-timeout = 1m
              task-attempts = 5
              cancel-check-interval = 250ms
              dead-letter-suffix = ".failed"
              value-cache-size = 7
              max-message-bytes = 2KiB
              max-record-bytes = 100000
              max-value-bytes = 300000
              dispatcher = my-dispatcher
              registrars = 4
              returners = 5
              topic-defaults { parallelism = 3, prefetch = 0 }
              delayed { poll-interval = 250ms, batch-size = 7 }
              topics {
                "brrr.cs-demo" { parallelism = 7, prefetch = 2 }
                plain { parallelism = 9 }
              }
            }
            """));

        Assert.Equal(Describe(fromHocon), Describe(fromOptions));
        Assert.Equal(new BrrrLimits { MaxMessageBytes = 2048, MaxRecordBytes = 100_000, MaxValueBytes = 300_000 }, fromHocon.Limits);
        Assert.Equal(new TopicSettings(7, 2), fromOptions.ForTopic("brrr.cs-demo"));
        Assert.Equal(new TopicSettings(9, 0), fromOptions.ForTopic("plain"));
        Assert.Equal(new TopicSettings(3, 0), fromOptions.ForTopic("unlisted"));
    }

    [Fact]
    public void The_delayed_settings_default_to_a_one_second_poll_and_batches_of_100_and_bind_from_appsettings()
    {
        var defaults = BrrrSettings.Create(ConfigurationFactory.Empty);
        Assert.Equal((TimeSpan.FromSeconds(1), 100), (defaults.DelayedPollInterval, defaults.DelayedBatchSize));

        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Brrr:Delayed:PollInterval"] = "250ms", ["Brrr:Delayed:batch-size"] = "7" })
            .Build().GetSection("Brrr");
        var bound = BrrrSettings.Create(new BrrrOptions().Bind(section).ToConfig());
        Assert.Equal((TimeSpan.FromMilliseconds(250), 7), (bound.DelayedPollInterval, bound.DelayedBatchSize));

        var zero = Assert.Throws<ConfigurationException>(() => BrrrSettings.Create(ConfigurationFactory.ParseString("brrr.delayed.poll-interval = 0s")));
        Assert.Contains("brrr.delayed.poll-interval", zero.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_size_limits_default_to_4KiB_messages_and_256KiB_records_and_values()
    {
        Assert.Equal(BrrrLimits.Default, BrrrSettings.Create(ConfigurationFactory.Empty).Limits);
    }

    [Fact]
    public void Options_write_only_what_is_set()
    {
        var config = new BrrrOptions { SpawnLimit = 5 }.ToConfig();
        Assert.Equal(5, config.GetLong("brrr.spawn-limit"));
        Assert.False(config.HasPath("brrr.poll-timeout"));
        Assert.Equal(Describe(BrrrSettings.Create(ConfigurationFactory.Empty) with { SpawnLimit = 5 }), Describe(BrrrSettings.Create(config)));
    }

    [Theory]
    [InlineData("brrr.topic-defaults.parallelism = 0", "brrr.topic-defaults.parallelism must be >= 1, got 0")]
    [InlineData("brrr.spawn-limit = 0", "brrr.spawn-limit must be >= 1, got 0")]
    [InlineData("brrr.topics.t.prefetch = -1", "brrr.topics.\"t\".prefetch must be >= 0, got -1")]
    [InlineData("brrr.poll-timeout = 0s", "brrr.poll-timeout must be > 0")]
    [InlineData("brrr.registrars = 0", "brrr.registrars must be >= 1, got 0")]
    [InlineData("brrr.task-attempts = 0", "brrr.task-attempts must be >= 1, got 0")]
    [InlineData("brrr.dispatcher = \"\"", "brrr.dispatcher must name a dispatcher")]
    [InlineData("brrr.effects = later", "brrr.effects must be auto, actors or inline, got 'later'")]
    [InlineData("brrr.value-cache-size = -1", "brrr.value-cache-size must be >= 0, got -1")]
    [InlineData("brrr.max-message-bytes = 1000", "brrr.max-message-bytes must be between 1024 bytes and 2 GiB, got 1000")]
    [InlineData("brrr.max-value-bytes = 4GiB", "brrr.max-value-bytes must be between 1024 bytes and 2 GiB, got 4294967296")]
    public void A_bad_key_is_named_in_the_error(string hocon, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => BrrrSettings.Create(ConfigurationFactory.ParseString(hocon)));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_example_config_in_hocon_is_valid()
    {
        var example = Path.Combine(Contracts.RepositoryRoot.Find(), "hocon", "brrr.conf");
        var settings = BrrrSettings.Create(ConfigurationFactory.ParseString(File.ReadAllText(example)));
        Assert.Equal(new TopicSettings(128, 4), settings.ForTopic("brrr-cs-demo"));
        Assert.Equal(new TopicSettings(64, 1), settings.TopicDefaults);
        Assert.Equal((3, ":dead-letters"), (settings.TaskAttempts, settings.DeadLetterSuffix));
    }

    [Fact]
    public async Task A_worker_embedded_with_Akka_Hosting_serves_its_topic()
    {
        var bar = BrrrTask.Create<int, int>("bar", (_, a) => Task.FromResult(a == 123 ? 456 : -1));
        var foo = BrrrTask.Create<int, int>("foo", async (ctx, a) => await ctx.Call(bar, a + 1) + 1);
        var backends = BrrrBackends.InMemory();
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("hosted", builder => builder
                .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                .WithBrrr("t", new TaskSet(foo, bar), parallelism: 3, backends: backends)))
            .Build();
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var worker = Assert.Single(BrrrExtension.Get(system).Workers);
            Assert.Equal(3, worker.Settings.ForTopic("t").Parallelism);
            Assert.Equal(worker.Settings.ShutdownPhaseTimeout, CoordinatedShutdown.Get(system).Timeout(CoordinatedShutdown.PhaseServiceUnbind));

            await backends.CreateClient().ScheduleAsync(foo, 122, "t");
            var result = ReadResult<int>.NotFound;
            await Eventually.HoldsAsync(async () => (result = await backends.CreateClient().ReadAsync(foo, 122)).Found, "foo(122) is computed", TimeSpan.FromSeconds(20));

            Assert.Equal(457, result.Value);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static string Describe(BrrrSettings s) =>
        $"{s.SpawnLimit} {s.PollTimeout} {s.ShutdownTimeout} {s.CallTimeout} {s.TaskAttempts} {s.CancelCheckInterval} {s.DeadLetterSuffix} {s.ValueCacheSize} {s.Limits} {s.Dispatcher} {s.Registrars} {s.Returners} {s.TopicDefaults} {s.DelayedPollInterval} {s.DelayedBatchSize} "
        + string.Join(";", s.Topics.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
}
