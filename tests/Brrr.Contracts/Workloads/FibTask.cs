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
    public static readonly BrrrTask<FibArgs, BigInteger> Fib = Create(_ => Task.CompletedTask);

    /// <summary>
    /// The same fib (same task name, so the same call hashes) awaiting <paramref name="beforeRun"/> at the start of
    /// every run: a test holds a chosen call there.
    /// </summary>
    public static BrrrTask<FibArgs, BigInteger> Create(Func<FibArgs, Task> beforeRun)
    {
        ArgumentNullException.ThrowIfNull(beforeRun);
        BrrrTask<FibArgs, BigInteger>? fib = null;
        fib = BrrrTask.Create<FibArgs, BigInteger>("fib", async (ctx, a) =>
        {
            await beforeRun(a);
            if (a.N < 2)
            {
                return a.N;
            }

            var parts = await ctx.Gather(ctx.Call(fib!, a with { N = a.N - 1 }), ctx.Call(fib!, a with { N = a.N - 2 }));
            return parts[0] + parts[1];
        });
        return fib;
    }

    /// <summary>The topic → tasks map a worker serving the workload needs; <paramref name="fib"/> defaults to <see cref="Fib"/>.</summary>
    public static Dictionary<string, TaskSet> Topics(BrrrTask<FibArgs, BigInteger>? fib = null) => new() { [Topic] = new TaskSet(fib ?? Fib) };
}
