using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>The bytes on the table are exactly PROTOCOL.md §3's, so Python and TypeScript workers can share it.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbLayoutTests(DynaliteServer server) : FreshTableTest(server, "layout")
{
    private const string CallRecord = "d7:payload24:[{\"n\":10,\"salt\":\"abcd\"}]9:task_name3:fibe";
    private const string PendingReturns = "d7:returnslli1e1:a2:p11:teli1e1:b2:p11:tee12:scheduled_ati1700000000ee";

    [Fact]
    public async Task Call_record_is_one_item_with_pk_the_call_hash_sk_call_and_the_bytes_in_binary_value()
    {
        var hash = "5d460ecda1ca2397e5254c417c88fac37f684ce4b346d8e7c11cdfde98ebd70f";
        await Store.SetAsync(MemKey.CallOf(hash), Encoding.UTF8.GetBytes(CallRecord));

        var item = await RawItemAsync(hash, "call");

        Assert.Equal(["pk", "sk", "value"], item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(hash, item["pk"].S);
        Assert.Equal("call", item["sk"].S);
        Assert.NotNull(item["value"].B);
        Assert.Equal(CallRecord, Encoding.UTF8.GetString(item["value"].B.ToArray()));
    }

    [Fact]
    public async Task Pending_returns_record_isStored_under_sk_pending_returns_byte_for_byte()
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        Assert.True(await Store.SetNewValueAsync(MemKey.PendingReturnsOf(hash), Encoding.UTF8.GetBytes(PendingReturns)));

        var item = await RawItemAsync(hash, "pending_returns");

        Assert.Equal(["pk", "sk", "value"], item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(hash, item["pk"].S);
        Assert.Equal("pending_returns", item["sk"].S);
        Assert.Equal(PendingReturns, Encoding.UTF8.GetString(item["value"].B.ToArray()));
    }

    [Fact]
    public async Task The_children_record_of_a_BrrrAkka_worker_is_stored_under_sk_children_beside_the_reference_items()
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        await Store.SetAsync(new MemKey(MemKeyType.Children, hash), [7, 8]);

        var item = await RawItemAsync(hash, "children");

        Assert.Equal(["pk", "sk", "value"], item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("children", item["sk"].S);
        Assert.Equal(new byte[] { 7, 8 }, item["value"].B.ToArray());
    }

    [Fact]
    public async Task Value_isStored_under_sk_value_and_compare_and_set_rewrites_the_same_attribute()
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        await Store.SetAsync(MemKey.ValueOf(hash), [1, 2, 3]);
        Assert.True(await Store.CompareAndSetAsync(MemKey.ValueOf(hash), [4, 5], [1, 2, 3]));

        var item = await RawItemAsync(hash, "value");

        Assert.Equal(["pk", "sk", "value"], item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new byte[] { 4, 5 }, item["value"].B.ToArray());
    }

    [Fact]
    public async Task Item_writtenRaw_as_another_worker_would_reads_back_through_theStore()
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        await Raw.PutItemAsync(new PutItemRequest
        {
            TableName = Table,
            Item = new()
            {
                ["pk"] = new AttributeValue { S = hash },
                ["sk"] = new AttributeValue { S = "call" },
                ["value"] = new AttributeValue { B = new MemoryStream(Encoding.UTF8.GetBytes(CallRecord)) },
            },
        });

        Assert.Equal(CallRecord, Encoding.UTF8.GetString((await Store.GetAsync(MemKey.CallOf(hash)))!));
        Assert.False(await Store.HasAsync(MemKey.ValueOf(hash)));
    }

    [Fact]
    public async Task CreatedTable_has_key_schema_pk_hash_string_and_sk_range_string_and_pays_per_request()
    {
        var table = (await Raw.DescribeTableAsync(Table)).Table;

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
        var response = await Raw.GetItemAsync(new GetItemRequest
        {
            TableName = Table,
            Key = new() { ["pk"] = new AttributeValue { S = pk }, ["sk"] = new AttributeValue { S = sk } },
            ConsistentRead = true,
        });
        Assert.NotNull(response.Item);
        return response.Item;
    }
}
