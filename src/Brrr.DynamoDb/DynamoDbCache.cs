using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Brrr.Backends;

namespace Brrr.DynamoDb;

/// <summary>
/// An <see cref="ICache"/> on the table of a <see cref="DynamoDbStore"/> (<see cref="DynamoDbStoreSettings.TableName"/>),
/// so a fleet on DynamoDB and a queue without Redis can count spawns and failed runs, cancel roots, trace schedules and
/// run recurring schedules. Each of its items has the sort key <c>sk</c> = <c>cache</c>, a word the store never uses
/// (its sort keys are the type words: <c>call</c>, <c>value</c>, <c>pending_returns</c>, <c>error</c>,
/// <c>children</c>, <c>due</c>), and a partition key <c>pk</c> under <c>cache/</c>:
/// <list type="bullet">
/// <item><c>cache/count/&lt;root_id&gt;</c>: a root's spawn counter (number <c>count</c>), expiring
/// <see cref="DynamoDbStoreSettings.CounterExpiry"/> after it was created;</item>
/// <item><c>cache/attempts/&lt;call_hash&gt;</c>: the failed runs of a call (number <c>count</c>), expiring as the caller says;</item>
/// <item><c>cache/cancelled/&lt;root_id&gt;</c>: a root's cancel mark, expiring <see cref="DynamoDbStoreSettings.CancelExpiry"/>
/// after its last cancel;</item>
/// <item><c>cache/trace/&lt;root_id&gt;</c>: the trace context of a root's schedule (string <c>trace</c>), expiring
/// <see cref="DynamoDbStoreSettings.CounterExpiry"/> after it was set;</item>
/// <item><c>cache/schedule/&lt;name&gt;</c>: a recurring schedule's last claimed tick (number <c>last</c>, Unix ms, no
/// expiry) and its claimed ticks not yet pushed (map <c>unpushed</c>: Unix ms of the tick to Unix ms of its claim or last take).</item>
/// </list>
/// Expiring items carry the store's <c>expires_at</c> attribute (Unix seconds) and read as absent once it has passed,
/// whether or not DynamoDB's TTL has deleted them yet. Reads are always strongly consistent, whatever
/// <see cref="DynamoDbStoreSettings.ConsistentReads"/> says (which applies to the store). Each operation is one request
/// (a few in a lost race), under <see cref="DynamoDbStoreSettings.OperationTimeout"/>: past it the operation fails with a
/// <see cref="TimeoutException"/> naming the operation, table and key. Create the table with
/// <see cref="DynamoDbStore.EnsureTableAsync"/> before use. Thread safe.
/// </summary>
public sealed partial class DynamoDbCache : ICache
{
    private const string SortKeyValue = "cache";
    private const string CountAttribute = "count";
    private const string TraceAttribute = "trace";

    // "count" is a DynamoDB reserved word: expressions go through placeholders.
    private const string CountName = "#count";
    private const string One = ":one";

    private const string Increment = "ADD #count :one SET #expires = if_not_exists(#expires, :expires)";
    private const string Restart = "SET #count = :one, #expires = :expires";
    private const string HasExpired = "#expires <= :now";

    private readonly IAmazonDynamoDB _client;

    /// <summary>
    /// A cache over <paramref name="client"/>, which stays owned by the caller, on the table of <paramref name="settings"/>.
    /// Build the client with <see cref="DynamoDbClientFactory.CreateClient"/> so the retry settings apply; a store and a
    /// cache of the same settings can share it.
    /// </summary>
    public DynamoDbCache(IAmazonDynamoDB client, DynamoDbStoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        _client = client;
        Settings = settings;
    }

    /// <summary>The settings this cache was created with.</summary>
    public DynamoDbStoreSettings Settings { get; }

    /// <summary>The table holding this cache's items.</summary>
    public string TableName => Settings.TableName;

    /// <inheritdoc />
    /// <remarks>
    /// One <c>UpdateItem</c> (<c>ADD count 1</c>, setting <c>expires_at</c> only when it creates the counter); a counter
    /// past its expiry starts again at 1.
    /// </remarks>
    public Task<long> IncrAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return CountAsync(CounterKey(rootId), Settings.CounterExpiry, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> IncrAttemptsAsync(string callHash, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callHash);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        return CountAsync(AttemptsKey(callHash), expiry, cancellationToken);
    }

