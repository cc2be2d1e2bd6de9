namespace Brrr.Backends;

/// <summary>
/// A queue that can hold a message back until a due time (delayed calls, and retries that wait in the queue instead
/// of in a runner slot). A delayed message is not in its topic until it is due, so a consumer that knows nothing of
/// delays (a reference worker popping the topic list) never sees it early. Thread safe.
/// </summary>
/// <remarks>
/// <para>
/// Delayed messages become receivable when someone promotes them: <see cref="PromoteDueAsync"/> appends the due ones
/// to the tail of their topic, atomically and in batches. brrr workers call it for each topic they serve every
/// <c>brrr.delayed.poll-interval</c>, so a message is received at most about one interval after it is due, and only
/// while some brrr worker serves its topic. A backend whose broker delays natively (SQS <c>DelaySeconds</c>, up to
/// 15 minutes) can deliver those itself and promote nothing; a longer delay is then sent with the longest native delay
/// and re-delayed by its consumer for the rest.
/// </para>
/// <para>
/// Delayed copies of the same message text are kept apart: pushing one message twice delivers it twice. The order of
/// messages that fall due together is not specified. Due times are compared with the backend's clock (Redis: the
/// server's <c>TIME</c>), while producers reckon them on their own clock: keep the clocks in sync.
/// </para>
/// </remarks>
public interface IDelayedQueue : IQueue
{
    /// <summary>
    /// Holds <paramref name="message"/> back until <paramref name="notBefore"/>, then appends it to the tail of
    /// <paramref name="topic"/> (at the next promotion). A time already past is due at once, still through promotion.
    /// </summary>
    Task PushAsync(string topic, string message, DateTimeOffset notBefore, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves up to <paramref name="max"/> messages of <paramref name="topic"/> that are due, earliest first, to the tail
    /// of the topic, all at once: each is delivered exactly once even when many workers promote concurrently.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="max">The most messages to move (at least 1): call again while it returns this many.</param>
    /// <param name="cancellationToken">Cancels the call (a batch already moved stays moved).</param>
    /// <returns>How many messages were moved.</returns>
    Task<int> PromoteDueAsync(string topic, int max, CancellationToken cancellationToken = default);

    /// <summary>How many messages of <paramref name="topic"/> are held back, due or not.</summary>
    Task<long> CountDelayedAsync(string topic, CancellationToken cancellationToken = default);
}

/// <summary>
/// A consumer of an <see cref="IDelayedQueue"/> that can give a message back to be delivered again later: a failed
/// call waits out its retry backoff in the queue, and the runner slot serves other calls meanwhile.
/// </summary>
public interface IDelayedQueueConsumer : IQueueConsumer
{
    /// <summary>
    /// Gives <paramref name="delivery"/> back, marked redelivered, to be delivered again not before
    /// <paramref name="notBefore"/> (see <see cref="IDelayedQueue.PushAsync(string, string, DateTimeOffset, CancellationToken)"/>).
    /// The message is never lost in between: the delayed copy is written together with the acknowledgement, or before it
    /// (then a crash between the two delivers it twice). A delivery that another consumer already took back (this one
    /// looked dead) is left to that redelivery, as by <see cref="IQueueConsumer.ReleaseAsync"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">This consumer does not hold <paramref name="delivery"/>.</exception>
    Task ReleaseAsync(QueueDelivery delivery, DateTimeOffset notBefore, CancellationToken cancellationToken = default);
}

/// <summary>
/// Operator access to the messages an <see cref="IDelayedQueue"/> holds back, for <c>Brrr.Inspection</c> (a delayed
/// call or a retry waiting out its backoff is neither waiting in its topic nor held, yet not lost). Workers never use
/// it. Thread safe.
/// </summary>
public interface IDelayedQueueAdmin
{
    /// <summary>
    /// Up to <paramref name="count"/> messages of <paramref name="topic"/> held back, earliest due first, from position
    /// <paramref name="start"/> in that order, without taking them.
    /// </summary>
    Task<IReadOnlyList<DelayedMessage>> PeekDelayedAsync(string topic, long start, int count, CancellationToken cancellationToken = default);
}

/// <summary>A message held back until its due time (<see cref="IDelayedQueueAdmin.PeekDelayedAsync"/>).</summary>
/// <param name="Message">The message text, as it will enter its topic.</param>
/// <param name="NotBefore">When it is due.</param>
/// <param name="Redelivered">It is a retry (a failed attempt waiting out its backoff): it comes back marked redelivered.</param>
public sealed record DelayedMessage(string Message, DateTimeOffset NotBefore, bool Redelivered);
