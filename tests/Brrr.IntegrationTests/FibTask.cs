using System.Numerics;
using Brrr.Tasks;

namespace Brrr.IntegrationTests;

public sealed record FibArgs(int N, string Salt);

public static class FibTask
{
    public const string Topic = "it-fib";

    public static readonly BrrrTask<FibArgs, BigInteger> Fib = BrrrTask.Create<FibArgs, BigInteger>("fib", async (ctx, a) =>
    {
        if (a.N < 2)
        {
            return a.N;
        }

        var parts = await ctx.Gather(ctx.Call(Fib!, a with { N = a.N - 1 }), ctx.Call(Fib!, a with { N = a.N - 2 }));
        return parts[0] + parts[1];
    });

    public static Dictionary<string, TaskSet> Topics() => new() { [Topic] = new TaskSet(Fib) };
}