    /// <inheritdoc />
    public Task ClearAttemptsAsync(string callHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callHash);
        var pk = AttemptsKey(callHash);
        return SendAsync(
            "DeleteItem",
            pk,
            token => _client.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = Key(pk) }, token),
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Each cancel writes the mark again, expiring <see cref="DynamoDbStoreSettings.CancelExpiry"/> after it.</remarks>
    public Task CancelRootAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return PutAsync(CancelledKey(rootId), [], Settings.CancelExpiry, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> IsRootCancelledAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return await GetLiveAsync(CancelledKey(rootId), cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc />
    public Task SetRootTraceAsync(string rootId, string traceContext, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        ArgumentNullException.ThrowIfNull(traceContext);
        return PutAsync(TraceKey(rootId), new() { [TraceAttribute] = new AttributeValue { S = traceContext } }, Settings.CounterExpiry, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string?> GetRootTraceAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        var item = await GetLiveAsync(TraceKey(rootId), cancellationToken).ConfigureAwait(false);
        return item is not null && item.TryGetValue(TraceAttribute, out var trace) ? trace.S : null;
    }

    private static string CounterKey(string rootId) => "cache/count/" + rootId;

    private static string AttemptsKey(string callHash) => "cache/attempts/" + callHash;

    private static string CancelledKey(string rootId) => "cache/cancelled/" + rootId;

    private static string TraceKey(string rootId) => "cache/trace/" + rootId;

    private static Dictionary<string, AttributeValue> Key(string pk) => ItemLayout.KeyOf((pk, SortKeyValue));

    private static long NowSeconds() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    // Unix seconds, rounded up as the store's expiry is.
    private static AttributeValue ExpiresAt(TimeSpan expiry) => ItemLayout.Number(((DateTimeOffset.UtcNow + expiry).ToUnixTimeMilliseconds() + 999) / 1000);

    private static long NumberOf(AttributeValue value) => long.Parse(value.N, NumberStyles.Integer, CultureInfo.InvariantCulture);

    // ADD on a live or missing counter; a counter past its expiry (not yet deleted by DynamoDB's TTL) is restarted at 1
    // by a write conditional on its still being expired, and a lost race of that restart increments again.
    private async Task<long> CountAsync(string pk, TimeSpan expiry, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string> { [CountName] = CountAttribute, [ItemLayout.ExpiresAtName] = ItemLayout.ExpiresAtAttribute };
        while (true)
        {
            var values = new Dictionary<string, AttributeValue>
            {
                [One] = ItemLayout.Number(1),
                [ItemLayout.ExpiresAt] = ExpiresAt(expiry),
                [ItemLayout.Now] = ItemLayout.Number(NowSeconds()),
            };
            try
            {
                var response = await SendAsync(
                    "UpdateItem",
                    pk,
                    token => _client.UpdateItemAsync(
                        new UpdateItemRequest
                        {
                            TableName = TableName,
                            Key = Key(pk),
                            UpdateExpression = Increment,
                            ConditionExpression = ItemLayout.NotExpired,
                            ExpressionAttributeNames = names,
                            ExpressionAttributeValues = values,
                            ReturnValues = ReturnValue.UPDATED_NEW,
                        },
                        token),
                    cancellationToken).ConfigureAwait(false);
                return NumberOf(response.Attributes[CountAttribute]);
            }
            catch (ConditionalCheckFailedException)
            {
                // Expired: restart it below.
            }

            var restarted = await DynamoDbStore.ConditionallyAsync(SendAsync(
                "UpdateItem",
                pk,
                token => _client.UpdateItemAsync(
                    new UpdateItemRequest
                    {
                        TableName = TableName,
                        Key = Key(pk),
                        UpdateExpression = Restart,
                        ConditionExpression = HasExpired,
                        ExpressionAttributeNames = names,
                        ExpressionAttributeValues = values,
                    },
                    token),
                cancellationToken)).ConfigureAwait(false);
            if (restarted)
            {
                return 1;
            }
        }
    }

    private Task PutAsync(string pk, Dictionary<string, AttributeValue> attributes, TimeSpan expiry, CancellationToken cancellationToken)
    {
        var item = Key(pk);
        foreach (var (name, value) in attributes)
        {
            item[name] = value;
        }

        item[ItemLayout.ExpiresAtAttribute] = ExpiresAt(expiry);
        return SendAsync("PutItem", pk, token => _client.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item }, token), cancellationToken);
    }

    private async Task<Dictionary<string, AttributeValue>?> GetLiveAsync(string pk, CancellationToken cancellationToken)
    {
        var response = await SendAsync(
            "GetItem",
            pk,
            token => _client.GetItemAsync(new GetItemRequest { TableName = TableName, Key = Key(pk), ConsistentRead = true }, token),
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? ItemLayout.Live(item, NowSeconds()) : null;
    }

    // One request (the SDK's retries included) under the operation timeout.
    private async Task<TResponse> SendAsync<TResponse>(
        string operation, string pk, Func<CancellationToken, Task<TResponse>> send, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Settings.OperationTimeout);
        try
        {
            return await send(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (OperationLimits.RunInto(Settings, e, deadline.Token, cancellationToken) is { } limit)
        {
            throw new TimeoutException(
                $"DynamoDB {operation} of pk='{pk}', sk='{SortKeyValue}' on table '{TableName}' at {OperationLimits.Endpoint(Settings)} timed out: {limit}. " +
                $"The endpoint is unreachable, stalled or overloaded{(operation == "GetItem" ? "" : "; the write may or may not have been applied")}: " +
                "check it, or raise brrr.dynamodb.operation-timeout or request-timeout if it is only slow.",
                e);
        }
    }
}
