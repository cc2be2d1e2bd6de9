using System.Text;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.DynamoDb;
using Brrr.DynamoDb.Hosting;
using Brrr.Redis;
using Brrr.Redis.Hosting;
using Brrr.Tasks;
using Microsoft.Extensions.Configuration;

namespace Brrr.IntegrationTests;

/// <summary>
/// appsettings (an IConfiguration section), HOCON and code options are three ways to write the same settings: each
/// of them, over the same defaults, gives the same runtime, Redis and DynamoDB settings.
/// </summary>
public sealed class ConfigurationEquivalenceTests
{
    private const string Hocon = """
        brrr {
          spawn-limit = 500
          call-timeout = 2m
          task-attempts = 5
          dead-letter-suffix = ":dlq"
          max-message-bytes = 8KiB
          topic-defaults.parallelism = 8
          topics."fib-topic" { parallelism = 4, prefetch = 2 }
          task-defaults { backoff-jitter = 0.1 }
          tasks."fetch.page" { attempts = 8, attempt-timeout = 1m, non-retryable = ["System.UriFormatException"] }
          redis { configuration = "10.0.0.1:6380,ssl=true", key-prefix = "app:", layout = legacy, heartbeat-ttl = 10s, io-on-thread-pool = off }
          dynamodb { table-name = orders, region = eu-west-1, max-error-retries = 2, request-timeout = 3s, coalesce = off }
        }
        """;

    private const string AppSettings = """
        {
          "Brrr": {
            "SpawnLimit": 500,
            "CallTimeout": "00:02:00",
            "TaskAttempts": 5,
            "DeadLetterSuffix": ":dlq",
            "MaxMessageBytes": "8KiB",
            "TopicDefaults": { "Parallelism": 8 },
            "Topics": { "fib-topic": { "Parallelism": 4, "Prefetch": 2 } },
            "TaskDefaults": { "BackoffJitter": 0.1 },
            "Tasks": { "fetch.page": { "Attempts": 8, "AttemptTimeout": "1m", "NonRetryable": [ "System.UriFormatException" ] } },
            "Redis": { "Configuration": "10.0.0.1:6380,ssl=true", "KeyPrefix": "app:", "Layout": "legacy", "HeartbeatTtl": "00:00:10", "IoOnThreadPool": false },
            "DynamoDb": { "TableName": "orders", "Region": "eu-west-1", "MaxErrorRetries": 2, "RequestTimeout": "3s", "Coalesce": false }
          }
        }
        """;

    private static readonly BrrrTask<int, int> Task = BrrrTask.Create<int, int>("fib", (_, n) => System.Threading.Tasks.Task.FromResult(n));

    [Fact]
    public void Appsettings_hocon_and_code_give_the_same_settings()
    {
        var fromHocon = Read(ConfigurationFactory.ParseString(Hocon));
        var fromAppSettings = Read(new BrrrOptions().Bind(Section(AppSettings)).ToConfig());
        var fromCode = Read(CodeOptions().ToConfig());

        AssertSame(fromHocon, fromAppSettings);
        AssertSame(fromHocon, fromCode);
        Assert.Equal(500, fromHocon.Brrr.SpawnLimit);
        Assert.Equal(RedisLayout.Legacy, fromHocon.Redis.Layout);
        Assert.Equal("orders", fromHocon.Dynamo.TableName);
        Assert.Equal(0.1, fromHocon.Brrr.TaskDefaults.BackoffJitter);
        Assert.Equal(8, fromHocon.Brrr.Tasks["fetch.page"].Attempts);
    }

    [Fact]
    public void Code_wins_over_appsettings_which_wins_over_the_applications_hocon()
    {
        var options = new BrrrOptions { SpawnLimit = 7 }.Bind(Section("""{ "Brrr": { "SpawnLimit": 8, "TaskAttempts": 9 } }"""));
        var application = ConfigurationFactory.ParseString("brrr { spawn-limit = 10, task-attempts = 11, registrars = 3 }");

        var settings = BrrrSettings.Create(options.ToConfig().WithFallback(application).WithFallback(BrrrExtension.DefaultConfig));

        Assert.Equal(7, settings.SpawnLimit);
        Assert.Equal(9, settings.TaskAttempts);
        Assert.Equal(3, settings.Registrars);
    }

    [Fact]
    public void Environment_variables_bind_as_appsettings_do()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Brrr:Redis:KeyPrefix"] = "env:", ["Brrr:spawn-limit"] = "42" })
            .Build().GetSection("Brrr");

        var config = new BrrrOptions().Bind(section).ToConfig().WithFallback(BrrrExtension.DefaultConfig);

