using System.Diagnostics;
using Brrr.Tasks;

namespace Brrr.Bench.Workloads;

/// <summary>Arguments of <c>bench-fib</c>.</summary>
public sealed record FibArgs(int N, string Salt);

/// <summary><c>fib(n)</c> by <c>Gather(fib(n-1), fib(n-2))</c>: n+1 distinct calls per root, each shared by two parents.</summary>
internal sealed class FibWorkload : Workload<FibArgs>
{
    private readonly BrrrTask<FibArgs, long> _fib;
    private readonly int _n;

    public FibWorkload(RunProbe probe, int n) : base(probe)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 92);
        _n = n;
        _fib = BrrrTask.Create<FibArgs, long>("bench-fib", FibAsync);
        Tasks = new TaskSet(_fib);
    }

    public override string Name => "fib";

    public override string Shape => $"n={_n}";

    public override TaskSet Tasks { get; }

    public override long DistinctCallsPerRoot => _n + 1;

    protected override long ExpectedRootValue => Expected(_n);

    protected override string RootValueName => $"fib({_n})";

    public static long Expected(int n)
    {
        long a = 0, b = 1;
        for (var i = 0; i < n; i++)
        {
            (a, b) = (b, a + b);
        }

        return a;
    }

    protected override TaskRef<FibArgs, long> RootTask => _fib;

    protected override FibArgs RootArgs(string salt) => new(_n, salt);

    private static string Key(string salt, int n) => string.Concat(salt, "/", n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private async Task<long> FibAsync(TaskContext ctx, FibArgs a)
    {
        var started = Stopwatch.GetTimestamp();
        long result = a.N;
        if (a.N >= 2)
        {
            var parts = await ctx.Gather(
                Probe.Observe(ctx.Call(_fib, a with { N = a.N - 1 }), Key(a.Salt, a.N - 1), started),
                Probe.Observe(ctx.Call(_fib, a with { N = a.N - 2 }), Key(a.Salt, a.N - 2), started)).ConfigureAwait(false);
            result = parts[0] + parts[1];
        }

        if (a.N == _n)
        {
            Probe.RootReturning(a.Salt);
        }
        else
        {
            Probe.ChildReturning(Key(a.Salt, a.N));
        }

        return result;
    }
}
