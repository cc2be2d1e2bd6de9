using Akka.Actor;
using Akka.Configuration;
using System.Text.Json.Nodes;
using Brrr.Tasks;
using Microsoft.Extensions.Configuration;

namespace Brrr.Akka.Hosting;

/// <summary>
/// Code-side settings of a brrr worker for Akka.Hosting. Every property is optional: only the ones set are
/// written as HOCON (see <see cref="ToConfig"/>), prepended over the application's config; the rest keep the
/// defaults of <c>reference.conf</c>.
/// </summary>
public sealed class BrrrOptions
{
    private readonly List<Config> _bound = [];

    /// <summary><c>brrr.spawn-limit</c>: jobs one workflow root may push.</summary>
    public long? SpawnLimit { get; set; }

    /// <summary><c>brrr.poll-timeout</c>: longest single wait for a message.</summary>
    public TimeSpan? PollTimeout { get; set; }

    /// <summary><c>brrr.shutdown-timeout</c>: how long in-flight calls may finish on shutdown.</summary>
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary><c>brrr.call-timeout</c>: longest one call may take end to end.</summary>
    public TimeSpan? CallTimeout { get; set; }

    /// <summary><c>brrr.task-attempts</c>: runs of a call whose task throws, in the fleet, before it fails for good (the default of <see cref="TaskDefaults"/>' attempts).</summary>
    public int? TaskAttempts { get; set; }

    /// <summary><c>brrr.cancel-check-interval</c>: how long a worker trusts that a root is not cancelled before it reads the mark again (a cancel is seen within it).</summary>
    public TimeSpan? CancelCheckInterval { get; set; }

    /// <summary><c>brrr.children-record</c>: whether a deferring call writes its children record, for parent debouncing across worker processes and for the inspector (default: unset, <c>auto</c>: yes unless the backends are the in-memory ones).</summary>
    public bool? ChildrenRecord { get; set; }

    /// <summary><c>brrr.effects</c>: whether a call's store effects are applied by the effect actors or inline by its runner (default: <see cref="BrrrEffects.Auto"/>, inline on the in-memory backends).</summary>
    public BrrrEffects? Effects { get; set; }

    /// <summary><c>brrr.dead-letter-suffix</c>: what follows a topic's name in the name of its dead-letter topic ("" drops failed messages).</summary>
    public string? DeadLetterSuffix { get; set; }

    /// <summary><c>brrr.value-cache-size</c>: child values, call records and deferred calls' missing children kept in memory per worker (a count of each; 0 = off).</summary>
    public int? ValueCacheSize { get; set; }

    /// <summary><c>brrr.max-message-bytes</c>: the largest queue message a worker decodes (larger ones are dead-lettered as an excerpt).</summary>
    public int? MaxMessageBytes { get; set; }

    /// <summary><c>brrr.max-record-bytes</c>: the largest call record (task name and arguments) written.</summary>
    public int? MaxRecordBytes { get; set; }

    /// <summary><c>brrr.max-value-bytes</c>: the largest value a task may return.</summary>
    public int? MaxValueBytes { get; set; }

    /// <summary><c>brrr.delayed.poll-interval</c>: how often a worker moves due delayed messages into its topics (a delayed call runs at most about this long after it is due).</summary>
    public TimeSpan? DelayedPollInterval { get; set; }

    /// <summary><c>brrr.delayed.batch-size</c>: the most due messages one move takes per topic.</summary>
    public int? DelayedBatchSize { get; set; }

    /// <summary><c>brrr.dispatcher</c>: the dispatcher (a config path) of the worker's actors and streams.</summary>
    public string? Dispatcher { get; set; }

    /// <summary><c>brrr.registrars</c>: registrar actors per worker.</summary>
    public int? Registrars { get; set; }

    /// <summary><c>brrr.returners</c>: returner actors per worker.</summary>
    public int? Returners { get; set; }

    /// <summary><c>brrr.topic-defaults.parallelism</c>: calls running at once per topic without its own setting.</summary>
    public int? DefaultParallelism { get; set; }

    /// <summary><c>brrr.topic-defaults.prefetch</c>: messages received ahead per topic without its own setting.</summary>
    public int? DefaultPrefetch { get; set; }

    /// <summary><c>brrr.task-defaults</c>: the failure policy of tasks without their own (each part optional).</summary>
    public TaskOptions? TaskDefaults { get; set; }

