using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Brrr.Backends;

namespace Brrr.DynamoDb;

/// <summary>
/// An <see cref="IStore"/> on one DynamoDB table with the layout of PROTOCOL.md §3 (partition key <c>pk</c> = call
/// hash, sort key <c>sk</c> = type word, binary attribute <c>value</c>), so Python and TypeScript workers can share it.
/// Thread safe. Lost compare-and-set races return <c>false</c>; throttling and transient errors are retried by the
/// AWS SDK (<see cref="DynamoDbStoreSettings.MaxErrorRetries"/>) and then surface as the SDK's exceptions, except
/// timeouts: an operation with no answer within <see cref="DynamoDbStoreSettings.OperationTimeout"/> (or whose last
/// attempt ran past <see cref="DynamoDbStoreSettings.RequestTimeout"/>) fails with a <see cref="DynamoDbTimeoutException"/>
/// naming the operation, table and key.
/// With <see cref="DynamoDbStoreSettings.Coalesce"/> on, concurrent reads go out together as one BatchGetItem and
/// concurrent unconditional writes as one BatchWriteItem; conditional writes and deletes are always single requests.
/// A batch DynamoDB refuses as a whole for what may be one item's fault (a ValidationException: an item over 400 KB, a
/// key too long) is sent again one item at a time, so only the callers of the bad items fail.
/// An item of the wrong shape surfaces as a <see cref="ProtocolException"/> naming its key.
/// Create the table with <see cref="EnsureTableAsync"/> before use.
/// </summary>
public sealed partial class DynamoDbStore : IStore, IDisposable
{
    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly Func<TimeSpan, CancellationToken, Task> _waitBeforeCallReadRetry;
    private long _requests;

    /// <summary>
    /// A store over <paramref name="client"/>, which stays owned by the caller (disposing the store leaves it open).
    /// Build one with <see cref="DynamoDbClientFactory.CreateClient"/> so the retry settings apply.
    /// </summary>
    public DynamoDbStore(IAmazonDynamoDB client, DynamoDbStoreSettings settings)
        : this(client, settings, ownsClient: false, Task.Delay)
    {
    }

