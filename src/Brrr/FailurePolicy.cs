using Brrr.Backends;

namespace Brrr;

/// <summary>
/// What happens to the message of a call that failed: back to the queue after a backoff (a transient failure, or a
/// task that threw fewer than <c>taskAttempts</c> times), or, for good, to the dead-letter topic (or dropped when
/// dead letters are off). Also says which queue errors are worth retrying. A plain class: it counts the failed runs
/// of each message whose task threw, and nothing else. Thread safe.
/// </summary>
public sealed class FailurePolicy
{
    private readonly TaskAttempts _attempts = new();

    /// <summary>Creates the policy.</summary>
    /// <param name="taskAttempts">Runs of a call whose task throws before its message fails for good (at least 1).</param>
    /// <param name="deadLetterSuffix">Appended to a topic's name to name its dead-letter topic; empty: no dead letters.</param>
    /// <param name="retryBackoffMin">The wait before the first retry.</param>
    /// <param name="retryBackoffMax">The longest wait before a retry (waits double up to it).</param>
    public FailurePolicy(int taskAttempts, string deadLetterSuffix, TimeSpan retryBackoffMin, TimeSpan retryBackoffMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(taskAttempts, 1);
        ArgumentNullException.ThrowIfNull(deadLetterSuffix);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retryBackoffMin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryBackoffMax, retryBackoffMin);
        TaskAttempts = taskAttempts;
        DeadLetterSuffix = deadLetterSuffix;
        RetryBackoffMin = retryBackoffMin;
        RetryBackoffMax = retryBackoffMax;
    }

    /// <summary>Runs of a call whose task throws before its message fails for good.</summary>
    public int TaskAttempts { get; }

    /// <summary>Appended to a topic's name to name its dead-letter topic; empty: no dead letters.</summary>
    public string DeadLetterSuffix { get; }

    /// <summary>The wait before the first retry.</summary>
    public TimeSpan RetryBackoffMin { get; }

    /// <summary>The longest wait before a retry.</summary>
    public TimeSpan RetryBackoffMax { get; }

    /// <summary>
    /// Decides the fate of <paramref name="delivery"/>, whose handling failed with <paramref name="error"/>; a task
    /// that threw counts one more failed run of the message.
    /// </summary>
    public FailureDecision Decide(QueueDelivery delivery, Exception error)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(error);

        // A task that threw may succeed on a later run (a flaky dependency): it is retried up to TaskAttempts times.
        var attempt = error is TaskFailedException ? _attempts.Failed(delivery.Message) : 1;
        if (IsPermanent(error) && (error is not TaskFailedException || attempt >= TaskAttempts))
        {
            var deadLetterTopic = DeadLetterSuffix.Length > 0 ? DeadLetter.TopicOf(delivery.Topic, DeadLetterSuffix) : null;
            return new FailureDecision(Permanent: true, attempt, TimeSpan.Zero, deadLetterTopic);
        }

        return new FailureDecision(Permanent: false, attempt, Backoff.ForRetry(attempt, RetryBackoffMin, RetryBackoffMax), DeadLetterTopic: null);
    }

    /// <summary>
    /// Whether a call that failed with <paramref name="error"/> cannot succeed by running it again as it is: a malformed
    /// message or record, an unknown task, a missing call record, the spawn limit, or a task that threw (permanent once
    /// it threw <see cref="TaskAttempts"/> times). Anything else (a store or queue that failed, a timeout) is transient; a value or argument over a size limit is permanent too.
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
