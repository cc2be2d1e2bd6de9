using System.Diagnostics;
using System.Globalization;
using Brrr.Tasks;

namespace Brrr.Bench.Workloads;

/// <summary>Arguments of <c>bench-fanout</c>.</summary>
public sealed record FanoutArgs(int N, string Salt);

/// <summary>Arguments of <c>bench-leaf</c>.</summary>
public sealed record LeafArgs(int I, string Salt);

/// <summary>One parent gathering <c>n</c> distinct leaves <c>leaf(i) = i</c>: returns <c>n(n-1)/2</c>, n+1 distinct calls.</summary>
internal sealed class FanoutWorkload : Workload<FanoutArgs>
{
    private readonly BrrrTask<FanoutArgs, long> _parent;
    private readonly BrrrTask<LeafArgs, long> _leaf;
    private readonly int _n;

    public FanoutWorkload(RunProbe probe, int n) : base(probe)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        _n = n;
        _leaf = BrrrTask.Create<LeafArgs, long>("bench-leaf", LeafAsync);
        _parent = BrrrTask.Create<FanoutArgs, long>("bench-fanout", ParentAsync);
        Tasks = new TaskSet(_parent, _leaf);
    }

    public override string Name => "fanout";

    public override string Shape => $"n={_n}";

    public override TaskSet Tasks { get; }

    public override long DistinctCallsPerRoot => _n + 1;

    protected override long ExpectedRootValue => (long)_n * (_n - 1) / 2;

    protected override string RootValueName => $"fanout({_n})";

    protected override TaskRef<FanoutArgs, long> RootTask => _parent;

    protected override FanoutArgs RootArgs(string salt) => new(_n, salt);

    private static string Key(string salt, int i) => string.Create(CultureInfo.InvariantCulture, $"{salt}/{i}");

    private async Task<long> ParentAsync(TaskContext ctx, FanoutArgs a)
    {
        var started = Stopwatch.GetTimestamp();
        var leaves = new Task<long>[a.N];
        for (var i = 0; i < a.N; i++)
        {
            leaves[i] = Probe.Observe(ctx.Call(_leaf, new LeafArgs(i, a.Salt)), Key(a.Salt, i), started);
        }

        var sum = (await ctx.Gather(leaves).ConfigureAwait(false)).Sum();
        Probe.RootReturning(a.Salt);
        return sum;
    }

    private Task<long> LeafAsync(TaskContext ctx, LeafArgs a)
    {
        Probe.ChildReturning(Key(a.Salt, a.I));
        return Task.FromResult((long)a.I);
    }
}
