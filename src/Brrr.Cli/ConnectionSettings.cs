using Akka.Configuration;
using Brrr.Akka;
using Brrr.DynamoDb;
using Brrr.DynamoDb.Hosting;
using Brrr.Redis;
using Brrr.Redis.Hosting;
using StackExchange.Redis;

namespace Brrr.Cli;

/// <summary>
/// Where <c>brrr</c> connects. Each setting is taken from the first that gives it: an option, then an environment
/// variable, then the <c>--config</c> HOCON file (read as the workers read it), then the defaults. Redis (queue, cache,
/// and the store unless DynamoDB is configured): <c>--redis</c>, <c>BRRR_REDIS_URL</c>, the file's
/// <c>brrr.redis.configuration</c>; the layout: <c>--layout</c>, <c>BRRR_REDIS_LAYOUT</c>, <c>brrr.redis.layout</c>.
/// The store is DynamoDB when <c>AWS_ENDPOINT_URL</c> or <c>AWS_REGION</c> is set or the file's <c>brrr.dynamodb</c>
/// names a <c>table-name</c>, <c>region</c> or <c>service-url</c>; its settings are the file's <c>brrr.dynamodb</c>, over
/// which <c>AWS_ENDPOINT_URL</c>, <c>AWS_REGION</c> and <c>DYNAMODB_TABLE_NAME</c> win (credentials from the AWS chain).
/// The file's <c>brrr.dead-letter-suffix</c> and <c>brrr.spawn-limit</c> are read too.
/// </summary>
/// <param name="RedisUrl">The Redis URL from the option or the environment; <c>null</c> when the file's configuration string is used.</param>
/// <param name="Redis">The Redis settings, with the connection and the layout applied.</param>
/// <param name="Brrr">The brrr settings (dead-letter suffix, spawn limit).</param>
/// <param name="DynamoDb">The DynamoDB store's settings, or <c>null</c> when the store is Redis.</param>
public sealed record ConnectionSettings(RedisUrl? RedisUrl, RedisBrrrSettings Redis, BrrrSettings Brrr, DynamoDbStoreSettings? DynamoDb)
{
    /// <summary>The environment variable of the Redis URL.</summary>
    public const string RedisUrlVariable = "BRRR_REDIS_URL";

    /// <summary>The environment variable of the Redis layout.</summary>
    public const string LayoutVariable = "BRRR_REDIS_LAYOUT";

    private const string RedisConfigurationKey = RedisBrrrSettings.Section + ".configuration";

    /// <summary>The Redis server(s), for messages: the URL, or the configuration string, without the password.</summary>
    public string RedisTarget => RedisUrl?.ToString() ?? ConfigurationOptions.Parse(Redis.Configuration).ToString(includePassword: false);

    /// <summary>Resolves the settings; <paramref name="environment"/> reads a variable (null when unset).</summary>
    /// <exception cref="UsageException">No Redis to talk to, a bad URL, layout or DynamoDB variable, or an unreadable or invalid --config.</exception>
    public static ConnectionSettings Resolve(string? redisUrl, string? layout, string? configFile, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var file = LoadConfig(configFile);
        RedisUrl? url = null;
        if (First(redisUrl, environment(RedisUrlVariable)) is { } urlText)
        {
            try
            {
                url = RedisUrl.Parse(urlText);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
        }
        else if (!file.HasPath(RedisConfigurationKey))
        {
            throw new UsageException($"no Redis to talk to: pass --redis redis://host:6379, set {RedisUrlVariable}, or give --config a file with {RedisConfigurationKey}");
        }

        var config = file.WithFallback(BrrrExtension.DefaultConfig);
        try
        {
            var redis = RedisBrrrHocon.Create(config.GetConfig(RedisBrrrSettings.Section));
            if (url is not null)
            {
                redis = redis with { Configuration = url.Configuration };
            }

            if (First(layout, environment(LayoutVariable)) is { } l)
            {
                redis = redis with { Layout = RedisBrrrSettings.ParseLayout(l) };
            }

            return new ConnectionSettings(url, redis, BrrrSettings.Create(config), DynamoDbOf(file, environment));
        }
        catch (Exception e) when (e is ArgumentException or ConfigurationException or FormatException)
        {
            throw new UsageException((configFile is null ? "" : $"--config {configFile}: ") + e.Message);
        }
    }

    private static DynamoDbStoreSettings? DynamoDbOf(Config file, Func<string, string?> environment)
    {
        var endpoint = First(environment("AWS_ENDPOINT_URL"), null);
        var region = First(environment("AWS_REGION"), null);
        var table = First(environment("DYNAMODB_TABLE_NAME"), null);
        var named = new[] { "table-name", "region", "service-url" }.Any(key => file.HasPath($"{DynamoDbStoreSettings.ConfigPath}.{key}"));
        if (endpoint is null && region is null && !named)
        {
            return null;
        }

        var settings = DynamoDbStoreHocon.Create(file);
        if (endpoint is not null)
        {
            settings = settings with
            {
                ServiceUrl = Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri : throw new UsageException($"AWS_ENDPOINT_URL is no absolute URL: {endpoint}"),
            };
        }

        return settings with { Region = region ?? settings.Region, TableName = table ?? settings.TableName };
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
