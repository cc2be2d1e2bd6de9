using System.Diagnostics;
using System.Globalization;
using Brrr.Tasks;

namespace Brrr.Bench.Workloads;

/// <summary>Arguments of <c>bench-tree</c>: the node at <paramref name="Level"/> (root 0) and its index within the level.</summary>
public sealed record TreeArgs(int Level, long Index, string Salt);

/// <summary>
/// A tree of distinct calls: every inner node gathers <c>branching</c> children, leaves (at <c>depth</c>) return 1,
/// so a root returns <c>branching^depth</c> and makes <c>sum(branching^l, l = 0..depth)</c> distinct calls.
/// </summary>
internal sealed class TreeWorkload : Workload<TreeArgs>
{
    private readonly BrrrTask<TreeArgs, long> _tree;
    private readonly int _branching;
    private readonly int _depth;

    public TreeWorkload(RunProbe probe, int branching, int depth) : base(probe)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(branching, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        _branching = branching;
        _depth = depth;
        _tree = BrrrTask.Create<TreeArgs, long>("bench-tree", TreeAsync);
        Tasks = new TaskSet(_tree);
        long calls = 0, level = 1;
        for (var l = 0; l <= depth; l++)
        {
            calls += level;
            level *= branching;
        }

        DistinctCallsPerRoot = calls;
        ExpectedRootValue = level / branching;
    }

    public override string Name => "tree";

    public override string Shape => $"b={_branching},d={_depth}";

    public override TaskSet Tasks { get; }

    public override long DistinctCallsPerRoot { get; }

    /// <summary>The number of leaves, <c>branching^depth</c>.</summary>
    protected override long ExpectedRootValue { get; }

    protected override string RootValueName => $"leaves of tree(b={_branching},d={_depth})";

    protected override TaskRef<TreeArgs, long> RootTask => _tree;

    protected override TreeArgs RootArgs(string salt) => new(0, 0, salt);

    private static string Key(string salt, int level, long index) =>
        string.Create(CultureInfo.InvariantCulture, $"{salt}/{level}/{index}");

    private async Task<long> TreeAsync(TaskContext ctx, TreeArgs a)
    {
        var started = Stopwatch.GetTimestamp();
        long result = 1;
        if (a.Level < _depth)
        {
            var children = new Task<long>[_branching];
            for (var j = 0; j < _branching; j++)
            {
                var child = new TreeArgs(a.Level + 1, (a.Index * _branching) + j, a.Salt);
                children[j] = Probe.Observe(ctx.Call(_tree, child), Key(a.Salt, child.Level, child.Index), started);
            }

            result = (await ctx.Gather(children).ConfigureAwait(false)).Sum();
        }

        if (a.Level == 0)
        {
            Probe.RootReturning(a.Salt);
        }
        else
        {
            Probe.ChildReturning(Key(a.Salt, a.Level, a.Index));
        }

        return result;
    }
}
