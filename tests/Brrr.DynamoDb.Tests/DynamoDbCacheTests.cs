using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Brrr.Backends;
using Brrr.Contracts;
using Brrr.Contracts.Servers;

namespace Brrr.DynamoDb.Tests;

/// <summary>The shared <see cref="ICache"/> suite, unchanged, against a real dynalite.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbCacheContract(DynaliteServer server) : CacheContract, IAsyncLifetime
{
    // Every test of the suite uses fresh keys, so they share one table.
    private const string Table = "cache-contract";

    private readonly DynamoDbStore _store = DynamoDbStore.Create(Dynalite.Settings(server, Table), new BasicAWSCredentials("dummy", "dummy"));
    private readonly Amazon.DynamoDBv2.AmazonDynamoDBClient _client = Dynalite.Client(server);

    protected override ICache CreateCache() => new DynamoDbCache(_client, Dynalite.Settings(server, Table));

    public Task InitializeAsync() => _store.EnsureTableAsync();

    public Task DisposeAsync()
    {
        _store.Dispose();
        _client.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The cache's items on the store's table: their layout, their expiry, and that they never meet the store's.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDbCacheTests(DynaliteServer server) : FreshTableTest(server, "cache")
{
    private DynamoDbCache? _cache;

    private DynamoDbCache Cache => _cache ??= new DynamoDbCache(Raw, Dynalite.Settings(Server, Table));

    private static string Fresh() => "r-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Store_items_whose_call_hash_is_a_cache_key_and_the_cache_s_items_of_the_same_id_never_meet()
    {
        var id = Fresh();
        var schedule = "s-" + id;
        string[] cacheKeys = ["cache/count/" + id, "cache/attempts/" + id, "cache/cancelled/" + id, "cache/trace/" + id, "cache/schedule/" + schedule];
        var types = Enum.GetValues<MemKeyType>();
        foreach (var hash in cacheKeys.Append(id))
        {
            foreach (var type in types)
            {
                await Store.SetAsync(new MemKey(type, hash), [(byte)type, 1]);
            }
        }

        Assert.Equal(1, await Cache.IncrAsync(id));
        Assert.Equal(1, await Cache.IncrAttemptsAsync(id, TimeSpan.FromMinutes(5)));
        await Cache.CancelRootAsync(id);
        await Cache.SetRootTraceAsync(id, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        var tick = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.True(await Cache.ClaimScheduleTickAsync(schedule, tick, TimeSpan.FromMinutes(5)));
        await Cache.ClearAttemptsAsync(id);

        foreach (var hash in cacheKeys.Append(id))
        {
            foreach (var type in types)
            {
                Assert.Equal(new byte[] { (byte)type, 1 }, await Store.GetAsync(new MemKey(type, hash)));
            }
        }

        foreach (var type in types)
        {
            var scanned = await Store.ScanAsync(type).Select(record => record.Key.CallHash).ToListAsync();
            Assert.Equal(cacheKeys.Append(id).Order(StringComparer.Ordinal), scanned.Order(StringComparer.Ordinal));
        }

        Assert.Equal(2, await Cache.IncrAsync(id));
        Assert.True(await Cache.IsRootCancelledAsync(id));
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", await Cache.GetRootTraceAsync(id));
        Assert.Equal(tick, await Cache.GetScheduleLastTickAsync(schedule));
        var cacheItems = (await ScanAsync()).Where(item => item["sk"].S == "cache").Select(item => item["pk"].S).Order(StringComparer.Ordinal);
        Assert.Equal(["cache/cancelled/" + id, "cache/count/" + id, "cache/schedule/" + schedule, "cache/trace/" + id], cacheItems);
    }

    [Fact]
    public async Task A_spawn_counter_is_one_item_whose_expiry_is_set_when_it_is_created_and_kept_by_later_increments()
    {
        var root = Fresh();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await Cache.IncrAsync(root);
        var created = await RawItemAsync("cache/count/" + root);
        await Cache.IncrAsync(root);
        var incremented = await RawItemAsync("cache/count/" + root);

        Assert.Equal(["count", "expires_at", "pk", "sk"], created.Keys.Order(StringComparer.Ordinal));
        var expiresAt = long.Parse(created["expires_at"].N, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt, before + (24 * 3600), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + (24 * 3600) + 1);
        Assert.Equal("2", incremented["count"].N);
        Assert.Equal(created["expires_at"].N, incremented["expires_at"].N);
    }

    [Fact]
    public async Task An_expired_spawn_counter_not_yet_deleted_by_the_table_s_ttl_reads_as_fresh_and_counts_from_one()
    {
        var root = Fresh();
        await PutExpiredAsync("cache/count/" + root, new() { ["count"] = new AttributeValue { N = "41" } });

        Assert.Equal(1, await Cache.IncrAsync(root));
        Assert.Equal(2, await Cache.IncrAsync(root));
        var item = await RawItemAsync("cache/count/" + root);
        Assert.True(long.Parse(item["expires_at"].N, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task An_attempt_count_starts_again_at_one_once_its_expiry_has_passed()
    {
        var hash = Fresh();
        Assert.Equal(1, await Cache.IncrAttemptsAsync(hash, TimeSpan.FromSeconds(1)));
        Assert.Equal(2, await Cache.IncrAttemptsAsync(hash, TimeSpan.FromSeconds(1)));

        // expires_at is in whole seconds rounded up: two seconds are past it.
        await Task.Delay(TimeSpan.FromSeconds(2.1));

        Assert.Equal(1, await Cache.IncrAttemptsAsync(hash, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task An_expired_cancel_mark_or_trace_context_reads_as_absent()
    {
        var root = Fresh();
        await PutExpiredAsync("cache/cancelled/" + root, []);
        await PutExpiredAsync("cache/trace/" + root, new() { ["trace"] = new AttributeValue { S = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } });

        Assert.False(await Cache.IsRootCancelledAsync(root));
        Assert.Null(await Cache.GetRootTraceAsync(root));
    }

    [Fact]
    public async Task Marking_a_tick_of_an_unknown_schedule_pushed_writes_nothing()
    {
        var schedule = Fresh();

        await Cache.MarkScheduleTickPushedAsync(schedule, DateTimeOffset.UnixEpoch.AddDays(1));

        Assert.DoesNotContain(await ScanAsync(), item => item["pk"].S == "cache/schedule/" + schedule);
        Assert.Null(await Cache.GetScheduleLastTickAsync(schedule));
    }

    [Fact]
    public async Task Concurrent_first_claims_of_increasing_ticks_of_a_new_schedule_leave_the_latest_as_last_and_every_winner_unpushed()
    {
        var schedule = Fresh();
        var start = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var ticks = Enumerable.Range(0, 20).Select(i => start.AddSeconds(i)).ToArray();

        var claims = await Task.WhenAll(ticks.Select(tick => Task.Run(() => Cache.ClaimScheduleTickAsync(schedule, tick, TimeSpan.FromMinutes(5)))));

        Assert.True(claims[^1]);
        Assert.Equal(ticks[^1], await Cache.GetScheduleLastTickAsync(schedule));
        var won = ticks.Where((_, i) => claims[i]).ToArray();
        Assert.Equal(won, await Cache.TakeUnpushedScheduleTicksAsync(schedule, TimeSpan.Zero, 100));
    }

    private async Task PutExpiredAsync(string pk, Dictionary<string, AttributeValue> attributes)
    {
        var item = new Dictionary<string, AttributeValue>(attributes)
        {
            ["pk"] = new AttributeValue { S = pk },
            ["sk"] = new AttributeValue { S = "cache" },
            ["expires_at"] = new AttributeValue { N = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 10).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        await Raw.PutItemAsync(new PutItemRequest { TableName = Table, Item = item });
    }

    private async Task<Dictionary<string, AttributeValue>> RawItemAsync(string pk)
    {
        var response = await Raw.GetItemAsync(new GetItemRequest
        {
            TableName = Table,
            Key = new() { ["pk"] = new AttributeValue { S = pk }, ["sk"] = new AttributeValue { S = "cache" } },
            ConsistentRead = true,
        });
        Assert.NotNull(response.Item);
        return response.Item;
    }

    private async Task<List<Dictionary<string, AttributeValue>>> ScanAsync() =>
        (await Raw.ScanAsync(new ScanRequest { TableName = Table, ConsistentRead = true })).Items;
}
