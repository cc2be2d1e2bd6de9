using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>Items not written by a brrr worker fail loudly, naming the item, instead of a NullReferenceException.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class MalformedItemTests(DynaliteServer server) : FreshTableTest(server, "malformed")
{
    [Theory]
    [InlineData(MemKeyType.Value, "value")]
    [InlineData(MemKeyType.Call, "call")]
    [InlineData(MemKeyType.PendingReturns, "pending_returns")]
    public async Task Value_attribute_written_as_a_string_is_a_protocol_error_naming_the_key(MemKeyType type, string sk)
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        await PutRawAsync(hash, sk, new AttributeValue { S = "not binary" });

        var error = await Assert.ThrowsAsync<ProtocolException>(() => Store.GetAsync(new MemKey(type, hash)));

        Assert.Contains($"pk='{hash}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"sk='{sk}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Table, error.Message, StringComparison.Ordinal);
        Assert.Contains("S (string)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Value_attribute_written_as_a_number_is_a_protocol_error_naming_its_type()
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        await PutRawAsync(hash, "value", new AttributeValue { N = "12" });

        var error = await Assert.ThrowsAsync<ProtocolException>(() => Store.GetAsync(MemKey.ValueOf(hash)));

        Assert.Contains($"pk='{hash}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("N (number)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MemKeyType.Value, "value")]
    [InlineData(MemKeyType.Call, "call")]
    public async Task Item_without_a_value_attribute_is_a_protocol_error_naming_the_key(MemKeyType type, string sk)
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        await PutRawAsync(hash, sk, value: null);

        var error = await Assert.ThrowsAsync<ProtocolException>(() => Store.GetAsync(new MemKey(type, hash)));

        Assert.Contains($"pk='{hash}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"sk='{sk}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no 'value' attribute", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Has_on_a_string_value_is_a_protocol_error_too()
    {
        var hash = "h-" + Guid.NewGuid().ToString("N");
        await PutRawAsync(hash, "value", new AttributeValue { S = "not binary" });

        var error = await Assert.ThrowsAsync<ProtocolException>(() => Store.HasAsync(MemKey.ValueOf(hash)));

        Assert.Contains($"pk='{hash}'", error.Message, StringComparison.Ordinal);
    }

    private Task PutRawAsync(string pk, string sk, AttributeValue? value)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["pk"] = new() { S = pk },
            ["sk"] = new() { S = sk },
        };
        if (value is not null)
        {
            item["value"] = value;
        }

        return Raw.PutItemAsync(new PutItemRequest { TableName = Table, Item = item });
    }
}
