using Brrr.Backends;
using Brrr.Tasks;

namespace Brrr;

/// <summary>
/// What happens to the message of a call that failed: back to the queue after a backoff (a transient failure, or a
/// task that threw fewer times than its policy's <see cref="RetryPolicy.Attempts"/>), or, for good, to the dead-letter
/// topic (or dropped when dead letters are off). Also says which queue errors are worth retrying. The failed runs of
/// a call whose task threw are counted in the shared cache by call hash (<see cref="ICache.IncrAttemptsAsync"/>), so
/// its attempts hold across workers and restarts; a call that never throws costs nothing here. Thread safe.
/// </summary>
public sealed class FailurePolicy
{
    private readonly ICache _cache;
    private readonly Func<double> _random;

    /// <summary>Creates the policy.</summary>
    /// <param name="tasks">The tasks' policies; a task failure carries its own (<see cref="TaskFailedException.Policy"/>), else the defaults apply.</param>
    /// <param name="cache">Where the failed runs of each call are counted (shared by the fleet).</param>
    /// <param name="attemptsExpiry">How long a call's count lives after its first failed run.</param>
    /// <param name="deadLetterSuffix">Appended to a topic's name to name its dead-letter topic; empty: no dead letters.</param>
    /// <param name="retryBackoffMin">The wait before giving back a message whose handling failed for another reason than its task (a store or queue error).</param>
    /// <param name="random">Draws the jitter of a backoff (0 to 1); default: <see cref="Random.Shared"/>.</param>
    public FailurePolicy(TaskPolicies tasks, ICache cache, TimeSpan attemptsExpiry, string deadLetterSuffix, TimeSpan retryBackoffMin, Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(attemptsExpiry, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(deadLetterSuffix);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retryBackoffMin, TimeSpan.Zero);
        Tasks = tasks;
        _cache = cache;
        AttemptsExpiry = attemptsExpiry;
        DeadLetterSuffix = deadLetterSuffix;
        RetryBackoffMin = retryBackoffMin;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>The tasks' policies.</summary>
    public TaskPolicies Tasks { get; }

    /// <summary>How long a call's count of failed runs lives after its first one.</summary>
    public TimeSpan AttemptsExpiry { get; }

    /// <summary>Appended to a topic's name to name its dead-letter topic; empty: no dead letters.</summary>
    public string DeadLetterSuffix { get; }

    /// <summary>The wait before giving back a message whose handling failed for another reason than its task.</summary>
    public TimeSpan RetryBackoffMin { get; }

    /// <summary>
    /// Decides the fate of <paramref name="delivery"/>, whose handling failed with <paramref name="error"/>. A task
    /// that threw counts one more failed run of its call in the cache; the call fails for good once it has run its
    /// policy's attempts, or at once when the exception is non-retryable, and its count is then cleared (a retry of
    /// the workflow starts again at 1).
    /// </summary>
    public async Task<FailureDecision> DecideAsync(QueueDelivery delivery, Exception error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(error);
        var deadLetterTopic = DeadLetterSuffix.Length > 0 ? DeadLetter.TopicOf(delivery.Topic, DeadLetterSuffix) : null;
        if (ErrorRecord.IsChildFailure(error))
        {
            // A child that failed for good fails the same way on every run: the parent fails at once, in its first run.
            return new FailureDecision(Permanent: true, 1, TimeSpan.Zero, deadLetterTopic);
        }

        if (error is TaskFailedException failed)
        {
            // A task that threw may succeed on a later run (a flaky dependency), anywhere in the fleet.
            var policy = failed.Policy ?? Tasks.Defaults;
            var attempt = (int)Math.Min(int.MaxValue, await _cache.IncrAttemptsAsync(failed.CallHash, AttemptsExpiry, cancellationToken).ConfigureAwait(false));
            if (attempt < policy.Attempts && policy.IsRetryable(failed.InnerException ?? failed))
            {
                return new FailureDecision(Permanent: false, attempt, policy.Delay(attempt, _random()), DeadLetterTopic: null);
            }

            await _cache.ClearAttemptsAsync(failed.CallHash, cancellationToken).ConfigureAwait(false);
            return new FailureDecision(Permanent: true, attempt, TimeSpan.Zero, deadLetterTopic);
        }

        return IsPermanent(error)
            ? new FailureDecision(Permanent: true, 1, TimeSpan.Zero, deadLetterTopic)
            : new FailureDecision(Permanent: false, 1, RetryBackoffMin, DeadLetterTopic: null);
    }

    /// <summary>
    /// Whether a call that failed with <paramref name="error"/> cannot succeed by running it again as it is: a malformed
    /// message or record, an unknown task, a missing call record, the spawn limit, or a task that threw (permanent once
    /// it ran its policy's attempts). Anything else (a store or queue that failed, a timeout) is transient; a value or argument over a size limit is permanent too.
    /// </summary>
    public static bool IsPermanent(Exception error) => error is ProtocolException or TaskNotFoundException or CallNotFoundException or SizeLimitException
        or SpawnLimitException or TaskFailedException;

    /// <summary>
    /// Whether an acknowledgement, release or push that failed with <paramref name="error"/> is worth retrying: not when
    /// the request itself is refused (a bad argument, a delivery the consumer does not hold, an unsupported operation),
    /// which fails the same way every time.
    /// </summary>
    public static bool IsTransientQueueError(Exception error) =>
        error is not (ArgumentException or FormatException or InvalidOperationException or NotSupportedException or BrrrException);
}

/// <summary>The fate of a failed call's message.</summary>
/// <param name="Permanent">True: the message fails for good (dead-lettered or dropped, then acknowledged); false: it goes back to the queue.</param>
/// <param name="Attempt">The failed runs of the message counted so far (1 unless its task threw before).</param>
/// <param name="RetryAfter">How long to wait before giving the message back (zero when permanent).</param>
/// <param name="DeadLetterTopic">Where a permanent failure's dead letter goes; <c>null</c> when released, or when dead letters are off.</param>
public sealed record FailureDecision(bool Permanent, int Attempt, TimeSpan RetryAfter, string? DeadLetterTopic);
