using System.Text;
using Brrr.Backends;

namespace Brrr.Contracts;

/// <summary>
/// The conformance suite of <see cref="IStore"/>: every store backend subclasses it unchanged.
/// Each test uses fresh random call hashes, so one server can serve every test.
/// </summary>
public abstract partial class StoreContract
{
    private readonly Lazy<IStore> _store;

    /// <summary>The store under test; created once per test.</summary>
    protected IStore Store => _store.Value;

    /// <summary>Sets up the suite; the backend is created once, on first use, even when tests use it from many threads.</summary>
    protected StoreContract() => _store = new Lazy<IStore>(CreateStore, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates the store under test.</summary>
    protected abstract IStore CreateStore();

    /// <summary>A key no other test uses.</summary>
    protected static MemKey FreshKey(MemKeyType type = MemKeyType.Value) => new(type, "test-" + Guid.NewGuid().ToString("N"));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task A_scan_lists_every_record_of_its_type_once_with_its_bytes_and_nothing_else()
    {
        var scan = Assert.IsAssignableFrom<IStoreScan>(Store);
        var run = Guid.NewGuid().ToString("N");
        var written = Enumerable.Range(0, 300).Select(i => new MemKey(MemKeyType.PendingReturns, $"scan-{run}-{i}")).ToList();
        await Task.WhenAll(written.Select(k => Store.SetAsync(k, Bytes(k.CallHash))));
        await Store.SetAsync(new MemKey(MemKeyType.Value, $"scan-{run}-value"), Bytes("a value"));
        await Store.SetAsync(new MemKey(MemKeyType.Call, $"scan-{run}-0"), Bytes("a call"));
        await Store.DeleteAsync(written[^1]);

        var found = new List<StoredRecord>();
        await foreach (var record in scan.ScanAsync(MemKeyType.PendingReturns))
        {
            if (record.Key.CallHash.StartsWith($"scan-{run}-", StringComparison.Ordinal))
            {
                found.Add(record);
            }
        }

        Assert.Equal(written.SkipLast(1).Select(k => k.CallHash).Order(StringComparer.Ordinal), found.Select(r => r.Key.CallHash).Order(StringComparer.Ordinal));
        Assert.All(found, r => Assert.Equal((MemKeyType.PendingReturns, r.Key.CallHash), (r.Key.Type, Encoding.UTF8.GetString(r.Value))));
    }

    [Fact]
    public async Task Missing_key_is_absent_and_reads_as_null()
    {
        var key = FreshKey();
        Assert.False(await Store.HasAsync(key));
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task Set_value_reads_back_byte_for_byte()
    {
        var key = FreshKey();
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Store.SetAsync(key, all);
        Assert.True(await Store.HasAsync(key));
        Assert.Equal(all, await Store.GetAsync(key));
    }

    [Fact]
    public async Task Large_value_reads_back_whole()
    {
        var key = FreshKey();
        var big = new byte[64 * 1024];
        new Random(7).NextBytes(big);
        await Store.SetAsync(key, big);
        Assert.Equal(big, await Store.GetAsync(key));
    }

    [Fact]
    public async Task Set_overwrites_the_previous_value()
    {
        var key = FreshKey();
        await Store.SetAsync(key, Bytes("one"));
        await Store.SetAsync(key, Bytes("two"));
        Assert.Equal(Bytes("two"), await Store.GetAsync(key));
    }

    [Fact]
    public async Task Delete_removes_the_key_and_deleting_a_missing_key_is_fine()
    {
        var key = FreshKey();
        await Store.SetAsync(key, Bytes("x"));
        await Store.DeleteAsync(key);
        Assert.False(await Store.HasAsync(key));
        await Store.DeleteAsync(key);
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task Keys_of_one_call_hash_are_independent_per_type()
    {
        var hash = "test-" + Guid.NewGuid().ToString("N");
        await Store.SetAsync(MemKey.CallOf(hash), Bytes("call"));
        await Store.SetAsync(MemKey.ValueOf(hash), Bytes("value"));
        Assert.Equal(Bytes("call"), await Store.GetAsync(MemKey.CallOf(hash)));
        Assert.Equal(Bytes("value"), await Store.GetAsync(MemKey.ValueOf(hash)));
        Assert.False(await Store.HasAsync(MemKey.PendingReturnsOf(hash)));
    }

    [Fact]
    public async Task A_children_record_is_a_key_of_its_own_beside_the_call_value_and_pending_returns()
    {
        var hash = "test-" + Guid.NewGuid().ToString("N");
        var memory = new Memory(Store);
        Assert.Null(await memory.GetChildrenAsync(hash));
        await Store.SetAsync(MemKey.CallOf(hash), Bytes("call"));
        var record = new ChildrenRecord(hash, "root-1", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), [new ChildLink("leaf", "child-hash", "topic-a")], Omitted: 2);

        await memory.SetChildrenAsync(record);

        var read = await memory.GetChildrenAsync(hash);
        Assert.NotNull(read);
        Assert.Equal((record.CallHash, record.RootId, record.DeferredAt, record.Omitted), (read.CallHash, read.RootId, read.DeferredAt, read.Omitted));
        Assert.Equal(record.Children, read.Children);
        Assert.Equal(Bytes("call"), await Store.GetAsync(MemKey.CallOf(hash)));
        Assert.False(await Store.HasAsync(MemKey.ValueOf(hash)));
        Assert.False(await Store.HasAsync(MemKey.PendingReturnsOf(hash)));
        await Store.DeleteAsync(new MemKey(MemKeyType.Children, hash));
        Assert.Null(await memory.GetChildrenAsync(hash));
        Assert.Equal(Bytes("call"), await Store.GetAsync(MemKey.CallOf(hash)));
    }

    [Fact]
    public async Task Set_new_value_writes_only_when_the_key_is_empty()
    {
        var key = FreshKey(MemKeyType.PendingReturns);
        Assert.True(await Store.SetNewValueAsync(key, Bytes("first")));
        Assert.False(await Store.SetNewValueAsync(key, Bytes("second")));
        Assert.Equal(Bytes("first"), await Store.GetAsync(key));
    }

    [Fact]
    public async Task Get_or_set_new_value_writes_when_the_key_is_empty_and_else_returns_the_bytes_there()
    {
        var key = FreshKey(MemKeyType.PendingReturns);
        Assert.Null(await Store.GetOrSetNewValueAsync(key, Bytes("first")));
        Assert.Equal(Bytes("first"), await Store.GetAsync(key));
        Assert.Equal(Bytes("first"), await Store.GetOrSetNewValueAsync(key, Bytes("second")));
        Assert.Equal(Bytes("first"), await Store.GetAsync(key));
    }

    [Fact]
    public async Task Of_many_concurrent_get_or_set_new_value_calls_on_one_key_exactly_one_writes()
    {
        var key = FreshKey(MemKeyType.PendingReturns);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Store.GetOrSetNewValueAsync(key, Bytes($"v{i}"))));
        Assert.Single(attempts, a => a is null);
        var stored = await Store.GetAsync(key);
        Assert.NotNull(stored);
        Assert.All(attempts.Where(a => a is not null), a => Assert.Equal(stored, a));
    }

