namespace Brrr.DynamoDb;

/// <summary>The entry of one key in a <see cref="Coalescer{TEntry}"/>: every caller of that key waits on it.</summary>
internal abstract class CoalescedEntry
{
    /// <summary>Whether the callers of this entry have their answer (a result or an error).</summary>
    public abstract bool IsAnswered { get; }

    /// <summary>Fails the callers still waiting on this entry; an entry already answered keeps its answer.</summary>
    public abstract void Fail(Exception error);
}

/// <summary>
/// Gathers the operations callers start while others are under way and sends them together. The first operation of a
/// burst schedules a flush on the thread pool; the flush takes everything queued by then (one entry per key, so a key
/// is never sent twice in one request) and sends it in chunks of at most <c>chunkSize</c> keys, concurrently. There is
/// no timer: on a quiet store an operation leaves at once. At most <c>maxFlushes</c> flushes send at a time; what is
/// queued meanwhile leaves with the next flush, as soon as one finishes.
/// </summary>
/// <param name="chunkSize">The most keys one request may carry.</param>
/// <param name="maxFlushes">The most flushes sending at once.</param>
/// <param name="sendChunk">Sends one chunk and answers its entries; an exception fails the entries not answered yet.</param>
internal sealed class Coalescer<TEntry>(int chunkSize, int maxFlushes, Func<KeyValuePair<MemKey, TEntry>[], Task> sendChunk)
    where TEntry : CoalescedEntry
{
    private readonly Lock _gate = new();
    private Dictionary<MemKey, TEntry> _queued = [];
    private bool _flushScheduled;
    private int _flushing;

    /// <summary>
    /// Queues <paramref name="key"/>: <paramref name="merge"/> gets the entry already queued for it (<c>null</c> when
    /// none is) and returns the entry to queue, which is returned for the caller to wait on.
    /// </summary>
    public TEntry Add(MemKey key, Func<TEntry?, TEntry> merge)
    {
        TEntry entry;
        bool schedule;
        lock (_gate)
        {
            entry = merge(_queued.GetValueOrDefault(key));
            _queued[key] = entry;
            schedule = !_flushScheduled && _flushing < maxFlushes;
            _flushScheduled |= schedule;
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static coalescer => _ = coalescer.FlushAsync(), this, preferLocal: false);
        }

        return entry;
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            Dictionary<MemKey, TEntry> batch;
            lock (_gate)
            {
                batch = _queued;
                _queued = [];
                _flushScheduled = false;
                _flushing++;
            }

            await Task.WhenAll(batch.Chunk(chunkSize).Select(SendAsync)).ConfigureAwait(false);
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

    private async Task SendAsync(KeyValuePair<MemKey, TEntry>[] chunk)
    {
        try
        {
            await sendChunk(chunk).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var (_, entry) in chunk)
            {
                entry.Fail(e);
            }
        }
    }
}