    internal DynamoDbStore(
        IAmazonDynamoDB client,
        DynamoDbStoreSettings settings,
        bool ownsClient,
        Func<TimeSpan, CancellationToken, Task> waitBeforeCallReadRetry)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        _client = client;
        _ownsClient = ownsClient;
        _waitBeforeCallReadRetry = waitBeforeCallReadRetry;
        Settings = settings;
        if (settings.Coalesce)
        {
            _reads = new Coalescer<QueuedRead>(ReadChunkSize, MaxFlushes, SendReadsAsync);
            _puts = new Coalescer<QueuedPut>(PutChunkSize, MaxFlushes, SendPutsAsync);
        }
    }

    /// <summary>The settings this store was created with.</summary>
    public DynamoDbStoreSettings Settings { get; }

    /// <summary>The table this store reads and writes.</summary>
    public string TableName => Settings.TableName;

    /// <summary>The item requests (single or batch) this store has sent; the SDK's own retries are not counted.</summary>
    internal long Requests => Interlocked.Read(ref _requests);

    /// <summary>
    /// A store with its own client built by <see cref="DynamoDbClientFactory.CreateClient"/>; disposing the store
    /// disposes that client. Without <paramref name="credentials"/> the standard AWS credential chain is used.
    /// </summary>
    public static DynamoDbStore Create(DynamoDbStoreSettings settings, AWSCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new DynamoDbStore(DynamoDbClientFactory.CreateClient(settings, credentials), settings, ownsClient: true, Task.Delay);
    }

    /// <inheritdoc />
    /// <remarks>An item without a <c>value</c> attribute counts as absent.</remarks>
    public async Task<bool> HasAsync(MemKey key, CancellationToken cancellationToken = default) =>
        ItemLayout.HasValue(await ReadItemAsync(key, cancellationToken).ConfigureAwait(false), key, TableName);

    /// <inheritdoc />
    /// <remarks>
    /// A missing <c>call</c> record is read again up to 4 times (25, 50, 100, 200 ms apart) before <c>null</c> is
    /// returned: another worker may have just written it. Other types are read once.
    /// </remarks>
    /// <exception cref="ProtocolException">The item has no binary <c>value</c> attribute.</exception>
    public async Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        var value = await ReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (key.Type != MemKeyType.Call)
        {
            return value;
        }

        for (var retry = 1; value is null && retry <= CallReadBackoff.Retries; retry++)
        {
            await _waitBeforeCallReadRetry(CallReadBackoff.Delay(retry), cancellationToken).ConfigureAwait(false);
            value = await ReadAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return value;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Coalesced sets of one key sent together collapse into the last one queued; every caller returns once it is written.
    /// </remarks>
    public async Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_puts is { } puts)
        {
            await PutCoalescedAsync(puts, key, value, cancellationToken).ConfigureAwait(false);
            return;
        }

        await PutItemAsync(key, value, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default)
    {
        await SendAsync(
            "DeleteItem",
            key,
            token => _client.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = ItemLayout.Key(key) }, token),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> SetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SetValueIfAsync(
            key, ItemLayout.ValueIsAbsentOrExpired, new() { [ItemLayout.NewValue] = ItemLayout.Binary(value), [ItemLayout.Now] = NowValue() }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> CompareAndSetAsync(MemKey key, byte[] value, byte[] expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(expected);
        return SetValueIfAsync(
            key,
            ItemLayout.ValueIsExpectedAndLive,
            new()
            {
                [ItemLayout.NewValue] = ItemLayout.Binary(value),
                [ItemLayout.ExpectedValue] = ItemLayout.Binary(expected),
                [ItemLayout.Now] = NowValue(),
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return ConditionallyAsync(SendAsync(
            "DeleteItem",
            key,
            token => _client.DeleteItemAsync(
                new DeleteItemRequest
                {
                    TableName = TableName,
                    Key = ItemLayout.Key(key),
                    ConditionExpression = ItemLayout.ValueExistsAndIsExpectedAndLive,
                    ExpressionAttributeNames = ItemLayout.ValueAndExpiryNames(),
                    ExpressionAttributeValues = new() { [ItemLayout.ExpectedValue] = ItemLayout.Binary(expected), [ItemLayout.Now] = NowValue() },
                },
                token),
            cancellationToken));
    }

    /// <summary>Disposes the client if this store created it (<see cref="Create"/>); otherwise does nothing.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <inheritdoc />
    /// <remarks>Yes when reads are coalesced (<c>brrr.dynamodb.coalesce</c>, the default): <see cref="GetManyAsync"/> then leaves in one <c>BatchGetItem</c>.</remarks>
    public bool ReadsManyAtOnce => _reads is not null;

    /// <inheritdoc />
    public bool ReadsLatestWrites => Settings.ConsistentReads;

    /// <inheritdoc />
    /// <remarks>
    /// With coalescing the reads start together and leave in one <c>BatchGetItem</c> (strongly consistent when the
    /// store's reads are); without, one after the other. Unlike <see cref="GetAsync"/>, a missing <c>call</c> record is
    /// not read again when coalesced.
    /// </remarks>
    public async Task<byte[]?[]> GetManyAsync(IReadOnlyList<MemKey> keys, CancellationToken cancellationToken = default)
    {
        if (_reads is null)
        {
            return await StoreSteps.GetManyAsync(this, keys, cancellationToken).ConfigureAwait(false);
        }

        StoreSteps.CheckOneCall(keys);
        var reads = new Task<byte[]?>[keys.Count];
        for (var i = 0; i < reads.Length; i++)
        {
            reads[i] = ReadAsync(keys[i], cancellationToken);
        }

        return await Task.WhenAll(reads).ConfigureAwait(false);
    }

    private async Task<byte[]?> ReadAsync(MemKey key, CancellationToken cancellationToken) =>
        ItemLayout.ValueOf(await ReadItemAsync(key, cancellationToken).ConfigureAwait(false), key, TableName);

    // A projection on the value would save only the key strings: DynamoDB charges a read by the whole item's size.
    // An item past its expires_at is absent, whether or not DynamoDB has deleted it yet.
    private async Task<Dictionary<string, AttributeValue>?> ReadItemAsync(MemKey key, CancellationToken cancellationToken) =>
        ItemLayout.Live(
            await (_reads is { } reads ? ReadItemCoalescedAsync(reads, key, cancellationToken) : GetItemAsync(key, cancellationToken)).ConfigureAwait(false),
            NowSeconds());

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(MemKey key, CancellationToken cancellationToken)
    {
        var response = await SendAsync(
            "GetItem",
            key,
            token => _client.GetItemAsync(
                new GetItemRequest { TableName = TableName, Key = ItemLayout.Key(key), ConsistentRead = Settings.ConsistentReads },
                token),
            cancellationToken).ConfigureAwait(false);
        return response.Item;
    }

    private Task PutItemAsync(MemKey key, byte[] value, CancellationToken cancellationToken) => SendAsync(
        "PutItem",
        key,
        token => _client.PutItemAsync(new PutItemRequest { TableName = TableName, Item = ItemLayout.Item(key, value) }, token),
        cancellationToken);

    private Task<bool> SetValueIfAsync(
        MemKey key, string condition, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken) =>
        ConditionallyAsync(SendAsync(
            "UpdateItem",
            key,
            token => _client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = TableName,
                    Key = ItemLayout.Key(key),
                    UpdateExpression = ItemLayout.SetValueAndKeep,
                    ConditionExpression = condition,
                    ExpressionAttributeNames = ItemLayout.ValueAndExpiryNames(),
                    ExpressionAttributeValues = values,
                },
                token),
            cancellationToken));

    // A failed condition is a lost race (the normal outcome of a CAS) or a state that forbids the write: never thrown.
    internal static async Task<bool> ConditionallyAsync<TResponse>(Task<TResponse> request)
    {
        try
        {
            await request.ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }
}
