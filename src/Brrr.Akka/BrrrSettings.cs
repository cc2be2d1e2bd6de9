using System.Collections.Immutable;
using Akka.Configuration;
using Brrr.Tasks;

namespace Brrr.Akka;

/// <summary>The typed, validated settings of the <c>brrr</c> HOCON section. Immutable.</summary>
public sealed partial record BrrrSettings
{
    /// <summary>Jobs one workflow root may push (<c>brrr.spawn-limit</c>).</summary>
    public required long SpawnLimit { get; init; }

    /// <summary>Longest single wait for a message (<c>brrr.poll-timeout</c>).</summary>
    public required TimeSpan PollTimeout { get; init; }

    /// <summary>How long in-flight calls may finish on shutdown (<c>brrr.shutdown-timeout</c>).</summary>
    public required TimeSpan ShutdownTimeout { get; init; }

    /// <summary>
    /// The timeout of CoordinatedShutdown's phase <c>service-unbind</c>, where workers stop: <see cref="ShutdownTimeout"/>
    /// for the calls in flight, plus <see cref="GiveBackAllowance"/> to cancel what still runs and give its messages back.
    /// The runtime sets it as the phase's default (an explicit <c>akka.coordinated-shutdown.phases.service-unbind.timeout</c> wins).
    /// </summary>
    public TimeSpan ShutdownPhaseTimeout => ShutdownTimeout + GiveBackAllowance;

    /// <summary>What <see cref="ShutdownPhaseTimeout"/> adds to <see cref="ShutdownTimeout"/>: 5 s.</summary>
    public static TimeSpan GiveBackAllowance { get; } = TimeSpan.FromSeconds(5);

    /// <summary>First retry wait after a queue failure (<c>brrr.retry-backoff-min</c>).</summary>
    public required TimeSpan RetryBackoffMin { get; init; }

    /// <summary>Longest retry wait after queue failures (<c>brrr.retry-backoff-max</c>).</summary>
    public required TimeSpan RetryBackoffMax { get; init; }

    /// <summary>Longest one call may take end to end (<c>brrr.call-timeout</c>).</summary>
    public required TimeSpan CallTimeout { get; init; }

    /// <summary>
    /// Runs of a call whose task throws, in the fleet, before it fails for good (<c>brrr.task-attempts</c>): the
    /// default of <c>brrr.task-defaults.attempts</c>, which <see cref="TaskDefaults"/> holds.
    /// </summary>
    public required int TaskAttempts { get; init; }

    /// <summary>
    /// What follows a topic's name in the name of its dead-letter topic (<c>brrr.dead-letter-suffix</c>); empty: messages
    /// that fail for good are dropped after logging.
    /// </summary>
    public required string DeadLetterSuffix { get; init; }

    /// <summary>Child values, call records and deferred calls' missing children kept in memory per worker (<c>brrr.value-cache-size</c>, a count of each).</summary>
    public required int ValueCacheSize { get; init; }

    /// <summary>
    /// How long a worker keeps the answer "not cancelled" for a root before it reads the root's cancel mark again
    /// (<c>brrr.cancel-check-interval</c>): a cancel is seen within this long; 0 reads the mark for every job.
    /// </summary>
    public required TimeSpan CancelCheckInterval { get; init; }

    /// <summary>
    /// Whether a deferring call writes its children record, for parent debouncing across the fleet and for the
    /// inspector (<c>brrr.children-record</c>: <c>on</c>, <c>off</c>, or <c>auto</c>, read as <c>null</c>: on unless
    /// the store, the cache and the queue are the in-memory ones, which one process holds).
    /// </summary>
    public required bool? ChildrenRecord { get; init; }

    /// <summary>How a call's store effects are applied (<c>brrr.effects</c>).</summary>
    public required BrrrEffects Effects { get; init; }

    /// <summary>The dispatcher (a config path) of a worker's actors and streams (<c>brrr.dispatcher</c>).</summary>
    public required string Dispatcher { get; init; }

    /// <summary>
    /// The largest queue message, call record and value (<c>brrr.max-message-bytes</c>, <c>brrr.max-record-bytes</c>,
    /// <c>brrr.max-value-bytes</c>).
    /// </summary>
    public required BrrrLimits Limits { get; init; }

