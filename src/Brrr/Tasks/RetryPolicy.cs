using System.Collections.Frozen;

namespace Brrr.Tasks;

/// <summary>
/// The resolved failure policy of one task: how many runs that throw a call gets in the fleet, the waits between
/// them, the per-run timeout, and the exceptions that are never retried. Immutable; build one with
/// <see cref="Resolve"/> or the constructor (which validates every part).
/// </summary>
public sealed class RetryPolicy
{
    private readonly FrozenSet<string> _nonRetryable;

    /// <summary>Creates a policy; throws <see cref="ArgumentOutOfRangeException"/> for a part out of range.</summary>
    /// <param name="attempts">Runs that throw before the call fails for good (at least 1).</param>
    /// <param name="backoffMin">The wait before the first retry (&gt; 0).</param>
    /// <param name="backoffMax">The longest wait (at least <paramref name="backoffMin"/>).</param>
    /// <param name="backoffMultiplier">The factor between two waits (at least 1).</param>
    /// <param name="backoffJitter">The random fraction of a wait (0 to 1).</param>
    /// <param name="attemptTimeout">The longest one run may take (&gt; 0), or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="nonRetryable">Full names of exception types never retried.</param>
    public RetryPolicy(
        int attempts, TimeSpan backoffMin, TimeSpan backoffMax, double backoffMultiplier = 2, double backoffJitter = 0,
        TimeSpan? attemptTimeout = null, IEnumerable<string>? nonRetryable = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(backoffMin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(backoffMax, backoffMin);
        if (!(backoffMultiplier >= 1) || double.IsInfinity(backoffMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(backoffMultiplier), backoffMultiplier, "The backoff multiplier must be a number >= 1.");
        }

        if (!(backoffJitter is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(backoffJitter), backoffJitter, "The backoff jitter must be between 0 and 1.");
        }

        var timeout = attemptTimeout ?? Timeout.InfiniteTimeSpan;
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(attemptTimeout), timeout, "The attempt timeout must be > 0, or infinite.");
        }

        Attempts = attempts;
        BackoffMin = backoffMin;
        BackoffMax = backoffMax;
        BackoffMultiplier = backoffMultiplier;
        BackoffJitter = backoffJitter;
        AttemptTimeout = timeout;
        _nonRetryable = (nonRetryable ?? []).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Runs that throw before the call fails for good, counted across the fleet.</summary>
    public int Attempts { get; }

    /// <summary>The wait before the first retry.</summary>
    public TimeSpan BackoffMin { get; }

    /// <summary>The longest wait before a retry.</summary>
    public TimeSpan BackoffMax { get; }

    /// <summary>The factor between two waits.</summary>
    public double BackoffMultiplier { get; }

    /// <summary>The random fraction of each wait.</summary>
    public double BackoffJitter { get; }

    /// <summary>The longest one run may take, or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan AttemptTimeout { get; }

    /// <summary>Full names of the exception types never retried.</summary>
    public IReadOnlySet<string> NonRetryable => _nonRetryable;

    /// <summary>
    /// The wait after failed run number <paramref name="attempt"/> (1-based): <see cref="BackoffMin"/> ×
    /// <see cref="BackoffMultiplier"/>^(attempt − 1), at most <see cref="BackoffMax"/>, less up to
    /// <see cref="BackoffJitter"/> of it: <paramref name="random"/> (0 to 1) says how much.
    /// </summary>
    public TimeSpan Delay(int attempt, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(random, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(random, 1);
        var ticks = BackoffMin.Ticks * Math.Pow(BackoffMultiplier, attempt - 1);
        var capped = ticks < BackoffMax.Ticks ? ticks : BackoffMax.Ticks;
        return TimeSpan.FromTicks((long)(capped * (1 - (BackoffJitter * random))));
    }

    /// <summary>Whether a run that threw <paramref name="thrown"/> may be retried: not when its type, or a base type of it, is listed as non-retryable.</summary>
    public bool IsRetryable(Exception thrown)
    {
        ArgumentNullException.ThrowIfNull(thrown);
        for (var type = thrown.GetType(); type is not null; type = type.BaseType)
        {
            if (type.FullName is { } name && _nonRetryable.Contains(name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The policy of task <paramref name="taskName"/>, part by part: <paramref name="configured"/> (HOCON
    /// <c>brrr.tasks."name"</c>), else <paramref name="code"/> (the task's <see cref="TaskOptions"/>), else
    /// <paramref name="defaults"/> (<c>brrr.task-defaults</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The parts together are out of range (for example a max under a min); the message names the task.</exception>
    public static RetryPolicy Resolve(string taskName, TaskOptions? configured, TaskOptions? code, RetryPolicy defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var merged = (configured ?? new TaskOptions()).Over(code);
        if (merged == new TaskOptions())
        {
            return defaults;
        }

        try
        {
            return new RetryPolicy(
                merged.Attempts ?? defaults.Attempts, merged.BackoffMin ?? defaults.BackoffMin, merged.BackoffMax ?? defaults.BackoffMax,
                merged.BackoffMultiplier ?? defaults.BackoffMultiplier, merged.BackoffJitter ?? defaults.BackoffJitter,
                merged.AttemptTimeout ?? defaults.AttemptTimeout, merged.NonRetryable ?? (IEnumerable<string>)defaults._nonRetryable);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException($"The failure policy of task '{taskName}' is out of range: {e.Message}", nameof(configured), e);
        }
    }
}