    /// <summary><c>brrr.tasks."name"</c>: per-task failure policies, by task name; they win over a task's code options.</summary>
    public IDictionary<string, TaskOptions> Tasks { get; } = new Dictionary<string, TaskOptions>(StringComparer.Ordinal);

    /// <summary>
    /// <c>brrr.tasks."name".rate-limit</c>: fleet-wide rate limits of tasks, by task name (e.g. <c>RateLimit.Parse("20/min")</c>);
    /// default: none (see reference.conf).
    /// </summary>
    public IDictionary<string, RateLimit> TaskRateLimits { get; } = new Dictionary<string, RateLimit>(StringComparer.Ordinal);

    /// <summary><c>brrr.schedules."name"</c>: recurring schedules by name (<c>[A-Za-z0-9._:-]</c>), ticked by every worker and claimed once per tick across the fleet.</summary>
    public IDictionary<string, BrrrScheduleOptions> Schedules { get; } = new Dictionary<string, BrrrScheduleOptions>(StringComparer.Ordinal);

    /// <summary>
    /// Adds the recurring schedule <paramref name="name"/>: at each tick of <paramref name="cron"/> (5 fields, or 6 with
    /// seconds first), one worker of the fleet pushes a root of <paramref name="task"/> with <paramref name="args"/> (and
    /// the tick's time under <c>scheduled_at</c>) on <paramref name="topic"/>. The other keys keep <c>brrr.schedule-defaults</c>
    /// unless set on the returned options' entry in <see cref="Schedules"/>.
    /// </summary>
    public BrrrOptions AddSchedule(string name, string cron, string topic, string task, JsonObject? args = null, string? timeZone = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Schedules[name] = new BrrrScheduleOptions { Cron = cron, Topic = topic, Task = task, Args = args, TimeZone = timeZone };
        return this;
    }

    /// <summary>The queue, store, cache and codec; default: a <see cref="BrrrBackends"/> registered in DI, else fresh in-memory ones.</summary>
    public BrrrBackends? Backends { get; set; }

    /// <summary>The worker's name (unique per ActorSystem); default: <c>worker-N</c>.</summary>
    public string? WorkerName { get; set; }

    /// <summary>
    /// Steps run at startup, in order, on the backends (starting from <see cref="Backends"/>): backend packages add
    /// them (for example <c>UseRedis</c>, <c>UseDynamoDbStore</c>) to connect and swap in their queue, cache or store.
    /// </summary>
    public IList<Func<ActorSystem, BrrrBackends, Task<BrrrBackends>>> BackendSteps { get; } = [];

    /// <summary>HOCON fragments of backend packages, written by <see cref="ToConfig"/> after brrr's own keys.</summary>
    public IList<Config> BackendConfig { get; } = [];

    /// <summary>
    /// Reads settings from a <c>Brrr</c> configuration section (<c>builder.Configuration.GetSection("Brrr")</c>:
    /// appsettings.json, environment variables, any provider), written as in HOCON under <c>brrr</c> with keys in
    /// PascalCase or kebab-case (see <see cref="ConfigurationHocon"/>). The properties set in code win over it, and it
    /// wins over the application's HOCON; what none of them sets keeps the defaults of <c>reference.conf</c>.
    /// </summary>
    /// <exception cref="FormatException">A key cannot be a setting name; the message names its path.</exception>
    public BrrrOptions Bind(IConfiguration section)
    {
        _bound.Add(ConfigurationHocon.ToConfig(section));
        return this;
    }

    /// <summary>The topics the worker serves, by name.</summary>
    public IDictionary<string, BrrrTopicOptions> Topics { get; } = new Dictionary<string, BrrrTopicOptions>(StringComparer.Ordinal);

    /// <summary>Serves <paramref name="topic"/> with <paramref name="tasks"/>, optionally with its own parallelism and prefetch.</summary>
    public BrrrOptions AddTopic(string topic, TaskSet tasks, int? parallelism = null, int? prefetch = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(tasks);
        Topics[topic] = new BrrrTopicOptions { Tasks = tasks, Parallelism = parallelism, Prefetch = prefetch };
        return this;
    }

