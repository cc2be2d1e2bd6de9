using Akka.Configuration;
using Amazon.Runtime;

namespace Brrr.Sqs.Hosting;

/// <summary>Reads <see cref="SqsQueueSettings"/> from the HOCON section <c>brrr.sqs</c>.</summary>
public static class SqsQueueHocon
{
    /// <summary>
    /// The settings of the <c>brrr.sqs</c> section of <paramref name="config"/>: each key present overrides
    /// <see cref="SqsQueueSettings.Default"/>, missing keys keep it (<c>reference.conf</c> of this package lists the keys).
    /// </summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the HOCON key.</exception>
    public static SqsQueueSettings Create(Config? config)
    {
        var defaults = SqsQueueSettings.Default;
        var section = config?.GetConfig(SqsQueueSettings.ConfigPath);
        if (section is null || section.IsEmpty)
        {
            return defaults;
        }

        T Read<T>(string key, Func<T> read, T fallback)
        {
            try
            {
                return section.HasPath(key) ? read() : fallback;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or ConfigurationException)
            {
                throw new ArgumentException($"{SqsQueueSettings.ConfigPath}.{key}: {e.Message}", e);
            }
        }

        try
        {
            return defaults with
            {
                Region = Read("region", () => section.GetString("region"), defaults.Region),
                ServiceUrl = Read("service-url", () => section.GetString("service-url") is { Length: > 0 } url ? new Uri(url, UriKind.Absolute) : null, defaults.ServiceUrl),
                QueueNamePrefix = Read("queue-name-prefix", () => section.GetString("queue-name-prefix"), defaults.QueueNamePrefix),
                QueueNames = Read("queue-names", () => QueueNames(section.GetConfig("queue-names")), defaults.QueueNames),
                CreateQueues = Read("create-queues", () => section.GetBoolean("create-queues"), defaults.CreateQueues),
                VisibilityTimeout = Read("visibility-timeout", () => section.GetTimeSpan("visibility-timeout", allowInfinite: false), defaults.VisibilityTimeout),
                MaxMessageBytes = Read("max-message-bytes", () => section.GetInt("max-message-bytes"), defaults.MaxMessageBytes),
                MaxErrorRetries = Read("max-error-retries", () => section.GetInt("max-error-retries"), defaults.MaxErrorRetries),
                RetryMode = Read("retry-mode", () => RetryMode(section.GetString("retry-mode")), defaults.RetryMode),
                RequestTimeout = Read("request-timeout", () => section.GetTimeSpan("request-timeout", allowInfinite: false), defaults.RequestTimeout),
            };
        }
        catch (ArgumentException e) when (!e.Message.StartsWith(SqsQueueSettings.ConfigPath, StringComparison.Ordinal))
        {
            // A property's own check (e.g. a visibility timeout out of range): say which key held it.
            throw new ArgumentException($"{SqsQueueSettings.ConfigPath}.{Key(e.ParamName)}: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> QueueNames(Config? section) =>
        section is null || section.IsEmpty
            ? []
            : section.Root.GetObject().Items.ToDictionary(item => item.Key, item => item.Value.GetString(), StringComparer.Ordinal);

    private static RequestRetryMode RetryMode(string value) => value.ToLowerInvariant() switch
    {
        "standard" => RequestRetryMode.Standard,
        "adaptive" => RequestRetryMode.Adaptive,
        _ => throw new ArgumentException($"must be standard or adaptive, got '{value}'"),
    };

    private static string Key(string? property) => property switch
    {
        nameof(SqsQueueSettings.QueueNamePrefix) => "queue-name-prefix",
        nameof(SqsQueueSettings.QueueNames) => "queue-names",
        nameof(SqsQueueSettings.VisibilityTimeout) => "visibility-timeout",
        nameof(SqsQueueSettings.MaxMessageBytes) => "max-message-bytes",
        nameof(SqsQueueSettings.MaxErrorRetries) => "max-error-retries",
        nameof(SqsQueueSettings.RequestTimeout) => "request-timeout",
        nameof(SqsQueueSettings.ServiceUrl) => "service-url",
        _ => property ?? "?",
    };
}
