using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>
/// Batches that DynamoDB refuses as a whole because of one item: their entries are sent again one by one, so only the
/// callers of the bad items fail. The test operations are queued while two batches are held back, so they all leave
/// together in the next one.
/// </summary>
[Collection(DynaliteCollection.Name)]
public sealed class BatchItemFaultTests(DynaliteServer server) : IAsyncLifetime
{
    // DynamoDB's limits: an item of at most 400 KB, a partition key of at most 2048 bytes.
    private const int OversizeValue = 400 * 1024 + 1;
    private static readonly string s_overlongHash = new('h', 2049);

    private readonly ScriptedClient _client = new(server);
    private DynamoDbStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new DynamoDbStore(_client, Dynalite.Settings(server, Dynalite.FreshTable("batch-item-faults")), ownsClient: true, Task.Delay);
        await _store.EnsureTableAsync();
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_oversize_value_among_concurrent_sets_fails_only_its_own_caller_and_the_others_are_stored()
    {
        var good = Enumerable.Range(0, 20).Select(_ => MemKey.ValueOf(Hash())).ToArray();
        var oversize = MemKey.ValueOf(Hash());
        var release = await HoldBothFlushesAsync(key => _store.SetAsync(key, Bytes("held")));

        var sets = good.Select(key => _store.SetAsync(key, Bytes(key.CallHash))).Append(_store.SetAsync(oversize, new byte[OversizeValue])).ToArray();
        await release();

        var error = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => sets[^1]);
        await Task.WhenAll(sets[..^1]);
        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Contains(_client.Batches, batch => batch.Length == good.Length + 1 && batch.Contains(oversize.CallHash));
        Assert.Equal(good.Select(key => Bytes(key.CallHash)), await Task.WhenAll(good.Select(key => _store.GetAsync(key))));
        Assert.Null(await _store.GetAsync(oversize));
    }

    [Fact]
    public async Task A_read_of_an_overlong_key_among_concurrent_reads_fails_only_its_own_caller()
    {
        var good = Enumerable.Range(0, 20).Select(_ => MemKey.ValueOf(Hash())).ToArray();
        await Task.WhenAll(good.Select(key => _store.SetAsync(key, Bytes(key.CallHash))));
        var release = await HoldBothFlushesAsync(key => _store.GetAsync(key));

        var reads = good.Select(key => _store.GetAsync(key)).Append(_store.GetAsync(MemKey.ValueOf(s_overlongHash))).ToArray();
        await release();

        var error = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => reads[^1]);
        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Equal(good.Select(key => Bytes(key.CallHash)), await Task.WhenAll(reads[..^1]));
        Assert.Contains(_client.Batches, batch => batch.Length == good.Length + 1 && batch.Contains(s_overlongHash));
    }

    [Fact]
    public async Task An_error_that_hits_every_item_alike_fails_the_batch_without_sending_each_item_alone()
    {
        using var missingTable = new DynamoDbStore(_client, Dynalite.Settings(server, Dynalite.FreshTable("never-created")), ownsClient: false, Task.Delay);
        var keys = Enumerable.Range(0, 5).Select(_ => MemKey.ValueOf(Hash())).ToArray();

        var sets = keys.Select(key => missingTable.SetAsync(key, Bytes(key.CallHash))).ToArray();

        foreach (var set in sets)
        {
            await Assert.ThrowsAsync<ResourceNotFoundException>(() => set);
        }

        Assert.Equal(_client.Batches.Count, missingTable.Requests);
    }

    // Sends two operations of one kind and holds their batches back, so that the store's two flushes of that kind are
    // busy and what is queued next leaves in one batch once the returned function releases them.
    private async Task<Func<Task>> HoldBothFlushesAsync(Func<MemKey, Task> operation)
    {
        var hold = new TaskCompletionSource();
        _client.Hold = hold.Task;
        var held = new List<Task>();
        foreach (var key in new[] { MemKey.ValueOf(Hash()), MemKey.ValueOf(Hash()) })
        {
            held.Add(operation(key));
            await _client.WaitUntilSentAsync(key);
        }

        return () =>
        {
            _client.Hold = Task.CompletedTask;
            hold.SetResult();
            return Task.WhenAll(held);
        };
    }

    private static string Hash() => "h-" + Guid.NewGuid().ToString("N");

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
