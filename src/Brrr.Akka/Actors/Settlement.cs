using Akka.Event;
using Brrr.Backends;

namespace Brrr.Akka.Actors;

/// <summary>
/// Acknowledges or releases deliveries, retrying with backoff while the queue is unavailable, so that a message
/// is never left held by a live consumer. Gives up only when <c>stopping</c> is cancelled (the consumer's
/// disposal then releases what it still holds).
/// </summary>
internal sealed class Settlement(IQueueConsumer consumer, BrrrSettings settings, ILoggingAdapter log, InFlight inFlight)
{
    public Task AckAsync(QueueDelivery delivery, CancellationToken stopping) =>
        RetryAsync(() => consumer.AckAsync(delivery, stopping), delivery, "acknowledge", stopping);

    public Task ReleaseAsync(QueueDelivery delivery, CancellationToken stopping) =>
        RetryAsync(() => consumer.ReleaseAsync(delivery, stopping), delivery, "release", stopping);

    private async Task RetryAsync(Func<Task> settle, QueueDelivery delivery, string what, CancellationToken stopping)
    {
        var wait = settings.RetryBackoffMin;
        while (true)
        {
            try
            {
                await settle().ConfigureAwait(false);
                inFlight.Settled(delivery);
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                log.Warning(e, "brrr: could not {0} message {1} on topic {2}; retrying in {3}", what, delivery.Message, delivery.Topic, wait);
                await Task.Delay(wait, stopping).ConfigureAwait(false);
                wait = Backoff.Next(wait, settings.RetryBackoffMax);
            }
        }
    }
}

/// <summary>Doubling backoff with a cap.</summary>
internal static class Backoff
{
    public static TimeSpan Next(TimeSpan current, TimeSpan max) => current * 2 < max ? current * 2 : max;
}
