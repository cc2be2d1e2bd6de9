namespace Brrr.Backends;

/// <summary>
/// A queue with topics (PROTOCOL.md §4): each topic is a FIFO of UTF-8 strings. Thread safe.
/// Producers push; consumers receive one message at a time and acknowledge it once its effects are done,
/// so a consumer that dies before acknowledging leaves the message for redelivery (where the backend can).
/// </summary>
public interface IQueue
{
    /// <summary>Appends <paramref name="message"/> to the tail of <paramref name="topic"/>.</summary>
    Task PushAsync(string topic, string message, CancellationToken cancellationToken = default);

    /// <summary>Creates a consumer of <paramref name="topic"/>. Each consumer is used by one reader at a time.</summary>
    IQueueConsumer CreateConsumer(string topic);

    /// <summary>How many messages wait in <paramref name="topic"/> and how many are held by consumers.</summary>
    Task<QueueStats> GetStatsAsync(string topic, CancellationToken cancellationToken = default);
}

/// <summary>
/// One consumer of one topic. <see cref="ReceiveAsync"/> is called by one reader at a time (a stream source);
/// <see cref="AckAsync"/> and <see cref="ReleaseAsync"/> may be called concurrently from any thread.
/// </summary>
public interface IQueueConsumer : IAsyncDisposable
{
    /// <summary>The topic this consumer reads.</summary>
    string Topic { get; }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the next message; <c>null</c> when none came in time.
    /// The message stays held by this consumer until acknowledged or released.
    /// </summary>
    Task<QueueDelivery?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the next message, then also takes up to <paramref name="max"/> - 1
    /// more that are already waiting, without waiting any longer: one round trip for a backlog. Empty when no message
    /// came in time. Every message returned is held as by <see cref="ReceiveAsync"/>. The default takes one.
    /// </summary>
    /// <param name="max">The most messages to take (at least 1).</param>
    /// <param name="timeout">The longest wait for the first message.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    async Task<IReadOnlyList<QueueDelivery>> ReceiveManyAsync(int max, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return await ReceiveAsync(timeout, cancellationToken).ConfigureAwait(false) is { } delivery ? [delivery] : [];
    }

    /// <summary>Marks <paramref name="delivery"/> done: it is never delivered again.</summary>
    Task AckAsync(QueueDelivery delivery, CancellationToken cancellationToken = default);

    /// <summary>Gives <paramref name="delivery"/> back unprocessed: it goes to the head of its topic for another consumer.</summary>
    Task ReleaseAsync(QueueDelivery delivery, CancellationToken cancellationToken = default);
}

/// <summary>A message held by a consumer.</summary>
/// <param name="Topic">The topic it came from.</param>
/// <param name="Message">The message text (an encoded ScheduleMessage for brrr topics).</param>
/// <param name="Redelivered">True when the message was given back or recovered from a dead consumer, so an earlier attempt may have applied part of its effects.</param>
public sealed record QueueDelivery(string Topic, string Message, bool Redelivered);

/// <summary>A snapshot of one topic.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Waiting">Messages waiting to be received.</param>
/// <param name="InFlight">Messages received and not yet acknowledged or released.</param>
public sealed record QueueStats(string Topic, long Waiting, long InFlight);
