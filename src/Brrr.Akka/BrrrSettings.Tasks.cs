using System.Collections.Immutable;
using System.Globalization;
using Akka.Configuration;
using Brrr.Tasks;

namespace Brrr.Akka;

/// <summary>The per-task failure policies of the <c>brrr</c> section: <c>brrr.task-defaults</c> and <c>brrr.tasks</c>.</summary>
public sealed partial record BrrrSettings
{
    private static readonly string[] TaskKeys =
        ["attempts", "backoff-min", "backoff-max", "backoff-multiplier", "backoff-jitter", "attempt-timeout", "non-retryable", "rate-limit", "retention"];

    /// <summary>
    /// The policy of a task without its own (<c>brrr.task-defaults</c>); its attempts, backoff-min and backoff-max
    /// default to <c>brrr.task-attempts</c>, <c>brrr.retry-backoff-min</c> and <c>brrr.retry-backoff-max</c>.
    /// </summary>
    public required RetryPolicy TaskDefaults { get; init; }

    /// <summary>
    /// Per-task options by task name (<c>brrr.tasks."name"</c>), each part over the task's own <see cref="TaskOptions"/>,
    /// over <see cref="TaskDefaults"/>.
    /// </summary>
    public required ImmutableDictionary<string, TaskOptions> Tasks { get; init; }

    /// <summary>
    /// The fleet-wide rate limits of tasks by task name (<c>brrr.tasks."name".rate-limit</c>, e.g. <c>20/min</c>): each
    /// task's calls, on whatever topic, share one limit across the workers.
    /// </summary>
    public ImmutableDictionary<string, RateLimit> TaskRateLimits { get; init; } = ImmutableDictionary<string, RateLimit>.Empty;

    /// <summary>
    /// How long the records of a settled call of a task without its own retention are kept once its returns were sent
    /// (<c>brrr.task-defaults.retention</c>); <see cref="Timeout.InfiniteTimeSpan"/>: forever (the default).
    /// </summary>
    public required TimeSpan DefaultRetention { get; init; }

    /// <summary>How long the count of a failing call's runs lives in the cache after its first failure (<c>brrr.attempt-count-expiry</c>).</summary>
    public required TimeSpan AttemptCountExpiry { get; init; }

    /// <summary>The tasks' policies: <see cref="Tasks"/> over each task's own options over <see cref="TaskDefaults"/>.</summary>
    public TaskPolicies TaskPolicies() => new(TaskDefaults, Tasks) { DefaultRetention = DefaultRetention };

    private static BrrrSettings WithTaskPolicies(BrrrSettings settings, Config brrr)
    {
        if (brrr.HasPath("task-defaults.rate-limit"))
        {
            throw new ConfigurationException("brrr.task-defaults.rate-limit is not supported: a rate limit is per task (brrr.tasks.\"name\".rate-limit) or per topic (brrr.topics.\"t\".rate-limit)");
        }

        var defaults = ReadTask(brrr.GetConfig("task-defaults"), "brrr.task-defaults");
        var rateLimits = ImmutableDictionary.CreateBuilder<string, RateLimit>(StringComparer.Ordinal);
        RetryPolicy policy;
        try
        {
            policy = new RetryPolicy(
                defaults.Attempts ?? settings.TaskAttempts, defaults.BackoffMin ?? settings.RetryBackoffMin, defaults.BackoffMax ?? settings.RetryBackoffMax,
                defaults.BackoffMultiplier ?? 2, defaults.BackoffJitter ?? 0, defaults.AttemptTimeout, defaults.NonRetryable);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ConfigurationException($"brrr.task-defaults is out of range (backoff-max and backoff-min default to brrr.retry-backoff-max and -min): {e.Message}");
        }

        var tasks = ImmutableDictionary.CreateBuilder<string, TaskOptions>(StringComparer.Ordinal);
        var section = brrr.GetConfig("tasks");
        if (section is not null && !section.IsEmpty)
        {
            foreach (var (name, value) in section.Root.GetObject().Items)
            {
                var path = $"brrr.tasks.\"{name}\"";
                if (!value.IsObject())
                {
                    throw new ConfigurationException($"{path} must be an object of policy keys ({string.Join(", ", TaskKeys)})");
                }

                var own = new Config(new global::Akka.Configuration.Hocon.HoconRoot(value));
                var options = ReadTask(own, path);
                if (ReadRateLimit(own, path) is { } rateLimit)
                {
                    rateLimits[name] = rateLimit;
                }

                try
                {
                    RetryPolicy.Resolve(name, options, null, policy);
                }
                catch (ArgumentException e)
                {
                    throw new ConfigurationException($"{path} is out of range over brrr.task-defaults: {e.InnerException?.Message ?? e.Message}");
                }

                tasks[name] = options;
            }
        }

        return settings with { TaskDefaults = policy, Tasks = tasks.ToImmutable(), TaskRateLimits = rateLimits.ToImmutable(), DefaultRetention = defaults.Retention ?? Timeout.InfiniteTimeSpan };
    }

