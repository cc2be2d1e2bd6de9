using System.Numerics;
using System.Text;
using Akka.Configuration;
using Brrr.Codecs;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>
/// Values a TypeScript worker stored (PROTOCOL.md §6): large results are doubles in exponent form. A C# parent reads a
/// whole one exactly; a value that is not whole fails its reader with a clear error, and the worker goes on.
/// </summary>
public sealed class JavaScriptValueSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    public sealed record FibArgs(int N, string Salt);

    // Served by a TypeScript worker on another topic; here its values are stored as that worker stores them.
    private static readonly TaskRef<FibArgs, BigInteger> TypeScriptFib = BrrrTask.Ref<FibArgs, BigInteger>("fib", "brrr-ts-demo");
    private static readonly TaskRef<FibArgs, long> TypeScriptFibAsLong = BrrrTask.Ref<FibArgs, long>("fib", "brrr-ts-demo");

    private static readonly BrrrTask<FibArgs, BigInteger> PlusOne = BrrrTask.Create<FibArgs, BigInteger>("plus_one", async (ctx, a) =>
        await ctx.Call(TypeScriptFib, a) + 1);

    private static readonly BrrrTask<FibArgs, long> Half = BrrrTask.Create<FibArgs, long>("half", async (ctx, a) =>
        await ctx.Call(TypeScriptFibAsLong, a) / 2);

    public JavaScriptValueSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.retry-backoff-min = 10ms
        brrr.task-attempts = 2
        """))
    {
    }

    [Fact]
    public async Task A_parent_reads_a_whole_value_a_javascript_worker_stored_in_exponent_form_exactly()
    {
        await using var brrr = new LocalBrrr(Sys, "t", PlusOne, Half);
        var salt = Guid.NewGuid().ToString("N");
        await StoreAsJavaScriptAsync(brrr, new FibArgs(110, salt), "4.356677625885486e+22");
        await StoreAsJavaScriptAsync(brrr, new FibArgs(40, salt), "1.02334155e8");

        Assert.Equal(BigInteger.Parse("43566776258854860000001"), await brrr.RunAsync(PlusOne, new FibArgs(110, salt)));
        Assert.Equal(51167077, await brrr.RunAsync(Half, new FibArgs(40, salt)));
    }

    [Fact]
    public async Task A_value_that_is_not_whole_fails_the_reading_call_naming_it_and_the_worker_goes_on()
    {
        await using var brrr = new LocalBrrr(Sys, "t", PlusOne, Half);
        var salt = Guid.NewGuid().ToString("N");
        await StoreAsJavaScriptAsync(brrr, new FibArgs(7, salt), "13.5");
        await StoreAsJavaScriptAsync(brrr, new FibArgs(8, salt), "21");

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(PlusOne, new FibArgs(7, salt)));
        var error = failed.Failure.Error as ProtocolException ?? failed.Failure.Error.InnerException as ProtocolException;
        Assert.NotNull(error);
        Assert.Contains("'fib'", error.Message, StringComparison.Ordinal);
        Assert.Contains(JsonCodec.Default.EncodeCall(TypeScriptFib.Name, new FibArgs(7, salt)).CallHash, error.Message, StringComparison.Ordinal);
        Assert.Contains("13.5", error.Message, StringComparison.Ordinal);
        Assert.False(failed.Failure.Released);
        Assert.NotNull(failed.Failure.DeadLetterTopic);

        Assert.Equal(new BigInteger(22), await brrr.RunAsync(PlusOne, new FibArgs(8, salt)));
    }

    private static Task StoreAsJavaScriptAsync(LocalBrrr brrr, FibArgs args, string json)
    {
        var call = JsonCodec.Default.EncodeCall(TypeScriptFib.Name, args);
        return brrr.Backends.Store.SetAsync(MemKey.ValueOf(call.CallHash), Encoding.UTF8.GetBytes(json));
    }
}
