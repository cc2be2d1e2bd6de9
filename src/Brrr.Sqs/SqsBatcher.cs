namespace Brrr.Sqs;

/// <summary>
/// Gathers the requests callers make on one queue while others are under way, and sends them as SQS batch requests
/// (at most 10 entries and <see cref="MaxBatchBytes"/> of payload each). The first request of a burst schedules a flush
/// on the thread pool; the flush takes everything queued by then. There is no timer: on a quiet queue a request leaves at
/// once. At most <c>maxFlushes</c> flushes send at a time; what is queued meanwhile leaves with the next flush.
/// </summary>
/// <typeparam name="TEntry">What one caller asks for.</typeparam>
/// <param name="maxFlushes">The most flushes sending at once.</param>
/// <param name="sendBatch">
/// Sends one batch; returns, for each entry in order, <c>null</c> when SQS took it or the error for that entry. An
/// exception fails the whole batch.
/// </param>
internal sealed class SqsBatcher<TEntry>(int maxFlushes, Func<IReadOnlyList<TEntry>, Task<Exception?[]>> sendBatch)
{
    /// <summary>The most payload bytes put into one batch request (SQS's classic limit; a larger entry goes alone).</summary>
    public const int MaxBatchBytes = 256 * 1024;

    private readonly Lock _gate = new();
    private List<Pending> _queued = [];
    private bool _flushScheduled;
    private int _flushing;

    /// <summary>Queues <paramref name="entry"/> of <paramref name="bytes"/> payload bytes and waits until SQS took it.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="bytes">Its payload size, for the batch size limit.</param>
    /// <param name="cancellationToken">Stops waiting (the entry is still sent).</param>
    public Task AddAsync(TEntry entry, int bytes, CancellationToken cancellationToken)
    {
        var pending = new Pending(entry, bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool schedule;
        lock (_gate)
        {
            _queued.Add(pending);
            schedule = !_flushScheduled && _flushing < maxFlushes;
            _flushScheduled |= schedule;
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static batcher => _ = batcher.FlushAsync(), this, preferLocal: false);
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            List<Pending> queued;
            lock (_gate)
            {
                queued = _queued;
                _queued = [];
                _flushScheduled = false;
                _flushing++;
            }

            await Task.WhenAll(Batches(queued).Select(SendAsync)).ConfigureAwait(false);
            lock (_gate)
            {
                _flushing--;
                if (_queued.Count == 0 || _flushScheduled)
                {
                    return;
                }

                _flushScheduled = true;
            }
        }
    }

    private static IEnumerable<List<Pending>> Batches(List<Pending> queued)
    {
        var batch = new List<Pending>(Math.Min(queued.Count, SqsQueue.MaxBatchEntries));
        var bytes = 0;
        foreach (var pending in queued)
        {
            if (batch.Count > 0 && (batch.Count == SqsQueue.MaxBatchEntries || bytes + pending.Bytes > MaxBatchBytes))
            {
                yield return batch;
                batch = new List<Pending>(SqsQueue.MaxBatchEntries);
                bytes = 0;
            }

            batch.Add(pending);
            bytes += pending.Bytes;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private async Task SendAsync(List<Pending> batch)
    {
        try
        {
            var errors = await sendBatch(batch.ConvertAll(p => p.Entry)).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                if (errors[i] is { } error)
                {
                    batch[i].Done.TrySetException(error);
                }
                else
                {
                    batch[i].Done.TrySetResult();
                }
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(e);
            }
        }
    }

    private sealed record Pending(TEntry Entry, int Bytes, TaskCompletionSource Done);
}
