using System.Text;
using Amazon.DynamoDBv2.Model;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>Coalesced requests under throttling and cancellation, through a client that holds back or partly answers batches.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class CoalescingFaultTests(DynaliteServer server) : IAsyncLifetime
{
    private readonly ScriptedClient _client = new(server);
    private DynamoDbStore _store = null!;

    public async Task InitializeAsync()
    {
        var settings = Dynalite.Settings(server, Dynalite.FreshTable("coalescing-faults")) with { MaxErrorRetries = 2 };
        _store = new DynamoDbStore(_client, settings, ownsClient: true, Task.Delay);
        await _store.EnsureTableAsync();
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Batch_backoff_ceiling_starts_at_50_ms_doubles_and_is_capped_at_20_s_and_the_wait_stays_under_it()
    {
        Assert.Equal(
            new[] { 50.0, 100, 200, 400, 20_000, 20_000 },
            new[] { 1, 2, 3, 4, 10, 40 }.Select(retry => BatchBackoff.Ceiling(retry).TotalMilliseconds));
        Assert.All(Enumerable.Range(1, 100), retry => Assert.InRange(BatchBackoff.Delay(retry % 8 + 1), TimeSpan.Zero, BatchBackoff.Ceiling(retry % 8 + 1)));
    }

    [Fact]
    public async Task Keys_left_unprocessed_are_read_again_until_every_reader_has_its_value()
    {
        var keys = Enumerable.Range(0, 6).Select(_ => MemKey.ValueOf(Hash())).ToArray();
        await Task.WhenAll(keys.Select(key => _store.SetAsync(key, Bytes(key.CallHash))));
        var firstRead = _client.Batches.Count + 1;
        _client.LeaveUnprocessed = n => n == firstRead ? 3 : 0;

        var values = await Task.WhenAll(keys.Select(key => _store.GetAsync(key)));

        Assert.Equal(keys.Select(key => Bytes(key.CallHash)), values);
        Assert.True(_client.Batches.Count > firstRead, "the unprocessed keys were sent again");
    }

    [Fact]
    public async Task Items_left_unprocessed_are_written_again_until_every_writer_is_done()
    {
        var keys = Enumerable.Range(0, 6).Select(_ => MemKey.CallOf(Hash())).ToArray();
        _client.LeaveUnprocessed = n => n == 1 ? 4 : 0;

        await Task.WhenAll(keys.Select(key => _store.SetAsync(key, Bytes(key.CallHash))));
        var values = await Task.WhenAll(keys.Select(key => _store.GetAsync(key)));

        Assert.Equal(keys.Select(key => Bytes(key.CallHash)), values);
    }

    [Fact]
    public async Task Keys_still_unprocessed_after_the_retries_fail_with_provisioned_throughput_exceeded()
    {
        _client.LeaveUnprocessed = _ => 1;

        var error = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => _store.GetAsync(MemKey.ValueOf(Hash())));

        Assert.Contains($"DynamoDB left 1 key(s) (of 1 in the batch) of a BatchGetItem on table '{_store.TableName}' unprocessed after 2 resends", error.Message, StringComparison.Ordinal);
        Assert.Contains("brrr.dynamodb.max-error-retries = 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(ProvisionedThroughputExceededException), error.ErrorCode);
        Assert.Equal(3, _client.Batches.Count);
    }

    [Fact]
    public async Task Cancelling_one_reader_leaves_the_others_of_its_batch_reading()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => MemKey.ValueOf(Hash())).ToArray();
        await Task.WhenAll(keys.Select(key => _store.SetAsync(key, Bytes(key.CallHash))));
        var hold = new TaskCompletionSource();
        _client.Hold = hold.Task;
        using var cancel = new CancellationTokenSource();

        var reads = new[] { _store.GetAsync(keys[0]), _store.GetAsync(keys[1], cancel.Token), _store.GetAsync(keys[2]) };
        await _client.WaitUntilSentAsync(keys);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reads[1]);
        hold.SetResult();
        Assert.Equal(Bytes(keys[0].CallHash), await reads[0]);
        Assert.Equal(Bytes(keys[2].CallHash), await reads[2]);
    }

    private static string Hash() => "h-" + Guid.NewGuid().ToString("N");

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
