using Brrr.Codecs;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>A run meeting a child's error record: read only when the value is missing, thrown as <see cref="ChildFailedException"/>.</summary>
public sealed class TaskRunnerErrorTests
{
    public sealed record N(int X);

    private static readonly JsonCodec Codec = JsonCodec.Default;
    private static readonly BrrrTask<N, int> Leaf = BrrrTask.Create<N, int>("leaf", (_, a) => Task.FromResult(a.X));

    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ErrorRecord> _errors = new(StringComparer.Ordinal);
    private int _errorReads;

    private Task<CallOutcome> RunAsync(BrrrTask<N, int> task) =>
        TaskRunner.RunAsync(task, Codec.EncodeCall(task.Name, new N(0)), "main", "root", Codec,
            (hash, _) => Task.FromResult(_values.GetValueOrDefault(hash)), default, readError: (hash, _) =>
            {
                Interlocked.Increment(ref _errorReads);
                return Task.FromResult(_errors.GetValueOrDefault(hash));
            });

    private static string HashOf(int x) => Codec.EncodeCall("leaf", new N(x)).CallHash;

    private void Fail(int x) => _errors[HashOf(x)] = new ErrorRecord("leaf", HashOf(x), "System.InvalidOperationException", $"leaf {x} broke", 1, DateTimeOffset.UnixEpoch, "root", []);

    [Fact]
    public async Task A_child_whose_value_is_stored_costs_no_error_read()
    {
        _values[HashOf(1)] = Codec.EncodeReturn(1);
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, _) => await ctx.Call(Leaf, new N(1)) + 1);

        Assert.Equal(Codec.EncodeReturn(2), Assert.IsType<CallCompleted>(await RunAsync(parent)).Value);
        Assert.Equal(0, _errorReads);
    }

    [Fact]
    public async Task A_failed_child_throws_child_failed_and_a_parent_that_catches_it_returns_its_fallback()
    {
        Fail(1);
        var careful = BrrrTask.Create<N, int>("careful", async (ctx, _) =>
        {
            try
            {
                return await ctx.Call(Leaf, new N(1));
            }
            catch (ChildFailedException e) when (e.CallHash == HashOf(1) && e.TaskName == "leaf")
            {
                return -1;
            }
        });
        var careless = BrrrTask.Create<N, int>("careless", async (ctx, _) => await ctx.Call(Leaf, new N(1)));

        Assert.Equal(Codec.EncodeReturn(-1), Assert.IsType<CallCompleted>(await RunAsync(careful)).Value);
        var failed = await Assert.ThrowsAsync<TaskFailedException>(() => RunAsync(careless));
        Assert.True(ErrorRecord.IsChildFailure(failed));
    }

    [Fact]
    public async Task A_gather_defers_while_a_child_is_missing_then_lists_every_failed_child()
    {
        Fail(3);
        Fail(7);
        var fan = BrrrTask.Create<N, int>("fan", async (ctx, _) => (await ctx.Gather(Enumerable.Range(0, 10).Select(i => ctx.Call(Leaf, new N(i))))).Sum());

        var deferred = Assert.IsType<CallDeferred>(await RunAsync(fan));
        Assert.Equal(8, deferred.Children.Count);

        foreach (var i in Enumerable.Range(0, 10).Where(i => i is not (3 or 7)))
        {
            _values[HashOf(i)] = Codec.EncodeReturn(i);
        }

        var failed = await Assert.ThrowsAsync<TaskFailedException>(() => RunAsync(fan));
        var children = Assert.IsType<ChildrenFailedException>(failed.InnerException);
        Assert.Equal([HashOf(3), HashOf(7)], children.Failures.Select(f => f.CallHash));
    }
}
