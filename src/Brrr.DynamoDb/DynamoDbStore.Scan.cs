using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2.Model;
using Brrr.Backends;

namespace Brrr.DynamoDb;

public sealed partial class DynamoDbStore : IStoreScan
{
    /// <inheritdoc />
    /// <remarks>
    /// A paginated <c>Scan</c> of the whole table, filtered on the sort key (the type word), reading only <c>pk</c> and
    /// <c>value</c>; each page is one request under <c>brrr.dynamodb.operation-timeout</c>, and the read capacity it uses
    /// is that of the whole table. An item without a binary <c>value</c> is no record and is left out, as is one past its
    /// <c>expires_at</c> (<see cref="ExpireAsync"/>).
    /// </remarks>
    /// <exception cref="DynamoDbTimeoutException">A page got no answer in time.</exception>
    public async IAsyncEnumerable<StoredRecord> ScanAsync(MemKeyType type, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var typeWord = new MemKey(type, "").TypeWord;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new ScanRequest
            {
                TableName = TableName,
                FilterExpression = "#sk = :type AND " + ItemLayout.NotExpired,
                ProjectionExpression = "#pk, #value",
                ExpressionAttributeNames = new Dictionary<string, string>
                {
                    ["#pk"] = ItemLayout.PartitionKey,
                    ["#sk"] = ItemLayout.SortKey,
                    [ItemLayout.ValueName] = ItemLayout.ValueAttribute,
                    [ItemLayout.ExpiresAtName] = ItemLayout.ExpiresAtAttribute,
                },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":type"] = new() { S = typeWord }, [ItemLayout.Now] = NowValue() },
                ConsistentRead = Settings.ConsistentReads,
                ExclusiveStartKey = start,
            };
            var page = await SendAsync("Scan", new MemKey(type, "*"), token => _client.ScanAsync(request, token), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                if (item.TryGetValue(ItemLayout.PartitionKey, out var pk) && pk.S is { } callHash
                    && item.TryGetValue(ItemLayout.ValueAttribute, out var value) && value?.B is { } bytes)
                {
                    yield return new StoredRecord(new MemKey(type, callHash), bytes.ToArray());
                }
            }

            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
    }
}
