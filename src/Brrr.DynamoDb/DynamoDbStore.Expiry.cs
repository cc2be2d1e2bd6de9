using Amazon.DynamoDBv2.Model;

namespace Brrr.DynamoDb;

public sealed partial class DynamoDbStore
{
    /// <inheritdoc />
    public bool CanExpire => true;

    /// <inheritdoc />
    /// <remarks>
    /// Sets the item's <c>expires_at</c> attribute (Unix seconds, rounded up), which the reference workers ignore:
    /// this store reads an item past it as absent at once, and DynamoDB deletes it within days once the table's TTL
    /// setting is on for <c>expires_at</c> (docs/operating.md); a <c>PutItem</c> or a conditional write of the store
    /// removes it. A missing or expired item is left alone.
    /// </remarks>
    public Task ExpireAsync(MemKey key, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        var at = (DateTimeOffset.UtcNow + ttl).ToUnixTimeMilliseconds();
        return UpdateIfLiveAsync(key, ItemLayout.SetExpiry, new() { [ItemLayout.ExpiresAt] = ItemLayout.Number((at + 999) / 1000) }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Removes the item's <c>expires_at</c> attribute unless it has passed.</remarks>
    public Task PersistAsync(MemKey key, CancellationToken cancellationToken = default) =>
        UpdateIfLiveAsync(key, ItemLayout.RemoveExpiry, [], cancellationToken);

    private static long NowSeconds() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static AttributeValue NowValue() => ItemLayout.Number(NowSeconds());

    // Conditional, so that an item that is missing or expired is not recreated as a bare key with an expiry.
    private Task UpdateIfLiveAsync(MemKey key, string update, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken)
    {
        values[ItemLayout.Now] = NowValue();
        return ConditionallyAsync(SendAsync(
            "UpdateItem",
            key,
            token => _client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = TableName,
                    Key = ItemLayout.Key(key),
                    UpdateExpression = update,
                    ConditionExpression = ItemLayout.ValueExistsAndLive,
                    ExpressionAttributeNames = ItemLayout.ValueAndExpiryNames(),
                    ExpressionAttributeValues = values,
                },
                token),
            cancellationToken));
    }
}
