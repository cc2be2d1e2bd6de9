using System.Diagnostics;
using Brrr.Akka;
using Brrr.Inspection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brrr.AspNetCore;

/// <summary>
/// The health of a brrr process: Unhealthy when a topic stream of its worker is dead (or the worker stopped) or the
/// queue or store does not answer within <see cref="BrrrHealthCheckOptions.ProbeTimeout"/>; Degraded when a topic
/// stream has waited for its queue longer than <see cref="BrrrHealthCheckOptions.LateAfter"/> (the worker's heartbeat
/// is late) or a watched topic's dead letters grew within <see cref="BrrrHealthCheckOptions.DeadLetterWindow"/>;
/// Healthy otherwise. Register it with <see cref="BrrrHealthChecksBuilderExtensions"/>. The findings are in the
/// result's description and data; a backend's error is named by its type only (its message may hold a secret).
/// Thread safe.
/// </summary>
public sealed class BrrrHealthCheck : IHealthCheck
{
    // A key that no call has: the store probe asks whether its value exists.
    private const string ProbeHash = "brrr-health-probe";
    private const string QueueProbeTopic = "brrr-health-probe";

    private readonly BrrrBackends _backends;
    private readonly BrrrWorker? _worker;
    private readonly BrrrHealthCheckOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Count, long GrewAt)> _deadLetters = new(StringComparer.Ordinal);

    /// <summary>Checks <paramref name="backends"/> and, when given, <paramref name="worker"/>'s topic streams.</summary>
    public BrrrHealthCheck(BrrrBackends backends, BrrrWorker? worker = null, BrrrHealthCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        _backends = backends;
        _worker = worker;
        _options = options ?? new BrrrHealthCheckOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.ProbeTimeout, TimeSpan.Zero, nameof(options));
        Topics = _options.Topics ?? worker?.Topics ?? [];
        Suffix = _options.DeadLetterSuffix ?? worker?.Settings.DeadLetterSuffix ?? DeadLetterAdmin.DefaultSuffix;
        LateAfter = _options.LateAfter ?? (worker is null ? TimeSpan.FromSeconds(5) : worker.Settings.PollTimeout + TimeSpan.FromSeconds(5));
    }

    /// <summary>The work topics whose dead letters are watched.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>The dead-letter suffix (empty: dead letters are not watched).</summary>
    public string Suffix { get; }

    /// <summary>How long a topic stream may wait for its queue before the heartbeat counts as late.</summary>
    public TimeSpan LateAfter { get; }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unhealthy = new List<string>();
        var degraded = new List<string>();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        CheckStreams(unhealthy, degraded, data);
        var store = ProbeAsync("store", ct => _backends.Store.HasAsync(MemKey.ValueOf(ProbeHash), ct), cancellationToken);
        var queue = ProbeQueueAsync(cancellationToken);
        if (await store.ConfigureAwait(false) is { } storeProblem)
        {
            unhealthy.Add(storeProblem);
        }

        var (queueProblem, deadLetters) = await queue.ConfigureAwait(false);
        if (queueProblem is not null)
        {
            unhealthy.Add(queueProblem);
        }
        else
        {
            CheckDeadLetters(deadLetters, degraded, data);
        }

        var findings = unhealthy.Concat(degraded).ToList();
        var description = findings.Count == 0 ? "brrr: queue, store and topic streams are fine" : "brrr: " + string.Join("; ", findings);
        return unhealthy.Count > 0 ? new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, description, data: data)
            : degraded.Count > 0 ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data);
    }

    private void CheckStreams(List<string> unhealthy, List<string> degraded, Dictionary<string, object> data)
    {
        if (_worker is null)
        {
            return;
        }

        foreach (var stream in _worker.GetTopicStreams())
        {
            data[$"stream:{stream.Topic}"] = stream.Dead ? "dead" : !stream.Running ? "stopped" : stream.SinceQueueAnswered is null ? "busy" : "receiving";
            if (stream.Dead)
            {
                unhealthy.Add($"the stream of topic {stream.Topic} is dead");
            }
            else if (!stream.Running)
            {
                unhealthy.Add($"worker {_worker.Name} is stopping: topic {stream.Topic} is not served");
            }
            else if (stream.SinceQueueAnswered is { } waited && waited > LateAfter)
            {
                degraded.Add($"the heartbeat of topic {stream.Topic} is late: no answer from the queue for {waited.TotalSeconds:0.#} s");
            }
        }
    }

    private async Task<(string? Problem, IReadOnlyDictionary<string, long> DeadLetters)> ProbeQueueAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var watched = Suffix.Length == 0 ? [] : Topics;
        var problem = await ProbeAsync("queue", async ct =>
        {
            if (watched.Count == 0)
            {
                await _backends.Queue.GetStatsAsync(QueueProbeTopic, ct).ConfigureAwait(false);
                return;
            }

            var stats = await Task.WhenAll(watched.Select(t => _backends.Queue.GetStatsAsync(t + Suffix, ct))).ConfigureAwait(false);
            for (var i = 0; i < watched.Count; i++)
            {
                counts[watched[i]] = stats[i].Waiting;
            }
        }, cancellationToken).ConfigureAwait(false);
        return (problem, counts);
    }

    private void CheckDeadLetters(IReadOnlyDictionary<string, long> counts, List<string> degraded, Dictionary<string, object> data)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            foreach (var (topic, count) in counts)
            {
                data[$"dead-letters:{topic}"] = count;
                var grewAt = _deadLetters.TryGetValue(topic, out var last) ? count > last.Count ? now : last.GrewAt : 0;
                _deadLetters[topic] = (count, grewAt);
                if (grewAt != 0 && Stopwatch.GetElapsedTime(grewAt, now) < _options.DeadLetterWindow)
                {
                    degraded.Add($"the dead letters of topic {topic} are growing ({count} now)");
                }
            }
        }
    }

    /// <summary>Runs <paramref name="probe"/> within the probe timeout; the problem it found, or <c>null</c>.</summary>
    private async Task<string?> ProbeAsync(string backend, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ProbeTimeout);
        try
        {
            // WaitAsync bounds the probe even where a backend does not honour the token.
            await probe(timeout.Token).WaitAsync(_options.ProbeTimeout, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return e is TimeoutException or OperationCanceledException
                ? $"the {backend} did not answer within {_options.ProbeTimeout.TotalSeconds:0.###} s"
                : $"the {backend} is unreachable ({e.GetType().Name})";
        }
    }
}
