using Brrr.Backends;
using Microsoft.Extensions.Logging;

namespace Brrr.Akka;

/// <summary>
/// Moves the due delayed messages of a worker's topics into them (<see cref="IDelayedQueue.PromoteDueAsync"/>) every
/// <c>brrr.delayed.poll-interval</c>, a batch of <c>brrr.delayed.batch-size</c> at a time and at once again after a
/// full batch. Every worker does it for the topics it serves: there is no agent, and the queue makes concurrent moves
/// deliver each message once. A failed move is logged (throttled) and tried again at the next tick.
/// </summary>
internal sealed class DelayedPoller
{
    private readonly IDelayedQueue _queue;
    private readonly IReadOnlyList<string> _topics;
    private readonly BrrrSettings _settings;
    private readonly ILogger _log;
    private readonly LogThrottle _logThrottle = LogThrottle.Default();

    private DelayedPoller(IDelayedQueue queue, IReadOnlyList<string> topics, BrrrSettings settings, ILogger log)
    {
        _queue = queue;
        _topics = topics;
        _settings = settings;
        _log = log;
    }

    /// <summary>
    /// Starts polling <paramref name="topics"/> until <paramref name="stopping"/> is cancelled; the task ends then.
    /// A queue that cannot delay has nothing to poll: the task is already complete.
    /// </summary>
    public static Task Start(IQueue queue, IReadOnlyList<string> topics, BrrrSettings settings, ILogger log, CancellationToken stopping) =>
        queue is IDelayedQueue delayed && topics.Count > 0
            ? Task.Run(() => new DelayedPoller(delayed, topics, settings, log).RunAsync(stopping), CancellationToken.None)
            : Task.CompletedTask;

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_settings.DelayedPollInterval);
        try
        {
            do
            {
                foreach (var topic in _topics)
                {
                    await PromoteAsync(topic, stopping).ConfigureAwait(false);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task PromoteAsync(string topic, CancellationToken stopping)
    {
        try
        {
            while (await _queue.PromoteDueAsync(topic, _settings.DelayedBatchSize, stopping).ConfigureAwait(false) >= _settings.DelayedBatchSize)
            {
                stopping.ThrowIfCancellationRequested();
            }

            _logThrottle.Reset(topic);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            var level = _logThrottle.ShouldLog(topic, out var count) ? LogLevel.Warning : LogLevel.Debug;
            BrrrLog.PromoteFailed(_log, level, topic, _settings.DelayedPollInterval, LogThrottle.Times(count), e.GetType().Name, e.Message);
        }
    }
}