    private static TaskOptions ReadTask(Config? section, string path)
    {
        if (section is null || section.IsEmpty)
        {
            return new TaskOptions();
        }

        foreach (var key in section.Root.GetObject().Items.Keys)
        {
            if (Array.IndexOf(TaskKeys, key) < 0)
            {
                throw new ConfigurationException($"{path}.{key} is not a task policy key (known: {string.Join(", ", TaskKeys)})");
            }
        }

        return new TaskOptions
        {
            Attempts = Read<int?>(section, path, "attempts", (c, k) => (int)AtLeast(c.GetInt(k), 1, $"{path}.{k}")),
            BackoffMin = Read<TimeSpan?>(section, path, "backoff-min", (c, k) => Positive(c.GetTimeSpan(k, allowInfinite: false), $"{path}.{k}")),
            BackoffMax = Read<TimeSpan?>(section, path, "backoff-max", (c, k) => Positive(c.GetTimeSpan(k, allowInfinite: false), $"{path}.{k}")),
            BackoffMultiplier = Read<double?>(section, path, "backoff-multiplier", (c, k) => Between(c.GetDouble(k), 1, 1e6, $"{path}.{k}")),
            BackoffJitter = Read<double?>(section, path, "backoff-jitter", (c, k) => Between(c.GetDouble(k), 0, 1, $"{path}.{k}")),
            AttemptTimeout = Read<TimeSpan?>(section, path, "attempt-timeout", (c, k) => PositiveOrInfinite(c.GetTimeSpan(k, allowInfinite: true), $"{path}.{k}")),
            Retention = Read<TimeSpan?>(section, path, "retention", (c, k) => PositiveOrInfinite(c.GetTimeSpan(k, allowInfinite: true), $"{path}.{k}")),
            NonRetryable = Read<IReadOnlyList<string>>(section, path, "non-retryable", (c, k) => TypeNames(c.GetStringList(k), $"{path}.{k}")),
        };
    }

    /// <summary>The value of <paramref name="key"/> when set; a value of the wrong type is an error naming the key.</summary>
    private static T? Read<T>(Config section, string path, string key, Func<Config, string, T> read)
    {
        if (!section.HasPath(key))
        {
            return default;
        }

        try
        {
            return read(section, key);
        }
        catch (ConfigurationException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{path}.{key} has a value of the wrong type ({e.Message})");
        }
    }

    private static double Between(double value, double min, double max, string key) =>
        value >= min && value <= max ? value : throw new ConfigurationException($"{key} must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, got {value.ToString(CultureInfo.InvariantCulture)}");

    private static TimeSpan PositiveOrInfinite(TimeSpan value, string key) =>
        value == Timeout.InfiniteTimeSpan || value > TimeSpan.Zero ? value : throw new ConfigurationException($"{key} must be > 0 or infinite, got {value}");

    private static string[] TypeNames(IList<string> names, string key) =>
        names.All(n => !string.IsNullOrWhiteSpace(n) && !n.Contains(' ', StringComparison.Ordinal))
            ? [.. names]
            : throw new ConfigurationException($"{key} must list full exception type names (e.g. \"System.ArgumentException\"), got [{string.Join(", ", names)}]");
}
