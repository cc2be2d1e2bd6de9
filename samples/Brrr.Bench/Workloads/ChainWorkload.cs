using System.Diagnostics;
using System.Globalization;
using Brrr.Tasks;

namespace Brrr.Bench.Workloads;

/// <summary>Arguments of <c>bench-chain</c>.</summary>
public sealed record ChainArgs(int Depth, string Salt);

/// <summary>A chain: <c>chain(d) = chain(d-1) + 1</c>, <c>chain(0) = 0</c>; d+1 distinct calls, strictly one after another.</summary>
internal sealed class ChainWorkload : Workload<ChainArgs>
{
    private readonly BrrrTask<ChainArgs, long> _chain;
    private readonly int _depth;

    public ChainWorkload(RunProbe probe, int depth) : base(probe)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        _depth = depth;
        _chain = BrrrTask.Create<ChainArgs, long>("bench-chain", ChainAsync);
        Tasks = new TaskSet(_chain);
    }

    public override string Name => "chain";

    public override string Shape => $"d={_depth}";

    public override TaskSet Tasks { get; }

    public override long DistinctCallsPerRoot => _depth + 1;

    protected override long ExpectedRootValue => _depth;

    protected override string RootValueName => $"chain({_depth})";

    protected override TaskRef<ChainArgs, long> RootTask => _chain;

    protected override ChainArgs RootArgs(string salt) => new(_depth, salt);

    private static string Key(string salt, int depth) => string.Create(CultureInfo.InvariantCulture, $"{salt}/{depth}");

    private async Task<long> ChainAsync(TaskContext ctx, ChainArgs a)
    {
        var started = Stopwatch.GetTimestamp();
        long result = 0;
        if (a.Depth > 0)
        {
            result = 1 + await Probe.Observe(ctx.Call(_chain, a with { Depth = a.Depth - 1 }), Key(a.Salt, a.Depth - 1), started).ConfigureAwait(false);
        }

        if (a.Depth == _depth)
        {
            Probe.RootReturning(a.Salt);
        }
        else
        {
            Probe.ChildReturning(Key(a.Salt, a.Depth));
        }

        return result;
    }
}
