using Brrr.Backends;

namespace Brrr.Contracts;

/// <summary>The expiry part of the <see cref="IStore"/> suite (task retention): records that expire read as absent, and writes keep them again.</summary>
public abstract partial class StoreContract
{
    private static readonly TimeSpan ShortTtl = TimeSpan.FromSeconds(1);

    [Fact]
    public void The_store_can_expire_records() => Assert.True(Store.CanExpire);

    [Fact]
    public async Task An_expired_record_reads_as_absent_and_takes_a_new_value()
    {
        var key = FreshKey();
        await Store.SetAsync(key, Bytes("old"));
        await Store.ExpireAsync(key, ShortTtl);

        await Eventually.HoldsAsync(async () => !await Store.HasAsync(key) && await Store.GetAsync(key) is null, "the expired record reads as absent");
        Assert.False(await Store.CompareAndSetAsync(key, Bytes("cas"), Bytes("old")));
        Assert.False(await Store.CompareAndDeleteAsync(key, Bytes("old")));
        Assert.True(await Store.SetNewValueAsync(key, Bytes("new")));
        Assert.Equal(Bytes("new"), await Store.GetAsync(key));
    }

    [Fact]
    public async Task A_record_that_expires_later_is_still_there_now()
    {
        var key = FreshKey();
        await Store.SetAsync(key, Bytes("kept"));
        await Store.ExpireAsync(key, TimeSpan.FromMinutes(5));
        Assert.True(await Store.HasAsync(key));
        Assert.Equal(Bytes("kept"), await Store.GetAsync(key));
        Assert.False(await Store.SetNewValueAsync(key, Bytes("other")));
    }

    [Fact]
    public async Task Expiring_a_missing_key_leaves_it_missing()
    {
        var key = FreshKey();
        await Store.ExpireAsync(key, TimeSpan.FromMinutes(5));
        Assert.False(await Store.HasAsync(key));
        Assert.Null(await Store.GetAsync(key));
        Assert.True(await Store.SetNewValueAsync(key, Bytes("first")));
    }

    [Fact]
    public async Task Persist_set_and_set_new_value_each_keep_an_expiring_record_forever_again()
    {
        var (persisted, overwritten, replaced, casWritten, sentinel) =
            (FreshKey(), FreshKey(), FreshKey(), FreshKey(MemKeyType.PendingReturns), FreshKey());
        foreach (var key in new[] { persisted, overwritten, replaced, casWritten })
        {
            await Store.SetAsync(key, Bytes("before"));
            await Store.ExpireAsync(key, ShortTtl);
        }

        await Store.PersistAsync(persisted);
        await Store.SetAsync(overwritten, Bytes("after"));
        Assert.True(await Store.CompareAndSetAsync(casWritten, Bytes("after"), Bytes("before")));
        await Eventually.HoldsAsync(async () => await Store.GetAsync(replaced) is null, "the record left to expire is gone");
        Assert.True(await Store.SetNewValueAsync(replaced, Bytes("after")));

        // A record given the same expiry after all of these: once it is gone, any of them that still expired would be too.
        await Store.SetAsync(sentinel, Bytes("sentinel"));
        await Store.ExpireAsync(sentinel, ShortTtl);
        await Eventually.HoldsAsync(async () => await Store.GetAsync(sentinel) is null, "the sentinel expired");

        Assert.Equal(Bytes("before"), await Store.GetAsync(persisted));
        Assert.Equal(Bytes("after"), await Store.GetAsync(overwritten));
        Assert.Equal(Bytes("after"), await Store.GetAsync(replaced));
        Assert.Equal(Bytes("after"), await Store.GetAsync(casWritten));
    }
}
