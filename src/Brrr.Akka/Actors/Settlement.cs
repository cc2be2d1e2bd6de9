using Brrr.Backends;
using Microsoft.Extensions.Logging;

namespace Brrr.Akka.Actors;

/// <summary>
/// Acknowledges, releases or dead-letters deliveries, retrying with backoff while the queue is unavailable, so that a
/// message is never left held by a live consumer. Gives up when <c>stopping</c> is cancelled (the consumer's disposal
/// then releases what it still holds), and raises at once an error that no retry can cure
/// (<see cref="FailurePolicy.IsTransientQueueError"/>): the caller gives the message back.
/// </summary>
internal sealed class Settlement(IQueueConsumer consumer, IQueue queue, BrrrSettings settings, ILogger log, InFlight inFlight)
{
    // An outage fails every settle of every held message: one line per kind and backoff step, not one per message and try.
    private readonly LogThrottle _logThrottle = LogThrottle.Default();

    public Task AckAsync(QueueDelivery delivery, CancellationToken stopping) =>
        RetryAsync(() => consumer.AckAsync(delivery, stopping), delivery, "acknowledge", settles: true, stopping);

    public Task ReleaseAsync(QueueDelivery delivery, CancellationToken stopping) =>
        RetryAsync(() => consumer.ReleaseAsync(delivery, stopping), delivery, "release", settles: true, stopping);

    /// <summary>
    /// Whether the consumer can give a message back for later (<see cref="IDelayedQueueConsumer"/>) and the queue is one
    /// the worker promotes (<see cref="IDelayedQueue"/>): a wrapper queue that hands out its inner queue's consumers
    /// must not have messages delayed where no one moves them back.
    /// </summary>
    public bool CanReleaseLater => consumer is IDelayedQueueConsumer && queue is IDelayedQueue;

    /// <summary>Gives <paramref name="delivery"/> back to be delivered again not before <paramref name="notBefore"/>; needs <see cref="CanReleaseLater"/>.</summary>
    public Task ReleaseLaterAsync(QueueDelivery delivery, DateTimeOffset notBefore, CancellationToken stopping) =>
        RetryAsync(() => ((IDelayedQueueConsumer)consumer).ReleaseAsync(delivery, notBefore, stopping), delivery, "release for later", settles: true, stopping);

    /// <summary>Pushes <paramref name="letter"/> to <paramref name="deadLetterTopic"/>; the delivery stays held (ack it next).</summary>
    public Task DeadLetterAsync(QueueDelivery delivery, DeadLetter letter, string deadLetterTopic, CancellationToken stopping) =>
        RetryAsync(() => queue.PushAsync(deadLetterTopic, letter.ToJson(), stopping), delivery, "dead-letter to " + deadLetterTopic, settles: false, stopping);

    private async Task RetryAsync(Func<Task> settle, QueueDelivery delivery, string what, bool settles, CancellationToken stopping)
    {
        var wait = settings.RetryBackoffMin;
        while (true)
        {
            try
            {
                await settle().ConfigureAwait(false);
                if (wait != settings.RetryBackoffMin)
                {
                    _logThrottle.Reset(what);
                }

                if (settles)
                {
                    inFlight.Settled(delivery);
                }

                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested && FailurePolicy.IsTransientQueueError(e))
            {
                if (_logThrottle.ShouldLog(what, out var count))
                {
                    BrrrLog.SettleRetrying(log, what, LogText.Excerpt(delivery.Message), delivery.Topic, wait, LogThrottle.Times(count), e.GetType().Name, e.Message);
                }

                BrrrLog.SettleFailed(log, e, what, LogText.Excerpt(delivery.Message), delivery.Topic);
                await Task.Delay(wait, stopping).ConfigureAwait(false);
                wait = Backoff.Next(wait, settings.RetryBackoffMax);
            }
        }
    }
}
