using Amazon.Runtime;
using Brrr.Backends;
using Brrr.Contracts;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>The shared <see cref="IStore"/> suite, unchanged, against a real dynalite.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbStoreContractTests(DynaliteServer server) : StoreContract, IAsyncLifetime
{
    // Every test of the suite uses fresh call hashes, so they share one table.
    private const string Table = "store-contract";

    private readonly DynamoDbStore _store = DynamoDbStore.Create(Dynalite.Settings(server, Table), new BasicAWSCredentials("dummy", "dummy"));

    protected override IStore CreateStore() => _store;

    public Task InitializeAsync() => _store.EnsureTableAsync();

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The shared <see cref="IStore"/> suite again, with coalescing off: one request per operation.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class UncoalescedDynamoDbStoreContractTests(DynaliteServer server) : StoreContract, IAsyncLifetime
{
    private const string Table = "store-contract-uncoalesced";

    private readonly DynamoDbStore _store = DynamoDbStore.Create(
        Dynalite.Settings(server, Table) with { Coalesce = false }, new BasicAWSCredentials("dummy", "dummy"));

    protected override IStore CreateStore() => _store;

    public Task InitializeAsync() => _store.EnsureTableAsync();

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }
}