    /// <summary>
    /// How often a worker moves the due delayed messages of its topics into them (<c>brrr.delayed.poll-interval</c>): a
    /// delayed call runs at most about this long after it is due; a retry backoff shorter than this waits in the runner slot.
    /// </summary>
    public required TimeSpan DelayedPollInterval { get; init; }

    /// <summary>The most due messages one move takes per topic (<c>brrr.delayed.batch-size</c>).</summary>
    public required int DelayedBatchSize { get; init; }

    /// <summary>Registrar actors per worker (<c>brrr.registrars</c>).</summary>
    public required int Registrars { get; init; }

    /// <summary>Returner actors per worker (<c>brrr.returners</c>).</summary>
    public required int Returners { get; init; }

    /// <summary>Settings of topics without their own entry (<c>brrr.topic-defaults</c>).</summary>
    public required TopicSettings TopicDefaults { get; init; }

    /// <summary>Per-topic settings (<c>brrr.topics</c>).</summary>
    public required ImmutableDictionary<string, TopicSettings> Topics { get; init; }

    /// <summary>The settings of <paramref name="topic"/>: its own entry, else the defaults.</summary>
    public TopicSettings ForTopic(string topic) => Topics.GetValueOrDefault(topic) ?? TopicDefaults;

    /// <summary>Reads and validates the <c>brrr</c> section of <paramref name="config"/> (with the reference defaults as fallback).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static BrrrSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var brrr = config.WithFallback(BrrrExtension.DefaultConfig).GetConfig("brrr");
        var defaults = TopicSettings.Create(brrr.GetConfig("topic-defaults"), "brrr.topic-defaults");
        var topics = ImmutableDictionary.CreateBuilder<string, TopicSettings>(StringComparer.Ordinal);
        var topicsObject = brrr.GetConfig("topics");
        if (topicsObject is not null && !topicsObject.IsEmpty)
        {
            foreach (var (name, value) in topicsObject.Root.GetObject().Items)
            {
                var own = new Config(new global::Akka.Configuration.Hocon.HoconRoot(value));
                topics[name] = TopicSettings.Create(own.WithFallback(brrr.GetConfig("topic-defaults")), $"brrr.topics.\"{name}\"");
            }
        }