        Assert.Equal(42, BrrrSettings.Create(config).SpawnLimit);
        Assert.Equal("env:", RedisBrrrHocon.Create(config.GetConfig(RedisBrrrSettings.Section)).KeyPrefix);
    }

    [Theory]
    [InlineData("""{ "Brrr": { "Spawn Limit": 3 } }""", "Brrr:Spawn Limit")]
    [InlineData("""{ "Brrr": { "Redis": { "key.prefix": "x" } } }""", "Brrr:Redis:key.prefix")]
    public void A_key_that_is_no_setting_name_is_refused_naming_its_path(string json, string path)
    {
        var error = Assert.Throws<FormatException>(() => new BrrrOptions().Bind(Section(json)));

        Assert.StartsWith(path + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_value_from_appsettings_names_its_HOCON_key()
    {
        var config = new BrrrOptions().Bind(Section("""{ "Brrr": { "Redis": { "HeartbeatTtl": "00:00:00.5" } } }""")).ToConfig();

        var error = Assert.Throws<ArgumentException>(() => RedisBrrrHocon.Create(config.GetConfig(RedisBrrrSettings.Section)));

        Assert.StartsWith("brrr.redis.heartbeat-ttl ", error.Message, StringComparison.Ordinal);
    }

    private static BrrrOptions CodeOptions()
    {
        var options = new BrrrOptions
        {
            SpawnLimit = 500,
            CallTimeout = TimeSpan.FromMinutes(2),
            TaskAttempts = 5,
            DeadLetterSuffix = ":dlq",
            MaxMessageBytes = 8 * 1024,
            DefaultParallelism = 8,
            TaskDefaults = new TaskOptions { BackoffJitter = 0.1 },
        };
        options.Tasks["fetch.page"] = new TaskOptions { Attempts = 8, AttemptTimeout = TimeSpan.FromMinutes(1), NonRetryable = ["System.UriFormatException"] };
        options.AddTopic("fib-topic", new TaskSet(Task), parallelism: 4, prefetch: 2);
        options.UseRedis(redis =>
        {
            redis.Configuration = "10.0.0.1:6380,ssl=true";
            redis.KeyPrefix = "app:";
            redis.Layout = RedisLayout.Legacy;
            redis.HeartbeatTtl = TimeSpan.FromSeconds(10);
            redis.IoOnThreadPool = false;
        });
        options.UseDynamoDbStore(dynamo =>
        {
            dynamo.TableName = "orders";
            dynamo.Region = "eu-west-1";
            dynamo.MaxErrorRetries = 2;
            dynamo.RequestTimeout = TimeSpan.FromSeconds(3);
            dynamo.Coalesce = false;
        });
        return options;
    }

    private static string Describe(RetryPolicy policy) =>
        $"{policy.Attempts} {policy.BackoffMin} {policy.BackoffMax} {policy.BackoffMultiplier} {policy.BackoffJitter} {policy.AttemptTimeout} {string.Join(",", policy.NonRetryable.Order(StringComparer.Ordinal))}";

    private static IConfigurationSection Section(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("Brrr");

    private static (BrrrSettings Brrr, RedisBrrrSettings Redis, DynamoDbStoreSettings Dynamo) Read(Config config)
    {
        var full = config.WithFallback(BrrrExtension.DefaultConfig);
        return (BrrrSettings.Create(full), RedisBrrrHocon.Create(full.GetConfig(RedisBrrrSettings.Section)), DynamoDbStoreHocon.Create(full));
    }

    private static void AssertSame(
        (BrrrSettings Brrr, RedisBrrrSettings Redis, DynamoDbStoreSettings Dynamo) expected,
        (BrrrSettings Brrr, RedisBrrrSettings Redis, DynamoDbStoreSettings Dynamo) actual)
    {
        Assert.Equal(
            expected.Brrr with
            {
                Topics = actual.Brrr.Topics,
                Tasks = actual.Brrr.Tasks,
                TaskDefaults = actual.Brrr.TaskDefaults,
                Schedules = actual.Brrr.Schedules,
                TaskRateLimits = actual.Brrr.TaskRateLimits,
            },
            actual.Brrr);
        Assert.Equal(expected.Brrr.Schedules.Keys.Order(StringComparer.Ordinal), actual.Brrr.Schedules.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Brrr.TaskRateLimits.OrderBy(t => t.Key, StringComparer.Ordinal), actual.Brrr.TaskRateLimits.OrderBy(t => t.Key, StringComparer.Ordinal));
        Assert.Equal(Describe(expected.Brrr.TaskDefaults), Describe(actual.Brrr.TaskDefaults));
        Assert.Equal(expected.Brrr.Topics.OrderBy(t => t.Key, StringComparer.Ordinal), actual.Brrr.Topics.OrderBy(t => t.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Brrr.Tasks.Keys.Order(StringComparer.Ordinal), actual.Brrr.Tasks.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, task) in expected.Brrr.Tasks)
        {
            var other = actual.Brrr.Tasks[name];
            Assert.Equal(task with { NonRetryable = null }, other with { NonRetryable = null });
            Assert.Equal(task.NonRetryable, other.NonRetryable);
        }

        Assert.Equal(expected.Redis, actual.Redis);
        Assert.Equal(expected.Dynamo, actual.Dynamo);
    }
}
