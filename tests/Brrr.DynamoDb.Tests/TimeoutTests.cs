using System.Text;
using Amazon.Runtime;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>Stores whose endpoint stops answering: a dynalite behind a <see cref="StallingProxy"/>.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class TimeoutTests(DynaliteServer server) : IAsyncLifetime
{
    // Far above every timeout under test: a store that does not time out fails the test instead of hanging it.
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(30);

    private readonly string _table = Dynalite.FreshTable("timeouts");
    private readonly StallingProxy _proxy = new(server.ServiceUrl);

    public async Task InitializeAsync()
    {
        using var direct = await Dynalite.StoreAsync(server, _table);
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Theory]
    [InlineData(false, "GetItem")]
    [InlineData(true, "BatchGetItem")]
    public async Task A_read_of_a_stalled_endpoint_fails_at_the_operation_timeout_naming_operation_table_and_key(bool coalesce, string operation)
    {
        using var store = Store(coalesce, requestTimeout: s_hang, operationTimeout: TimeSpan.FromMilliseconds(500));
        var key = MemKey.ValueOf(Hash());
        _proxy.Stalled = true;

        var error = await Assert.ThrowsAsync<DynamoDbTimeoutException>(() => store.GetAsync(key).WaitAsync(s_hang));

        AssertNames(error, operation, key, "brrr.dynamodb.operation-timeout = 0.5s");
        Assert.DoesNotContain("write", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
    }

    [Theory]
    [InlineData(false, "PutItem")]
    [InlineData(true, "BatchWriteItem")]
    public async Task A_write_to_a_stalled_endpoint_fails_once_the_sdk_gives_up_on_its_timed_out_attempts(bool coalesce, string operation)
    {
        using var store = Store(coalesce, requestTimeout: TimeSpan.FromMilliseconds(300), operationTimeout: s_hang);
        var key = MemKey.CallOf(Hash());
        _proxy.Stalled = true;

        var error = await Assert.ThrowsAsync<DynamoDbTimeoutException>(() => store.SetAsync(key, Bytes("lost")).WaitAsync(s_hang));

        AssertNames(error, operation, key, "brrr.dynamodb.request-timeout = 0.3s");
        Assert.Contains("the write may or may not have been applied", error.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task A_conditional_write_to_a_stalled_endpoint_fails_as_a_timed_out_update_item()
    {
        using var store = Store(coalesce: true, requestTimeout: s_hang, operationTimeout: TimeSpan.FromMilliseconds(500));
        var key = MemKey.PendingReturnsOf(Hash());
        _proxy.Stalled = true;

        var error = await Assert.ThrowsAsync<DynamoDbTimeoutException>(() => store.SetNewValueAsync(key, Bytes("new")).WaitAsync(s_hang));

        AssertNames(error, "UpdateItem", key, "operation-timeout");
    }

    [Fact]
    public async Task The_store_that_timed_out_reads_and_writes_again_once_its_endpoint_answers()
    {
        using var store = Store(coalesce: true, requestTimeout: s_hang, operationTimeout: TimeSpan.FromMilliseconds(500));
        var before = MemKey.ValueOf(Hash());
        var after = MemKey.ValueOf(Hash());
        await store.SetAsync(before, Bytes("before"));
        _proxy.Stalled = true;
        await Assert.ThrowsAsync<DynamoDbTimeoutException>(() => store.GetAsync(before).WaitAsync(s_hang));

        _proxy.Stalled = false;
        await store.SetAsync(after, Bytes("after"));

        Assert.Equal(Bytes("before"), await store.GetAsync(before));
        Assert.Equal(Bytes("after"), await store.GetAsync(after));
    }

    private void AssertNames(DynamoDbTimeoutException error, string operation, MemKey key, string limit)
    {
        Assert.Equal(operation, error.Operation);
        Assert.Equal(_table, error.TableName);
        Assert.Equal(key, error.Key);
        Assert.Equal(_proxy.ServiceUrl.ToString(), error.Endpoint);
        Assert.Contains($"DynamoDB {operation} of pk='{key.CallHash}', sk='{key.TypeWord}' on table '{_table}' at {_proxy.ServiceUrl}", error.Message, StringComparison.Ordinal);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        Assert.Contains(limit, error.Message, StringComparison.Ordinal);
    }

    private DynamoDbStore Store(bool coalesce, TimeSpan requestTimeout, TimeSpan operationTimeout) => DynamoDbStore.Create(
        Dynalite.Settings(server, _table) with
        {
            ServiceUrl = _proxy.ServiceUrl,
            Coalesce = coalesce,
            MaxErrorRetries = 1,
            RequestTimeout = requestTimeout,
            OperationTimeout = operationTimeout,
        },
        new BasicAWSCredentials("dummy", "dummy"));

    private static string Hash() => "h-" + Guid.NewGuid().ToString("N");

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
