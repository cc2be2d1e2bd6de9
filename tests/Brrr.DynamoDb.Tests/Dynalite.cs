using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>One dynalite for every test class that needs a server; each class uses its own tables.</summary>
[CollectionDefinition(Name)]
public sealed class DynaliteCollection : ICollectionFixture<DynaliteServer>
{
    public const string Name = "dynalite";
}

/// <summary>Clients, settings and stores pointed at the collection's dynalite.</summary>
internal static class Dynalite
{
    public static DynamoDbStoreSettings Settings(DynaliteServer server, string table) =>
        DynamoDbStoreSettings.Default with { ServiceUrl = server.ServiceUrl, Region = "us-east-1", TableName = table };

    /// <summary>A table name no other test uses.</summary>
    public static string FreshTable(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static AmazonDynamoDBClient Client(DynaliteServer server) =>
        DynamoDbClientFactory.CreateClient(Settings(server, "unused"), new BasicAWSCredentials("dummy", "dummy"));

    /// <summary>A store owning its client, on an existing (created, ACTIVE) table.</summary>
    public static async Task<DynamoDbStore> StoreAsync(DynaliteServer server, string table)
    {
        var store = DynamoDbStore.Create(Settings(server, table), new BasicAWSCredentials("dummy", "dummy"));
        await store.EnsureTableAsync();
        return store;
    }
}

/// <summary>A test class on its own fresh table, with the store under test and a raw client to inspect items.</summary>
public abstract class FreshTableTest(DynaliteServer server, string prefix) : IAsyncLifetime
{
    protected DynaliteServer Server { get; } = server;

    protected string Table { get; } = Dynalite.FreshTable(prefix);

    protected AmazonDynamoDBClient Raw { get; } = Dynalite.Client(server);

    protected DynamoDbStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await Dynalite.StoreAsync(Server, Table);

    public Task DisposeAsync()
    {
        Store.Dispose();
        Raw.Dispose();
        return Task.CompletedTask;
    }
}
