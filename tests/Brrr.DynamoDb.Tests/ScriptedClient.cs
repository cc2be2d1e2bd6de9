using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>
/// A client of the collection's dynalite whose batch requests a test can hold back (<see cref="Hold"/>) or answer
/// partly, leaving the last keys or items unprocessed (<see cref="LeaveUnprocessed"/>) as a throttled DynamoDB does.
/// </summary>
internal sealed class ScriptedClient(DynaliteServer server)
    : AmazonDynamoDBClient(new BasicAWSCredentials("dummy", "dummy"), DynamoDbClientFactory.CreateConfig(Dynalite.Settings(server, "unused")))
{
    private int _batches;

    /// <summary>Every batch request waits for this task before it is sent on.</summary>
    public Task Hold { get; set; } = Task.CompletedTask;

    /// <summary>How many keys or items to leave unprocessed in batch request number n (1-based).</summary>
    public Func<int, int> LeaveUnprocessed { get; set; } = _ => 0;

    /// <summary>The call hashes of each batch request, in the order they were made.</summary>
    public ConcurrentQueue<string[]> Batches { get; } = new();

    /// <summary>Waits until a batch request has carried each of <paramref name="keys"/> (at most 10 s, else the test fails).</summary>
    public async Task WaitUntilSentAsync(params MemKey[] keys)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!keys.All(key => Batches.Any(batch => batch.Contains(key.CallHash))))
        {
            Assert.True(DateTime.UtcNow < deadline, "every key reached the client within 10 s");
            await Task.Delay(5);
        }
    }

    public override async Task<BatchGetItemResponse> BatchGetItemAsync(BatchGetItemRequest request, CancellationToken cancellationToken = default)
    {
        var (table, asked) = request.RequestItems.Single();
        var (sent, left) = await SplitAsync(asked.Keys);
        var response = sent.Count == 0
            ? new BatchGetItemResponse { Responses = new() { [table] = [] } }
            : await base.BatchGetItemAsync(
                new BatchGetItemRequest { RequestItems = new() { [table] = new KeysAndAttributes { Keys = sent, ConsistentRead = asked.ConsistentRead } } },
                cancellationToken);
        if (left.Count > 0)
        {
            response.UnprocessedKeys = new() { [table] = new KeysAndAttributes { Keys = left, ConsistentRead = asked.ConsistentRead } };
        }

        return response;
    }

    public override async Task<BatchWriteItemResponse> BatchWriteItemAsync(BatchWriteItemRequest request, CancellationToken cancellationToken = default)
    {
        var (table, asked) = request.RequestItems.Single();
        var (sent, left) = await SplitAsync(asked);
        var response = sent.Count == 0
            ? new BatchWriteItemResponse()
            : await base.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [table] = sent } }, cancellationToken);
        if (left.Count > 0)
        {
            response.UnprocessedItems = new() { [table] = left };
        }

        return response;
    }

    private async Task<(List<T> Sent, List<T> Left)> SplitAsync<T>(List<T> asked)
    {
        var number = Interlocked.Increment(ref _batches);
        Batches.Enqueue(asked.Select(HashOf).ToArray());
        await Hold;
        var sent = Math.Max(0, asked.Count - LeaveUnprocessed(number));
        return (asked[..sent], asked[sent..]);
    }

    private static string HashOf<T>(T keyOrRequest) => keyOrRequest switch
    {
        Dictionary<string, AttributeValue> key => key["pk"].S,
        WriteRequest write => write.PutRequest.Item["pk"].S,
        _ => throw new ArgumentException($"not a key or write request: {keyOrRequest}", nameof(keyOrRequest)),
    };
}
