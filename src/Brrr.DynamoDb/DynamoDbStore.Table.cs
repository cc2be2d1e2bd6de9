using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Brrr.DynamoDb;

public sealed partial class DynamoDbStore
{
    private static readonly TimeSpan s_firstPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_longestPoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Creates the table if it does not exist (billing mode of the settings) and waits until it is ACTIVE. Safe to
    /// call from many processes at once: a table another process created meanwhile is fine. An existing table must
    /// have the key schema of PROTOCOL.md §3 (<c>pk</c> HASH S, <c>sk</c> RANGE S).
    /// </summary>
    /// <exception cref="ProtocolException">The existing table has another key schema.</exception>
    /// <exception cref="TimeoutException">The table was not ACTIVE within <see cref="DynamoDbStoreSettings.TableReadyTimeout"/>.</exception>
    public async Task EnsureTableAsync(CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + Settings.TableReadyTimeout;
        var poll = s_firstPoll;
        while (true)
        {
            var table = await DescribeOrNullAsync(cancellationToken).ConfigureAwait(false);
            if (table is null)
            {
                await CreateTableAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (table.TableStatus == TableStatus.ACTIVE)
            {
                CheckKeySchema(table);
                return;
            }

            poll = await PollAsync(deadline, poll, "to become ACTIVE", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes the table with every record in it and waits until it is gone. Deleting a missing table is fine.
    /// Meant for resetting a development or test environment: workers sharing the table lose their state.
    /// </summary>
    /// <exception cref="TimeoutException">The table was still there after <see cref="DynamoDbStoreSettings.TableReadyTimeout"/>.</exception>
    public async Task DeleteTableAsync(CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + Settings.TableReadyTimeout;
        var poll = s_firstPoll;
        while (true)
        {
            var table = await DescribeOrNullAsync(cancellationToken).ConfigureAwait(false);
            if (table is null)
            {
                return;
            }

            if (table.TableStatus != TableStatus.DELETING)
            {
                try
                {
                    await _client.DeleteTableAsync(new DeleteTableRequest { TableName = TableName }, cancellationToken).ConfigureAwait(false);
                }
                catch (ResourceNotFoundException)
                {
                    return;
                }
                catch (ResourceInUseException)
                {
                    // Being created or updated: deletable once that finishes.
                }
            }

            poll = await PollAsync(deadline, poll, "to be deleted", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        var request = new CreateTableRequest
        {
            TableName = TableName,
            KeySchema =
            [
                new KeySchemaElement(ItemLayout.PartitionKey, KeyType.HASH),
                new KeySchemaElement(ItemLayout.SortKey, KeyType.RANGE),
            ],
            AttributeDefinitions =
            [
                new AttributeDefinition(ItemLayout.PartitionKey, ScalarAttributeType.S),
                new AttributeDefinition(ItemLayout.SortKey, ScalarAttributeType.S),
            ],
        };
        if (Settings.BillingMode == DynamoDbBillingMode.Provisioned)
        {
            request.BillingMode = BillingMode.PROVISIONED;
            request.ProvisionedThroughput = new ProvisionedThroughput(Settings.ReadCapacityUnits, Settings.WriteCapacityUnits);
        }
        else
        {
            request.BillingMode = BillingMode.PAY_PER_REQUEST;
        }

        try
        {
            await _client.CreateTableAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceInUseException)
        {
            // Another process created it first; the caller waits for it to become ACTIVE.
        }
    }

    private async Task<TableDescription?> DescribeOrNullAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.DescribeTableAsync(new DescribeTableRequest { TableName = TableName }, cancellationToken).ConfigureAwait(false);
            return response.Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private async Task<TimeSpan> PollAsync(DateTime deadline, TimeSpan poll, string what, CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow >= deadline)
        {
            throw new TimeoutException(
                $"DynamoDB table '{TableName}' took longer than {Settings.TableReadyTimeout} {what}; raise brrr.dynamodb.table-ready-timeout or check the table in the AWS console.");
        }

        await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
        return Backoff.Next(poll, s_longestPoll);
    }

    private void CheckKeySchema(TableDescription table)
    {
        var keys = (table.KeySchema ?? []).Select(k => $"{k.AttributeName} {k.KeyType}").ToHashSet();
        var types = (table.AttributeDefinitions ?? []).ToDictionary(a => a.AttributeName, a => a.AttributeType?.Value);
        var expected = new[] { $"{ItemLayout.PartitionKey} {KeyType.HASH}", $"{ItemLayout.SortKey} {KeyType.RANGE}" };
        if (!keys.SetEquals(expected)
            || types.GetValueOrDefault(ItemLayout.PartitionKey) != ScalarAttributeType.S.Value
            || types.GetValueOrDefault(ItemLayout.SortKey) != ScalarAttributeType.S.Value)
        {
            var found = string.Join(", ", keys.Select(k => $"{k} {types.GetValueOrDefault(k.Split(' ')[0])}"));
            throw new ProtocolException(
                $"DynamoDB table '{TableName}' has the key schema [{found}], but brrr needs [pk HASH S, sk RANGE S] (PROTOCOL.md §3): use another table name or delete this table.");
        }
    }
}
