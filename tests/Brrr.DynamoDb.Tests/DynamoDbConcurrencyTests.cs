using System.Text;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>Conditional writes make DynamoDB's compare-and-set linearizable per key.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbConcurrencyTests(DynaliteServer server) : IAsyncLifetime
{
    private const int Contenders = 32;
    private const int Rounds = 10;

    private DynamoDbStore _store = null!;

    public async Task InitializeAsync() => _store = await Dynalite.StoreAsync(server, Dynalite.FreshTable("concurrency"));

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Thirty_two_concurrent_compare_and_sets_on_one_key_have_exactly_one_winner_in_each_of_ten_rounds()
    {
        var key = MemKey.PendingReturnsOf("h-" + Guid.NewGuid().ToString("N"));
        var current = Encoding.UTF8.GetBytes("round-0");
        await _store.SetAsync(key, current);
        for (var round = 1; round <= Rounds; round++)
        {
            var expected = current;
            var r = round;
            var results = await Task.WhenAll(Enumerable.Range(0, Contenders)
                .Select(i => Task.Run(() => _store.CompareAndSetAsync(key, Encoding.UTF8.GetBytes($"round-{r}-by-{i}"), expected))));

            var winner = Assert.Single(Enumerable.Range(0, Contenders), i => results[i]);
            current = Encoding.UTF8.GetBytes($"round-{round}-by-{winner}");
            Assert.Equal(current, await _store.GetAsync(key));
        }
    }

    [Fact]
    public async Task Thirty_two_concurrent_compare_and_deletes_of_one_value_have_exactly_one_winner()
    {
        var key = MemKey.PendingReturnsOf("h-" + Guid.NewGuid().ToString("N"));
        await _store.SetAsync(key, [42]);

        var results = await Task.WhenAll(Enumerable.Range(0, Contenders)
            .Select(_ => Task.Run(() => _store.CompareAndDeleteAsync(key, [42]))));

        Assert.Single(results, won => won);
        Assert.False(await _store.HasAsync(key));
    }
}
