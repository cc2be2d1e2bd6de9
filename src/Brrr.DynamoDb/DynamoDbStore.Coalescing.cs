using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Brrr.DynamoDb;

public sealed partial class DynamoDbStore
{
    // DynamoDB's limits: BatchGetItem takes at most 100 keys, BatchWriteItem at most 25 items.
    private const int ReadChunkSize = 100;
    private const int PutChunkSize = 25;

    // Flushes of one kind (reads, puts) sending at once; what queues meanwhile leaves with the next one. One flush
    // would coalesce a little more, but one slow or throttled request would then hold back every read of the store.
    private const int MaxFlushes = 2;

    private readonly Coalescer<QueuedRead>? _reads;
    private readonly Coalescer<QueuedPut>? _puts;

    // Queues the read of one item for the next BatchGetItem; the item is null when there is none.
    private static async Task<Dictionary<string, AttributeValue>?> ReadItemCoalescedAsync(
        Coalescer<QueuedRead> reads, MemKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var read = reads.Add(key, static queued => queued ?? new QueuedRead());
        return await read.Item.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Queues the put for the next BatchWriteItem; a put of the same key queued before it is replaced, and both callers
    // return once this one is written.
    private static async Task PutCoalescedAsync(
        Coalescer<QueuedPut> puts, MemKey key, byte[] value, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var put = puts.Add(key, queued => queued?.Replace(value) ?? new QueuedPut(value));
        await put.Written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task SendReadsAsync(KeyValuePair<MemKey, QueuedRead>[] chunk) => SendChunkAsync(
        "BatchGetItem",
        chunk,
        deadline => ReadBatchAsync(chunk, deadline),
        async (key, read) => read.Item.TrySetResult(await GetItemAsync(key, CancellationToken.None).ConfigureAwait(false)));

    private Task SendPutsAsync(KeyValuePair<MemKey, QueuedPut>[] chunk) => SendChunkAsync(
        "BatchWriteItem",
        chunk,
        deadline => PutBatchAsync(chunk, deadline),
        async (key, put) =>
        {
            await PutItemAsync(key, put.Value, CancellationToken.None).ConfigureAwait(false);
            put.Written.TrySetResult();
        });

    // Sends one chunk, its resends of unprocessed keys included, under one operation timeout; a timeout fails each
    // caller still waiting with an error naming its own key. An error one item can cause fails a batch as a whole:
    // the entries still waiting are then sent one by one (sendOne), so only the callers of the bad items fail.
    private async Task SendChunkAsync<TEntry>(
        string operation,
        KeyValuePair<MemKey, TEntry>[] chunk,
        Func<CancellationToken, Task> sendBatch,
        Func<MemKey, TEntry, Task> sendOne)
        where TEntry : CoalescedEntry
    {
        using var deadline = new CancellationTokenSource(Settings.OperationTimeout);
        try
        {
            await sendBatch(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (LimitRunInto(e, deadline.Token, CancellationToken.None) is { } limit)
        {
            foreach (var (key, entry) in chunk)
            {
                entry.Fail(TimedOut(operation, key, limit, e));
            }
        }
        catch (AmazonDynamoDBException e) when (MayBeOneItemsFault(e))
        {
            await Task.WhenAll(chunk.Where(entry => !entry.Value.IsAnswered).Select(entry => SendAloneAsync(entry.Key, entry.Value, sendOne)))
                .ConfigureAwait(false);
        }
    }

    // Throttling, a missing table or refused credentials hit every item of a batch alike: sending each item alone
    // would only multiply the requests. These errors can come from one item (one over 400 KB, a key too long).
    private static bool MayBeOneItemsFault(AmazonDynamoDBException error) =>
        error is ItemCollectionSizeLimitExceededException || error.ErrorCode == "ValidationException";

    private static async Task SendAloneAsync<TEntry>(MemKey key, TEntry entry, Func<MemKey, TEntry, Task> sendOne)
        where TEntry : CoalescedEntry
    {
        try
        {
            await sendOne(key, entry).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            entry.Fail(e);
        }
    }

    private async Task ReadBatchAsync(KeyValuePair<MemKey, QueuedRead>[] chunk, CancellationToken deadline)
    {
        var waiting = chunk.ToDictionary(entry => ItemLayout.Id(entry.Key), entry => entry.Value);
        for (var retry = 0; ; retry++)
        {
            Interlocked.Increment(ref _requests);
            var response = await _client.BatchGetItemAsync(
                new BatchGetItemRequest
                {
                    RequestItems = new()
                    {
                        [TableName] = new KeysAndAttributes
                        {
                            Keys = waiting.Keys.Select(ItemLayout.KeyOf).ToList(),
                            ConsistentRead = Settings.ConsistentReads,
                        },
                    },
                },
                deadline).ConfigureAwait(false);
            foreach (var item in response.Responses?.GetValueOrDefault(TableName) ?? [])
            {
                if (waiting.Remove(ItemLayout.Id(item), out var read))
                {
                    read.Item.TrySetResult(item);
                }
            }

            var unprocessed = (response.UnprocessedKeys?.GetValueOrDefault(TableName)?.Keys ?? []).Select(ItemLayout.Id).ToHashSet();
            foreach (var (id, read) in waiting.Where(entry => !unprocessed.Contains(entry.Key)).ToList())
            {
                read.Item.TrySetResult(null);
                waiting.Remove(id);
            }

            if (waiting.Count == 0)
            {
                return;
            }

            await BackOffUnprocessedAsync(retry, waiting.Count, chunk.Length, "BatchGetItem", response, deadline).ConfigureAwait(false);
        }
    }

    private async Task PutBatchAsync(KeyValuePair<MemKey, QueuedPut>[] chunk, CancellationToken deadline)
    {
        var waiting = chunk.ToDictionary(entry => ItemLayout.Id(entry.Key));
        for (var retry = 0; ; retry++)
        {
            Interlocked.Increment(ref _requests);
            var response = await _client.BatchWriteItemAsync(
                new BatchWriteItemRequest
                {
                    RequestItems = new()
                    {
                        [TableName] = waiting.Values
                            .Select(entry => new WriteRequest { PutRequest = new PutRequest { Item = ItemLayout.Item(entry.Key, entry.Value.Value) } })
                            .ToList(),
                    },
                },
                deadline).ConfigureAwait(false);
            var unprocessed = (response.UnprocessedItems?.GetValueOrDefault(TableName) ?? [])
                .Select(request => ItemLayout.Id(request.PutRequest.Item))
                .ToHashSet();
            foreach (var (id, entry) in waiting.Where(entry => !unprocessed.Contains(entry.Key)).ToList())
            {
                entry.Value.Written.TrySetResult();
                waiting.Remove(id);
            }

            if (waiting.Count == 0)
            {
                return;
            }

            await BackOffUnprocessedAsync(retry, waiting.Count, chunk.Length, "BatchWriteItem", response, deadline).ConfigureAwait(false);
        }
    }

    // Past MaxErrorRetries the keys fail as a throttled single request would once the SDK gives up: with its error code,
    // and the request id and HTTP status of the last batch response.
    private async Task BackOffUnprocessedAsync(
        int retry, int unprocessed, int sent, string operation, AmazonWebServiceResponse response, CancellationToken deadline)
    {
        if (retry >= Settings.MaxErrorRetries)
        {
            var requestId = response.ResponseMetadata?.RequestId;
            var what = operation == "BatchGetItem" ? "key(s)" : "item(s)";
            throw new ProvisionedThroughputExceededException(
                $"DynamoDB left {unprocessed} {what} (of {sent} in the batch) of a {operation} on table '{TableName}' unprocessed " +
                $"after {retry} resends (brrr.dynamodb.max-error-retries = {Settings.MaxErrorRetries}; last request id {requestId ?? "?"}): " +
                "the table is throttled; raise its capacity (or use PAY_PER_REQUEST) or the retry count.",
                ErrorType.Sender,
                nameof(ProvisionedThroughputExceededException),
                requestId,
                response.HttpStatusCode);
        }

        await Task.Delay(BatchBackoff.Delay(retry + 1), deadline).ConfigureAwait(false);
    }

    /// <summary>A key queued for the next BatchGetItem: every reader of it gets the item, or <c>null</c> for none.</summary>
    private sealed class QueuedRead : CoalescedEntry
    {
        public TaskCompletionSource<Dictionary<string, AttributeValue>?> Item { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool IsAnswered => Item.Task.IsCompleted;

        public override void Fail(Exception error) => Item.TrySetException(error);
    }

    /// <summary>A put queued for the next BatchWriteItem: the last value queued for its key, and its writers.</summary>
    private sealed class QueuedPut(byte[] value) : CoalescedEntry
    {
        public byte[] Value { get; private set; } = value;

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public QueuedPut Replace(byte[] value)
        {
            Value = value;
            return this;
        }

        public override bool IsAnswered => Written.Task.IsCompleted;

        public override void Fail(Exception error) => Written.TrySetException(error);
    }
}