    /// <summary>The HOCON of the properties that are set (and nothing else), then the backend packages' HOCON, then the configuration sections of <see cref="Bind"/>.</summary>
    public Config ToConfig()
    {
        var hocon = new HoconBuilder()
            .Set("brrr.spawn-limit", SpawnLimit)
            .Set("brrr.poll-timeout", PollTimeout)
            .Set("brrr.shutdown-timeout", ShutdownTimeout)
            .Set("brrr.call-timeout", CallTimeout)
            .Set("brrr.task-attempts", TaskAttempts)
            .Set("brrr.cancel-check-interval", CancelCheckInterval)
            .Set("brrr.children-record", ChildrenRecord)
            .Set("brrr.effects", Effects switch { BrrrEffects.Actors => "actors", BrrrEffects.Inline => "inline", BrrrEffects.Auto => "auto", _ => null })
            .Set("brrr.dead-letter-suffix", DeadLetterSuffix)
            .Set("brrr.value-cache-size", ValueCacheSize)
            .Set("brrr.max-message-bytes", MaxMessageBytes)
            .Set("brrr.max-record-bytes", MaxRecordBytes)
            .Set("brrr.max-value-bytes", MaxValueBytes)
            .Set("brrr.delayed.poll-interval", DelayedPollInterval)
            .Set("brrr.delayed.batch-size", DelayedBatchSize)
            .Set("brrr.dispatcher", Dispatcher)
            .Set("brrr.registrars", Registrars)
            .Set("brrr.returners", Returners)
            .Set("brrr.topic-defaults.parallelism", DefaultParallelism)
            .Set("brrr.topic-defaults.prefetch", DefaultPrefetch);
        foreach (var (topic, options) in Topics)
        {
            var path = $"brrr.topics.{HoconBuilder.Quote(topic)}";
            hocon.Set(path + ".parallelism", options.Parallelism).Set(path + ".prefetch", options.Prefetch).Set(path + ".rate-limit", options.RateLimit?.ToString());
        }

        if (TaskDefaults is { } defaults)
        {
            SetTask(hocon, "brrr.task-defaults", defaults);
        }

        foreach (var (task, options) in Tasks)
        {
            SetTask(hocon, $"brrr.tasks.{HoconBuilder.Quote(task)}", options);
        }

        foreach (var (task, limit) in TaskRateLimits)
        {
            hocon.Set($"brrr.tasks.{HoconBuilder.Quote(task)}.rate-limit", limit.ToString());
        }

        foreach (var (name, schedule) in Schedules)
        {
            schedule.WriteTo(hocon, $"brrr.schedules.{HoconBuilder.Quote(name)}");
        }

        // CoordinatedShutdown must wait for the drain it asks for.
        hocon.Set("akka.coordinated-shutdown.phases.service-unbind.timeout", ShutdownTimeout + TimeSpan.FromSeconds(5));
        return BackendConfig.Concat(_bound).Aggregate(hocon.ToConfig(), (config, fragment) => config.WithFallback(fragment));
    }

    private static void SetTask(HoconBuilder hocon, string path, TaskOptions options) => hocon
        .Set(path + ".attempts", options.Attempts)
        .Set(path + ".backoff-min", options.BackoffMin)
        .Set(path + ".backoff-max", options.BackoffMax)
        .Set(path + ".backoff-multiplier", options.BackoffMultiplier)
        .Set(path + ".backoff-jitter", options.BackoffJitter)
        .Set(path + ".attempt-timeout", options.AttemptTimeout)
        .Set(path + ".non-retryable", options.NonRetryable)
        .Set(path + ".retention", options.Retention);

    /// <summary>The backends after every step of <see cref="BackendSteps"/>, from <paramref name="initial"/>.</summary>
    internal async Task<BrrrBackends> BuildBackendsAsync(ActorSystem system, BrrrBackends initial)
    {
        var backends = initial;
        foreach (var step in BackendSteps)
        {
            backends = await step(system, backends).ConfigureAwait(false);
        }

        return backends;
    }
}

/// <summary>One topic a worker serves.</summary>
public sealed class BrrrTopicOptions
{
    /// <summary>The tasks served on the topic.</summary>
    public required TaskSet Tasks { get; init; }

    /// <summary><c>brrr.topics."name".parallelism</c>; default: the topic defaults.</summary>
    public int? Parallelism { get; init; }

    /// <summary><c>brrr.topics."name".prefetch</c>; default: the topic defaults.</summary>
    public int? Prefetch { get; init; }

    /// <summary>
    /// <c>brrr.topics."name".rate-limit</c>: the topic's fleet-wide rate limit (e.g. <c>RateLimit.Parse("50/s")</c>);
    /// default: the topic defaults (none, see reference.conf).
    /// </summary>
    public RateLimit? RateLimit { get; init; }
}