        var settings = new BrrrSettings
        {
            SpawnLimit = AtLeast(brrr.GetLong("spawn-limit"), 1, "brrr.spawn-limit"),
            PollTimeout = Positive(brrr.GetTimeSpan("poll-timeout"), "brrr.poll-timeout"),
            ShutdownTimeout = NonNegative(brrr.GetTimeSpan("shutdown-timeout"), "brrr.shutdown-timeout"),
            RetryBackoffMin = Positive(brrr.GetTimeSpan("retry-backoff-min"), "brrr.retry-backoff-min"),
            RetryBackoffMax = Positive(brrr.GetTimeSpan("retry-backoff-max"), "brrr.retry-backoff-max"),
            CallTimeout = Positive(brrr.GetTimeSpan("call-timeout"), "brrr.call-timeout"),
            TaskAttempts = (int)AtLeast(brrr.GetInt("task-attempts"), 1, "brrr.task-attempts"),
            DeadLetterSuffix = brrr.GetString("dead-letter-suffix") ?? "",
            ValueCacheSize = (int)AtLeast(brrr.GetInt("value-cache-size"), 0, "brrr.value-cache-size"),
            CancelCheckInterval = NonNegative(brrr.GetTimeSpan("cancel-check-interval"), "brrr.cancel-check-interval"),
            ChildrenRecord = brrr.GetString("children-record") == "auto" ? null : brrr.GetBoolean("children-record"),
            Effects = EffectsOf(brrr.GetString("effects")),
            Dispatcher = NotEmpty(brrr.GetString("dispatcher"), "brrr.dispatcher"),
            Limits = new BrrrLimits
            {
                MaxMessageBytes = Bytes(brrr, "max-message-bytes"),
                MaxRecordBytes = Bytes(brrr, "max-record-bytes"),
                MaxValueBytes = Bytes(brrr, "max-value-bytes"),
            },
            DelayedPollInterval = Positive(brrr.GetTimeSpan("delayed.poll-interval"), "brrr.delayed.poll-interval"),
            DelayedBatchSize = (int)AtLeast(brrr.GetInt("delayed.batch-size"), 1, "brrr.delayed.batch-size"),
            Registrars = (int)AtLeast(brrr.GetInt("registrars"), 1, "brrr.registrars"),
            Returners = (int)AtLeast(brrr.GetInt("returners"), 1, "brrr.returners"),
            TopicDefaults = defaults,
            Topics = topics.ToImmutable(),
            TaskDefaults = null!,
            DefaultRetention = Timeout.InfiniteTimeSpan,
            Tasks = ImmutableDictionary<string, TaskOptions>.Empty,
            AttemptCountExpiry = Positive(brrr.GetTimeSpan("attempt-count-expiry"), "brrr.attempt-count-expiry"),
        };
        return settings.RetryBackoffMax < settings.RetryBackoffMin
            ? throw new ConfigurationException($"brrr.retry-backoff-max must be >= brrr.retry-backoff-min ({settings.RetryBackoffMin}), got {settings.RetryBackoffMax}")
            : WithSchedules(WithTaskPolicies(settings, brrr), brrr);
    }

    /// <summary>The <c>rate-limit</c> of <paramref name="section"/> (at <paramref name="path"/>): <c>null</c> when unset, empty or <c>off</c>.</summary>
    internal static RateLimit? ReadRateLimit(Config section, string path)
    {
        var text = section.HasPath("rate-limit") ? section.GetString("rate-limit") : null;
        if (string.IsNullOrWhiteSpace(text) || text == "off")
        {
            return null;
        }

        try
        {
            return global::Brrr.RateLimit.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"{path}.rate-limit: {e.Message}");
        }
    }

    internal static long AtLeast(long value, long min, string key) =>
        value >= min ? value : throw new ConfigurationException($"{key} must be >= {min}, got {value}");

    private static int Bytes(Config brrr, string key)
    {
        var value = brrr.GetByteSize(key) ?? throw new ConfigurationException($"brrr.{key} must be a size in bytes (e.g. 256KiB)");
        return value is >= BrrrLimits.Minimum and <= int.MaxValue
            ? (int)value
            : throw new ConfigurationException($"brrr.{key} must be between {BrrrLimits.Minimum} bytes and 2 GiB, got {value}");
    }

    private static BrrrEffects EffectsOf(string? value) => value switch
    {
        "auto" => BrrrEffects.Auto,
        "actors" => BrrrEffects.Actors,
        "inline" => BrrrEffects.Inline,
        _ => throw new ConfigurationException($"brrr.effects must be auto, actors or inline, got '{value}'"),
    };

    private static string NotEmpty(string? value, string key) =>
        !string.IsNullOrWhiteSpace(value) ? value : throw new ConfigurationException($"{key} must name a dispatcher (a config path), got '{value}'");

    internal static TimeSpan Positive(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? value : throw new ConfigurationException($"{key} must be > 0, got {value}");

    private static TimeSpan NonNegative(TimeSpan value, string key) =>
        value >= TimeSpan.Zero ? value : throw new ConfigurationException($"{key} must be >= 0, got {value}");
}

/// <summary>The settings of one topic. Immutable.</summary>
/// <param name="Parallelism">Calls that run at once in this worker (<c>parallelism</c>).</param>
/// <param name="Prefetch">Messages received ahead of the running calls (<c>prefetch</c>).</param>
public sealed record TopicSettings(int Parallelism, int Prefetch)
{
    /// <summary>
    /// The fleet-wide rate limit of the topic's calls (<c>rate-limit</c>, e.g. <c>100/s</c>), or <c>null</c> for none:
    /// shared by every worker through the cache; a call over it waits in the queue.
    /// </summary>
    public RateLimit? RateLimit { get; init; }

    internal static TopicSettings Create(Config config, string path) => new(
        (int)BrrrSettings.AtLeast(config.GetInt("parallelism"), 1, path + ".parallelism"),
        (int)BrrrSettings.AtLeast(config.GetInt("prefetch"), 0, path + ".prefetch"))
    {
        RateLimit = BrrrSettings.ReadRateLimit(config, path),
    };
}
