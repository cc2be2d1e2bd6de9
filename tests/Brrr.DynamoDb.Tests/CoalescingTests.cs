using System.Text;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>Concurrent reads leave as one BatchGetItem and concurrent puts as one BatchWriteItem, with the answers of single requests.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class CoalescingTests(DynaliteServer server) : FreshTableTest(server, "coalescing")
{
    // Far fewer than one request per operation, with room for a loaded machine splitting a burst.
    private const int FewRequests = 16;

    [Fact]
    public async Task Sixty_four_concurrent_gets_of_distinct_keys_return_their_bytes_or_null_in_far_fewer_requests()
    {
        var keys = Enumerable.Range(0, 64).Select(i => new MemKey((MemKeyType)(i % 3), Hash())).ToArray();
        foreach (var i in Enumerable.Range(0, 64).Where(i => i % 2 == 0))
        {
            await PutRawAsync(keys[i], Bytes($"value {i}"));
        }

        var before = Store.Requests;
        var values = await Task.WhenAll(keys.Select(key => Store.GetAsync(key)));

        Assert.All(Enumerable.Range(0, 64), i => Assert.Equal(i % 2 == 0 ? Bytes($"value {i}") : null, values[i]));
        Assert.InRange(Store.Requests - before, 1, FewRequests);
    }

    [Fact]
    public async Task The_records_of_one_call_read_together_leave_in_one_request()
    {
        var hash = Hash();
        await PutRawAsync(MemKey.ValueOf(hash), Bytes("value"));
        await PutRawAsync(MemKey.PendingReturnsOf(hash), Bytes("returns"));
        Assert.True(Store.ReadsManyAtOnce);

        var before = Store.Requests;
        var records = await Store.GetManyAsync([MemKey.ValueOf(hash), MemKey.ErrorOf(hash), MemKey.PendingReturnsOf(hash)]);

        Assert.Equal([Bytes("value"), null, Bytes("returns")], records);
        Assert.Equal(1, Store.Requests - before);
    }

    [Fact]
    public async Task Fifty_concurrent_sets_are_all_written_in_far_fewer_requests_and_read_back()
    {
        var keys = Enumerable.Range(0, 50).Select(_ => MemKey.ValueOf(Hash())).ToArray();

        var before = Store.Requests;
        await Task.WhenAll(keys.Select((key, i) => Store.SetAsync(key, Bytes($"set {i}"))));
        var written = Store.Requests - before;
        var values = await Task.WhenAll(keys.Select(key => Store.GetAsync(key)));

        Assert.InRange(written, 2, FewRequests);
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(Bytes($"set {i}"), values[i]));
    }

    [Fact]
    public async Task Two_concurrent_sets_of_one_key_both_complete_and_leave_one_of_the_two_values()
    {
        var key = MemKey.PendingReturnsOf(Hash());

        await Task.WhenAll(Store.SetAsync(key, Bytes("first")), Store.SetAsync(key, Bytes("second")));

        Assert.Contains(Encoding.UTF8.GetString((await Store.GetAsync(key))!), new[] { "first", "second" });
    }

    [Fact]
    public async Task Concurrent_reads_of_one_key_all_get_the_bytes_each_in_an_array_of_their_own()
    {
        var key = MemKey.CallOf(Hash());
        await Store.SetAsync(key, Bytes("shared"));

        var values = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Store.GetAsync(key)));

        Assert.All(values, value => Assert.Equal(Bytes("shared"), value));
        Assert.Equal(10, values.Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    [Fact]
    public async Task Malformed_item_among_a_batch_fails_only_its_own_reader_with_a_protocol_exception()
    {
        var keys = Enumerable.Range(0, 11).Select(_ => MemKey.ValueOf(Hash())).ToArray();
        foreach (var key in keys)
        {
            await PutRawAsync(key, Bytes(key.CallHash));
        }

        var malformed = keys[5];
        await Raw.PutItemAsync(new PutItemRequest
        {
            TableName = Table,
            Item = new() { ["pk"] = new() { S = malformed.CallHash }, ["sk"] = new() { S = "value" }, ["value"] = new() { S = "text" } },
        });

        var reads = keys.Select(key => Store.GetAsync(key)).ToArray();

        var error = await Assert.ThrowsAsync<ProtocolException>(() => reads[5]);
        Assert.Contains($"pk='{malformed.CallHash}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("sk='value'", error.Message, StringComparison.Ordinal);
        var others = Enumerable.Range(0, 11).Where(i => i != 5).ToArray();
        var values = await Task.WhenAll(others.Select(i => reads[i]));
        Assert.Equal(others.Select(i => Bytes(keys[i].CallHash)), values);
    }

    [Fact]
    public async Task Has_and_get_of_an_item_without_value_in_one_burst_answer_absent_and_protocol_error_as_single_reads_do()
    {
        var key = MemKey.ValueOf(Hash());
        await Raw.PutItemAsync(new PutItemRequest
        {
            TableName = Table,
            Item = new() { ["pk"] = new() { S = key.CallHash }, ["sk"] = new() { S = "value" } },
        });

        var has = Store.HasAsync(key);
        var get = Store.GetAsync(key);

        Assert.False(await has);
        await Assert.ThrowsAsync<ProtocolException>(() => get);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_and_sets_on_a_missing_table_fail_every_caller_with_resource_not_found(bool coalesce)
    {
        var settings = Dynalite.Settings(Server, Dynalite.FreshTable("missing")) with { Coalesce = coalesce };
        using var store = DynamoDbStore.Create(settings, new BasicAWSCredentials("dummy", "dummy"));

        var calls = Enumerable.Range(0, 8)
            .Select(i => i % 2 == 0 ? store.GetAsync(MemKey.ValueOf(Hash())) : store.SetAsync(MemKey.ValueOf(Hash()), [1]))
            .ToArray();

        foreach (var call in calls)
        {
            Assert.IsType<ResourceNotFoundException>(await Record.ExceptionAsync(() => call));
        }
    }

    [Fact]
    public async Task Store_with_coalescing_off_sends_one_request_per_operation()
    {
        using var store = DynamoDbStore.Create(Dynalite.Settings(Server, Table) with { Coalesce = false }, new BasicAWSCredentials("dummy", "dummy"));
        var keys = Enumerable.Range(0, 20).Select(_ => MemKey.ValueOf(Hash())).ToArray();

        await Task.WhenAll(keys.Select(key => store.SetAsync(key, [7])));
        var values = await Task.WhenAll(keys.Select(key => store.GetAsync(key)));

        Assert.All(values, value => Assert.Equal(new byte[] { 7 }, value));
        Assert.Equal(40, store.Requests);
    }

    private static string Hash() => "h-" + Guid.NewGuid().ToString("N");

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private Task PutRawAsync(MemKey key, byte[] value) => Raw.PutItemAsync(new PutItemRequest
    {
        TableName = Table,
        Item = new()
        {
            ["pk"] = new() { S = key.CallHash },
            ["sk"] = new() { S = key.TypeWord },
            ["value"] = new() { B = new MemoryStream(value) },
        },
    });
}