    [Fact]
    public async Task Set_then_get_reads_after_the_write()
    {
        var written = FreshKey();
        var other = new MemKey(MemKeyType.PendingReturns, written.CallHash);
        Assert.Null(await Store.SetThenGetAsync(written, Bytes("value"), other));
        Assert.Equal(Bytes("value"), await Store.GetAsync(written));

        await Store.SetAsync(other, Bytes("returns"));
        Assert.Equal(Bytes("returns"), await Store.SetThenGetAsync(written, Bytes("again"), other));
        Assert.Equal(Bytes("new"), await Store.SetThenGetAsync(written, Bytes("new"), written));
    }

    [Fact]
    public async Task Compare_and_set_fails_on_a_missing_key_and_writes_nothing()
    {
        var key = FreshKey(MemKeyType.PendingReturns);
        Assert.False(await Store.CompareAndSetAsync(key, Bytes("new"), Bytes("old")));
        Assert.False(await Store.HasAsync(key));
    }

    [Fact]
    public async Task Compare_and_set_fails_on_other_bytes_and_succeeds_on_the_exact_bytes()
    {
        var key = FreshKey(MemKeyType.PendingReturns);
        await Store.SetAsync(key, Bytes("old"));
        Assert.False(await Store.CompareAndSetAsync(key, Bytes("new"), Bytes("ol")));
        Assert.False(await Store.CompareAndSetAsync(key, Bytes("new"), Bytes("old ")));
        Assert.Equal(Bytes("old"), await Store.GetAsync(key));
        Assert.True(await Store.CompareAndSetAsync(key, Bytes("new"), Bytes("old")));
        Assert.Equal(Bytes("new"), await Store.GetAsync(key));
    }

