using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>The bytes on the table are exactly PROTOCOL.md §3's, so Python and TypeScript workers can share it.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbLayoutTests(DynaliteServer server) : IAsyncLifetime
{
    private const string CallRecord = "d7:payload24:[{\"n\":10,\"salt\":\"abcd\"}]9:task_name3:fibe";
    private const string PendingReturns = "d7:returnslli1e1:a2:p11:teli1e1:b2:p11:tee12:scheduled_ati1700000000ee";

    private readonly string _table = Dynalite.FreshTable("layout");
    private readonly AmazonDynamoDBClient _raw = Dynalite.Client(server);
    private DynamoDbStore _store = null!;

    public async Task InitializeAsync() => _store = await Dynalite.StoreAsync(server, _table);

    public Task DisposeAsync()
    {
        _store.Dispose();
        _raw.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Call_record_is_one_item_with_pk_the_call_hash_sk_call_and_the_bytes_in_binary_value()
    {
        var hash = "5d460ecda1ca2397e5254c417c88fac37f684ce4b346d8e7c11cdfde98ebd70f";
        await _store.SetAsync(MemKey.CallOf(hash), Encoding.UTF8.GetBytes(CallRecord));

        var item = await RawItemAsync(hash, "call");

        Assert.Equal(["pk", "sk", "value"], item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(hash, item["pk"].S);
        Assert.Equal("call", item["sk"].S);
        Assert.NotNull(item["value"].B);
        Assert.Equal(CallRecord, Encoding.UTF8.GetString(item["value"].B.ToArray()));
    }

    [Fact]
    public async Task Pending_returns_record_is_stored_under_sk_pending_returns_byte_for_byte()
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        Assert.True(await _store.SetNewValueAsync(MemKey.PendingReturnsOf(hash), Encoding.UTF8.GetBytes(PendingReturns)));

        var item = await RawItemAsync(hash, "pending_returns");

        Assert.Equal(["pk", "sk", "value"], item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(hash, item["pk"].S);
        Assert.Equal("pending_returns", item["sk"].S);
        Assert.Equal(PendingReturns, Encoding.UTF8.GetString(item["value"].B.ToArray()));
    }

    [Fact]
    public async Task Value_is_stored_under_sk_value_and_compare_and_set_rewrites_the_same_attribute()
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        await _store.SetAsync(MemKey.ValueOf(hash), [1, 2, 3]);
        Assert.True(await _store.CompareAndSetAsync(MemKey.ValueOf(hash), [4, 5], [1, 2, 3]));

        var item = await RawItemAsync(hash, "value");

        Assert.Equal(["pk", "sk", "value"], item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new byte[] { 4, 5 }, item["value"].B.ToArray());
    }

    [Fact]
    public async Task Item_written_raw_as_another_worker_would_reads_back_through_the_store()
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        await _raw.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = new()
            {
                ["pk"] = new AttributeValue { S = hash },
                ["sk"] = new AttributeValue { S = "call" },
                ["value"] = new AttributeValue { B = new MemoryStream(Encoding.UTF8.GetBytes(CallRecord)) },
            },
        });

        Assert.Equal(CallRecord, Encoding.UTF8.GetString((await _store.GetAsync(MemKey.CallOf(hash)))!));
        Assert.False(await _store.HasAsync(MemKey.ValueOf(hash)));
    }

    [Fact]
    public async Task Created_table_has_key_schema_pk_hash_string_and_sk_range_string_and_pays_per_request()
    {
        var table = (await _raw.DescribeTableAsync(_table)).Table;

        Assert.Equal(
            ["pk HASH", "sk RANGE"],
            table.KeySchema.Select(k => $"{k.AttributeName} {k.KeyType.Value}").Order(StringComparer.Ordinal));
        Assert.Equal(
            ["pk S", "sk S"],
            table.AttributeDefinitions.Select(a => $"{a.AttributeName} {a.AttributeType.Value}").Order(StringComparer.Ordinal));
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary?.BillingMode);
    }

    private async Task<Dictionary<string, AttributeValue>> RawItemAsync(string pk, string sk)
    {
        var response = await _raw.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = new() { ["pk"] = new AttributeValue { S = pk }, ["sk"] = new AttributeValue { S = sk } },
            ConsistentRead = true,
        });
        Assert.NotNull(response.Item);
        return response.Item;
    }
}
