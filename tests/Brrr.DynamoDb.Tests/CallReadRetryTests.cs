using Amazon.Runtime;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>
/// A missing <c>call</c> record is read again with backoff (PROTOCOL.md §3). The waits go through a hook so the tests
/// see every wait and can write the record during one, without timing assumptions.
/// </summary>
[Collection(DynaliteCollection.Name)]
public sealed class CallReadRetryTests(DynaliteServer server) : IAsyncLifetime
{
    private readonly List<TimeSpan> _waits = [];
    private readonly string _table = Dynalite.FreshTable("call-retry");
    private Func<int, Task> _duringWait = _ => Task.CompletedTask;
    private DynamoDbStore _store = null!;

    public async Task InitializeAsync()
    {
        var settings = Dynalite.Settings(server, _table);
        _store = new DynamoDbStore(
            DynamoDbClientFactory.CreateClient(settings, new BasicAWSCredentials("dummy", "dummy")),
            settings,
            ownsClient: true,
            async (delay, _) =>
            {
                _waits.Add(delay);
                await _duringWait(_waits.Count);
            });
        await _store.EnsureTableAsync();
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Backoff_is_25_50_100_200_milliseconds_and_capped_at_300()
    {
        Assert.Equal(4, CallReadBackoff.Retries);
        Assert.Equal(
            new[] { 25.0, 50, 100, 200, 300, 300 },
            Enumerable.Range(1, 6).Select(retry => CallReadBackoff.Delay(retry).TotalMilliseconds));
    }

    [Fact]
    public async Task Missing_call_record_is_retried_four_times_with_backoff_then_reads_as_null()
    {
        Assert.Null(await _store.GetAsync(MemKey.CallOf("h-" + Guid.NewGuid().ToString("N"))));

        Assert.Equal(new[] { 25.0, 50, 100, 200 }, _waits.Select(w => w.TotalMilliseconds));
    }

    [Fact]
    public async Task Call_record_that_appears_during_the_backoff_is_returned()
    {
        var key = MemKey.CallOf("h-" + Guid.NewGuid().ToString("N"));
        _duringWait = async wait =>
        {
            if (wait == 2)
            {
                await _store.SetAsync(key, [9, 9]);
            }
        };

        Assert.Equal(new byte[] { 9, 9 }, await _store.GetAsync(key));
        Assert.Equal(2, _waits.Count);
    }

    [Theory]
    [InlineData(MemKeyType.Value)]
    [InlineData(MemKeyType.PendingReturns)]
    public async Task Missing_value_or_pending_returns_is_read_once_without_waiting(MemKeyType type)
    {
        Assert.Null(await _store.GetAsync(new MemKey(type, "h-" + Guid.NewGuid().ToString("N"))));

        Assert.Empty(_waits);
    }

    [Fact]
    public async Task Has_does_not_wait_for_a_missing_call_record()
    {
        Assert.False(await _store.HasAsync(MemKey.CallOf("h-" + Guid.NewGuid().ToString("N"))));

        Assert.Empty(_waits);
    }
}
