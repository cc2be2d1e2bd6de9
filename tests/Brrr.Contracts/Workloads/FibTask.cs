using System.Numerics;
using Brrr.Tasks;

namespace Brrr.Contracts.Workloads;

/// <summary>The arguments of the test fib: n and a salt that makes every root's calls fresh.</summary>
public sealed record FibArgs(int N, string Salt);

/// <summary>fib through brrr calls with Gather and big integers: the shared workload of the runtime and backend tests.</summary>
public static class FibTask
{
    /// <summary>The topic the workload is served on.</summary>
    public const string Topic = "it-fib";

    /// <summary>fib(n) = fib(n-1) + fib(n-2), both children gathered.</summary>
    public static readonly BrrrTask<FibArgs, BigInteger> Fib = BrrrTask.Create<FibArgs, BigInteger>("fib", async (ctx, a) =>
    {
        if (a.N < 2)
        {
            return a.N;
        }

        var parts = await ctx.Gather(ctx.Call(Fib!, a with { N = a.N - 1 }), ctx.Call(Fib!, a with { N = a.N - 2 }));
        return parts[0] + parts[1];
    });

    /// <summary>The topic → tasks map a worker serving the workload needs.</summary>
    public static Dictionary<string, TaskSet> Topics() => new() { [Topic] = new TaskSet(Fib) };
}
