using Akka.Configuration;
using Brrr.Akka;
using Brrr.Redis;
using Brrr.Redis.Hosting;

namespace Brrr.Cli;

/// <summary>
/// Where <c>brrr</c> connects, from its options over the environment: <c>--redis</c> or <c>BRRR_REDIS_URL</c> (queue,
/// cache, and the store unless DynamoDB is configured), <c>--layout</c> or <c>BRRR_REDIS_LAYOUT</c>, the DynamoDB store
/// when <c>AWS_ENDPOINT_URL</c> or <c>AWS_REGION</c> is set (table <c>DYNAMODB_TABLE_NAME</c>, default brrr; credentials from
/// the AWS chain), and <c>--config</c>: a HOCON file whose <c>brrr</c> section (<c>brrr.redis</c>, <c>brrr.dead-letter-suffix</c>,
/// <c>brrr.spawn-limit</c>) is read over the defaults, as the workers read it.
/// </summary>
/// <param name="RedisUrl">The Redis URL (its password is never printed).</param>
/// <param name="Redis">The Redis settings, with the URL's configuration and the layout applied.</param>
/// <param name="Brrr">The brrr settings (dead-letter suffix, spawn limit).</param>
/// <param name="UseDynamoDb">Whether the store is DynamoDB.</param>
public sealed record ConnectionSettings(RedisUrl RedisUrl, RedisBrrrSettings Redis, BrrrSettings Brrr, bool UseDynamoDb)
{
    /// <summary>The environment variable of the Redis URL.</summary>
    public const string RedisUrlVariable = "BRRR_REDIS_URL";

    /// <summary>The environment variable of the Redis layout.</summary>
    public const string LayoutVariable = "BRRR_REDIS_LAYOUT";

    /// <summary>Resolves the settings; <paramref name="environment"/> reads a variable (null when unset).</summary>
    /// <exception cref="UsageException">No Redis URL, a bad URL or layout, or an unreadable or invalid --config.</exception>
    public static ConnectionSettings Resolve(string? redisUrl, string? layout, string? configFile, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var urlText = First(redisUrl, environment(RedisUrlVariable))
            ?? throw new UsageException($"no Redis to talk to: pass --redis redis://host:6379 or set {RedisUrlVariable}");
        RedisUrl url;
        try
        {
            url = RedisUrl.Parse(urlText);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        var config = LoadConfig(configFile).WithFallback(BrrrExtension.DefaultConfig);
        try
        {
            var redis = RedisBrrrHocon.Create(config.GetConfig(RedisBrrrSettings.Section)) with { Configuration = url.Configuration };
            if (First(layout, environment(LayoutVariable)) is { } l)
            {
                redis = redis with { Layout = RedisBrrrSettings.ParseLayout(l) };
            }

            var brrr = BrrrSettings.Create(config);
            var dynamo = First(environment("AWS_ENDPOINT_URL"), environment("AWS_REGION")) is not null;
            return new ConnectionSettings(url, redis, brrr, dynamo);
        }
        catch (Exception e) when (e is ArgumentException or ConfigurationException or FormatException)
        {
            throw new UsageException((configFile is null ? "" : $"--config {configFile}: ") + e.Message);
        }
    }

    private static Config LoadConfig(string? file)
    {
        if (file is null)
        {
            return ConfigurationFactory.ParseString("brrr {}");
        }

        try
        {
            return ConfigurationFactory.ParseString(File.ReadAllText(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read --config {file}: {e.Message}");
        }
        catch (Exception e) when (e is ConfigurationException or FormatException)
        {
            throw new UsageException($"--config {file} is no valid HOCON: {e.Message}");
        }
    }

    private static string? First(string? a, string? b) =>
        !string.IsNullOrWhiteSpace(a) ? a : !string.IsNullOrWhiteSpace(b) ? b : null;
}
