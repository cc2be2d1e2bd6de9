using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>EnsureTableAsync and DeleteTableAsync against a real dynalite, each test on its own table.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class TableManagementTests(DynaliteServer server) : IDisposable
{
    private readonly AmazonDynamoDBClient _raw = Dynalite.Client(server);

    public void Dispose() => _raw.Dispose();

    [Fact]
    public async Task Ensure_table_creates_a_missing_table_and_leaves_it_active()
    {
        var table = Dynalite.FreshTable("ensure");
        using var store = NewStore(table);

        await store.EnsureTableAsync();

        Assert.Equal(TableStatus.ACTIVE, (await _raw.DescribeTableAsync(table)).Table.TableStatus);
        await store.SetAsync(MemKey.ValueOf("h"), [1]);
        Assert.Equal(new byte[] { 1 }, await store.GetAsync(MemKey.ValueOf("h")));
    }

    [Fact]
    public async Task Ensure_table_twice_keeps_the_table_and_its_items()
    {
        var table = Dynalite.FreshTable("ensure-twice");
        using var store = NewStore(table);
        await store.EnsureTableAsync();
        await store.SetAsync(MemKey.ValueOf("h"), [7]);

        await store.EnsureTableAsync();

        Assert.Equal(new byte[] { 7 }, await store.GetAsync(MemKey.ValueOf("h")));
    }

    [Fact]
    public async Task Ensure_table_from_two_processes_at_once_succeeds_for_both()
    {
        var table = Dynalite.FreshTable("ensure-race");
        using var first = NewStore(table);
        using var second = NewStore(table);

        await Task.WhenAll(Task.Run(() => first.EnsureTableAsync()), Task.Run(() => second.EnsureTableAsync()));

        Assert.Equal(TableStatus.ACTIVE, (await _raw.DescribeTableAsync(table)).Table.TableStatus);
        await first.SetAsync(MemKey.CallOf("h"), [1]);
        Assert.Equal(new byte[] { 1 }, await second.GetAsync(MemKey.CallOf("h")));
    }

    [Fact]
    public async Task Ensure_table_creates_a_provisioned_table_with_the_configured_capacity()
    {
        var table = Dynalite.FreshTable("provisioned");
        using var store = NewStore(table, s => s with { BillingMode = DynamoDbBillingMode.Provisioned, ReadCapacityUnits = 3, WriteCapacityUnits = 4 });

        await store.EnsureTableAsync();

        var throughput = (await _raw.DescribeTableAsync(table)).Table.ProvisionedThroughput;
        Assert.Equal(3, throughput.ReadCapacityUnits);
        Assert.Equal(4, throughput.WriteCapacityUnits);
    }

    [Fact]
    public async Task Ensure_table_refuses_an_existing_table_with_another_key_schema()
    {
        var table = Dynalite.FreshTable("foreign");
        await _raw.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        using var store = NewStore(table);

        var error = await Assert.ThrowsAsync<ProtocolException>(() => store.EnsureTableAsync());

        Assert.Contains(table, error.Message, StringComparison.Ordinal);
        Assert.Contains("id HASH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_table_removes_the_table_and_deleting_a_missing_table_is_fine()
    {
        var table = Dynalite.FreshTable("delete");
        using var store = NewStore(table);
        await store.EnsureTableAsync();

        await store.DeleteTableAsync();

        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _raw.DescribeTableAsync(table));
        await store.DeleteTableAsync();
    }

    [Fact]
    public async Task Ensure_table_after_delete_table_starts_from_an_empty_table()
    {
        var table = Dynalite.FreshTable("reset");
        using var store = NewStore(table);
        await store.EnsureTableAsync();
        await store.SetAsync(MemKey.ValueOf("h"), [1]);

        await store.DeleteTableAsync();
        await store.EnsureTableAsync();

        Assert.False(await store.HasAsync(MemKey.ValueOf("h")));
    }

    private DynamoDbStore NewStore(string table, Func<DynamoDbStoreSettings, DynamoDbStoreSettings>? change = null)
    {
        var settings = Dynalite.Settings(server, table);
        return DynamoDbStore.Create(change is null ? settings : change(settings), new BasicAWSCredentials("dummy", "dummy"));
    }
}
