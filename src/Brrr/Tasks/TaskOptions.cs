namespace Brrr.Tasks;

/// <summary>
/// The failure policy a task asks for in code (<see cref="BrrrTask.Create{TArgs,TResult}(string, Func{TaskContext, TArgs, Task{TResult}}, TaskOptions, string?)"/>),
/// each part optional. A worker resolves a task's <see cref="RetryPolicy"/> per part, most specific first: HOCON
/// <c>brrr.tasks."name"</c>, then these options, then <c>brrr.task-defaults</c> (see <see cref="RetryPolicy.Resolve"/>). Immutable.
/// </summary>
public sealed record TaskOptions
{
    /// <summary>Runs of a call whose task throws, in the whole fleet, before it fails for good (at least 1).</summary>
    public int? Attempts { get; init; }

    /// <summary>The wait before the first retry (&gt; 0).</summary>
    public TimeSpan? BackoffMin { get; init; }

    /// <summary>The longest wait before a retry (at least <see cref="BackoffMin"/>).</summary>
    public TimeSpan? BackoffMax { get; init; }

    /// <summary>What each wait is multiplied by for the next retry (at least 1).</summary>
    public double? BackoffMultiplier { get; init; }

    /// <summary>The fraction (0 to 1) of each wait that is random: a wait <c>d</c> becomes one drawn from <c>[d × (1 − jitter), d]</c>.</summary>
    public double? BackoffJitter { get; init; }

    /// <summary>
    /// The longest one run of the task may take; then its <see cref="TaskContext.CancellationToken"/> is cancelled
    /// and the run counts as one failed attempt. <see cref="Timeout.InfiniteTimeSpan"/>: no limit but <c>brrr.call-timeout</c>.
    /// </summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>
    /// How long the records of a settled call of the task (its call record, value or error record) are kept once its
    /// returns were sent; then they expire, and a later call with the same arguments runs again. A call that has
    /// pending returns is never expired. <see cref="Timeout.InfiniteTimeSpan"/>: kept forever, as brrr memoizes (the
    /// default, <c>brrr.task-defaults.retention = infinite</c>). Needs a store that can expire records
    /// (<see cref="Backends.IStore.CanExpire"/>).
    /// </summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>
    /// Full names of exception types (<see cref="Type.FullName"/>) that fail the call for good on their first throw;
    /// a type derived from one of them too.
    /// </summary>
    public IReadOnlyList<string>? NonRetryable { get; init; }

    /// <summary>These options with every part left unset taken from <paramref name="fallback"/>.</summary>
    public TaskOptions Over(TaskOptions? fallback) => fallback is null ? this : new TaskOptions
    {
        Attempts = Attempts ?? fallback.Attempts,
        BackoffMin = BackoffMin ?? fallback.BackoffMin,
        BackoffMax = BackoffMax ?? fallback.BackoffMax,
        BackoffMultiplier = BackoffMultiplier ?? fallback.BackoffMultiplier,
        BackoffJitter = BackoffJitter ?? fallback.BackoffJitter,
        AttemptTimeout = AttemptTimeout ?? fallback.AttemptTimeout,
        NonRetryable = NonRetryable ?? fallback.NonRetryable,
        Retention = Retention ?? fallback.Retention,
    };

    /// <summary>Options whose <see cref="NonRetryable"/> lists <paramref name="types"/>.</summary>
    public static TaskOptions NeverRetry(params Type[] types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return new TaskOptions { NonRetryable = Array.ConvertAll(types, t => t.FullName ?? t.Name) };
    }
}
