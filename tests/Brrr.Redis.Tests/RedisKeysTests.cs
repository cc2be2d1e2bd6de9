using StackExchange.Redis;

namespace Brrr.Redis.Tests;

/// <summary>Store keys are made as bytes from parts encoded once: they must be the documented text, byte for byte.</summary>
public sealed class RedisKeysTests
{
    [Theory]
    [InlineData("brrr:", "c4llh4sh")]
    [InlineData("brrr:", "sha256:ab-c_d.e")]
    [InlineData("my-app:", "h")]
    [InlineData("", "äbc日本")]
    public void A_store_key_is_prefix_hash_tag_and_type_word_for_every_record_type(string prefix, string hash)
    {
        var keys = new RedisKeys(prefix, RedisLayout.Current);
        foreach (var type in Enum.GetValues<MemKeyType>())
        {
            var key = new MemKey(type, hash);
            Assert.Equal($"{prefix}{{{hash}}}:{key.TypeWord}", (string?)keys.Store(key));
            Assert.Equal((RedisKey)$"{prefix}{{{hash}}}:{key.TypeWord}", keys.Store(key));
        }
    }

    [Fact]
    public void A_store_key_of_an_unknown_record_type_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisKeys("brrr:", RedisLayout.Current).Store(new MemKey((MemKeyType)99, "h")));
    }
}
