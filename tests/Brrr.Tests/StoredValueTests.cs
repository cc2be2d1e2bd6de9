using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Tasks;
using static Brrr.Tests.TestSupport;

namespace Brrr.Tests;

/// <summary>A stored value that does not decode is an error naming the call whose value it is.</summary>
public sealed class StoredValueTests
{
    public sealed record FibArgs(int N, string Salt);

    [Fact]
    public async Task Reading_a_value_that_is_not_whole_fails_naming_the_task_and_the_call_hash()
    {
        var store = new InMemoryStore();
        var client = new BrrrClient(store, new InMemoryCache(), new InMemoryQueue(), JsonCodec.Default);
        var fib = BrrrTask.Ref<FibArgs, long>("fib", "brrr-ts-demo");
        var call = JsonCodec.Default.EncodeCall(fib.Name, new FibArgs(7, "s"));
        await store.SetAsync(MemKey.ValueOf(call.CallHash), Utf8("13.5"));

        var error = await Assert.ThrowsAsync<ProtocolException>(() => client.ReadAsync(fib, new FibArgs(7, "s")));
        Assert.Contains(call.CallHash, error.Message, StringComparison.Ordinal);
        Assert.Contains("'fib'", error.Message, StringComparison.Ordinal);
        Assert.Contains("13.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_a_whole_value_in_exponent_form_gives_the_exact_integer()
    {
        var store = new InMemoryStore();
        var client = new BrrrClient(store, new InMemoryCache(), new InMemoryQueue(), JsonCodec.Default);
        var fib = BrrrTask.Ref<FibArgs, System.Numerics.BigInteger>("fib", "brrr-ts-demo");
        var call = JsonCodec.Default.EncodeCall(fib.Name, new FibArgs(110, "s"));
        await store.SetAsync(MemKey.ValueOf(call.CallHash), Utf8("4.356677625885486e+22"));

        var read = await client.ReadAsync(fib, new FibArgs(110, "s"));
        Assert.True(read.Found);
        Assert.Equal(System.Numerics.BigInteger.Parse("43566776258854860000000"), read.Value);
    }
}
