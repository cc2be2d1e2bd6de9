// README.md, "A task in C#". Run by samples/Brrr.Samples.Tests (FibSpec) and by the worker of Program.cs.
using System.Numerics;
using Brrr.Tasks;

namespace MyApp;

public sealed record FibArgs(int N, string Salt);

public static class Fib
{
    public static readonly BrrrTask<FibArgs, BigInteger> Task = BrrrTask.Create<FibArgs, BigInteger>("fib", async (ctx, a) =>
    {
        if (a.N < 2) return a.N;
        // Gather collects every missing child before the run is deferred: both are queued at once.
        var parts = await ctx.Gather(ctx.Call(Task!, a with { N = a.N - 1 }), ctx.Call(Task!, a with { N = a.N - 2 }));
        return parts[0] + parts[1];
    });
}
