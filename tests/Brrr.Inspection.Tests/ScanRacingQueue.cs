using Brrr.Backends;

namespace Brrr.Inspection.Tests;

/// <summary>
/// A queue that runs <paramref name="betweenReads"/> once, after a scan has read a topic's waiting messages and before
/// it reads what the topic's consumers hold: the moment a message can move between the two.
/// </summary>
internal sealed class ScanRacingQueue(IQueue queue, Func<Task> betweenReads) : IQueue, IQueueAdmin
{
    private readonly IQueueAdmin _admin = (IQueueAdmin)queue;
    private int _raced;

    public Task PushAsync(string topic, string message, CancellationToken cancellationToken = default) => queue.PushAsync(topic, message, cancellationToken);

    public IQueueConsumer CreateConsumer(string topic) => queue.CreateConsumer(topic);

    public Task<QueueStats> GetStatsAsync(string topic, CancellationToken cancellationToken = default) => queue.GetStatsAsync(topic, cancellationToken);

    public Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default) => _admin.ListTopicsAsync(cancellationToken);

    public async Task<TopicSnapshot> GetTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _raced, 1) == 0)
        {
            await betweenReads();
        }

        return await _admin.GetTopicAsync(topic, cancellationToken);
    }

    public Task<IReadOnlyList<string>> PeekAsync(string topic, long start, int count, CancellationToken cancellationToken = default) =>
        _admin.PeekAsync(topic, start, count, cancellationToken);

    public Task<IReadOnlyList<string>> GetHeldAsync(string topic, string consumerId, CancellationToken cancellationToken = default) =>
        _admin.GetHeldAsync(topic, consumerId, cancellationToken);

    public Task<long> RemoveWaitingAsync(string topic, string message, long count = 1, CancellationToken cancellationToken = default) =>
        _admin.RemoveWaitingAsync(topic, message, count, cancellationToken);
}