    [Fact]
    public async Task Compare_and_delete_removes_only_on_the_exact_bytes()
    {
        var key = FreshKey(MemKeyType.PendingReturns);
        Assert.False(await Store.CompareAndDeleteAsync(key, Bytes("v")));
        await Store.SetAsync(key, Bytes("v1"));
        Assert.False(await Store.CompareAndDeleteAsync(key, Bytes("v2")));
        Assert.True(await Store.HasAsync(key));
        Assert.True(await Store.CompareAndDeleteAsync(key, Bytes("v1")));
        Assert.False(await Store.HasAsync(key));
    }

    [Fact]
    public async Task Concurrent_compare_and_set_on_one_key_has_exactly_one_winner_each_round()
    {
        var key = FreshKey(MemKeyType.PendingReturns);
        var current = Bytes("round-0");
        await Store.SetAsync(key, current);
        for (var round = 1; round <= 10; round++)
        {
            var expected = current;
            var attempts = Enumerable.Range(0, 16)
                .Select(i => Task.Run(() => Store.CompareAndSetAsync(key, Bytes($"round-{round}-by-{i}"), expected)))
                .ToArray();
            var results = await Task.WhenAll(attempts);
            var winner = Assert.Single(Enumerable.Range(0, 16), i => results[i]);
            current = Bytes($"round-{round}-by-{winner}");
            Assert.Equal(current, await Store.GetAsync(key));
        }
    }

    [Fact]
    public async Task Concurrent_set_new_value_has_exactly_one_winner()
    {
        var key = FreshKey(MemKeyType.PendingReturns);
        var results = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(i => Task.Run(() => Store.SetNewValueAsync(key, Bytes($"by-{i}")))));
        var winner = Assert.Single(Enumerable.Range(0, 16), i => results[i]);
        Assert.Equal(Bytes($"by-{winner}"), await Store.GetAsync(key));
    }

    [Fact]
    public async Task Get_or_otherwise_reads_the_value_and_only_without_one_the_other_record()
    {
        var hash = "either-" + Guid.NewGuid().ToString("N");
        var (value, error) = (MemKey.ValueOf(hash), MemKey.ErrorOf(hash));
        Assert.Equal((null, null), await Store.GetOrOtherwiseAsync(value, error));

        await Store.SetAsync(error, Bytes("failed"));
        var missing = await Store.GetOrOtherwiseAsync(value, error);
        Assert.Null(missing.Value);
        Assert.Equal(Bytes("failed"), missing.Otherwise);

        await Store.SetAsync(value, Bytes("42"));
        var found = await Store.GetOrOtherwiseAsync(value, error);
        Assert.Equal(Bytes("42"), found.Value);
        Assert.Null(found.Otherwise);
    }

    [Fact]
    public async Task Get_many_reads_the_records_of_one_call_in_their_order_with_null_where_there_are_none()
    {
        var hash = "many-" + Guid.NewGuid().ToString("N");
        var (value, error, pending) = (MemKey.ValueOf(hash), MemKey.ErrorOf(hash), MemKey.PendingReturnsOf(hash));
        Assert.Equal([null, null, null], await Store.GetManyAsync([value, error, pending]));

        await Store.SetAsync(pending, Bytes("returns"));
        await Store.SetAsync(value, Bytes("42"));
        Assert.Equal([Bytes("42"), null, Bytes("returns")], await Store.GetManyAsync([value, error, pending]));
        Assert.Equal([Bytes("returns"), Bytes("42")], await Store.GetManyAsync([pending, value]));

        var other = Assert.Throws<ArgumentException>(() => Store.GetManyAsync([value, MemKey.ValueOf(hash + "-other")]).GetAwaiter().GetResult());
        Assert.Contains("records of one call", other.Message, StringComparison.Ordinal);
    }
}
