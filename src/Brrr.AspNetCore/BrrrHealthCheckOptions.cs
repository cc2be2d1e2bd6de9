namespace Brrr.AspNetCore;

/// <summary>What <see cref="BrrrHealthCheck"/> probes and when it calls a finding unhealthy or degraded.</summary>
public sealed class BrrrHealthCheckOptions
{
    /// <summary>The longest wait for one probe of the queue or the store; a backend that does not answer in time is unreachable (Unhealthy). Default 2 s.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a topic stream may wait for its queue to answer before this worker's heartbeat counts as late
    /// (Degraded); default: the worker's <c>brrr.poll-timeout</c> plus 5 s.
    /// </summary>
    public TimeSpan? LateAfter { get; set; }

    /// <summary>How long a rise in a topic's dead letters keeps the check Degraded. Default 5 minutes.</summary>
    public TimeSpan DeadLetterWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The work topics whose dead letters are watched; default: the worker's topics (none without a worker).</summary>
    public IReadOnlyList<string>? Topics { get; set; }

    /// <summary>The dead-letter suffix; default: the worker's <c>brrr.dead-letter-suffix</c>, else <c>:dead-letters</c>. Empty: dead letters are not watched.</summary>
    public string? DeadLetterSuffix { get; set; }
}
