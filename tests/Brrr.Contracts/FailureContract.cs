using System.Collections.Concurrent;
using Brrr.Tasks;

namespace Brrr.Contracts;

/// <summary>
/// The failure suite every backend runs unchanged: a call that fails for good gets an error record, its parents see a
/// <see cref="ChildFailedException"/> and fail in turn up to the root, and <see cref="BrrrClient"/> (no ActorSystem)
/// reads the status, waits, and retries. Each test uses a fresh nonce, so one server can serve every test. A subclass
/// starts a worker serving <see cref="Tasks"/> on <see cref="Topic"/>, with at most a few attempts per throwing call.
/// </summary>
public abstract class FailureContract
{
    /// <summary>The topic the suite's tasks are served on.</summary>
    protected const string Topic = "failures";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, int> _executions = new(StringComparer.Ordinal);
    private volatile bool _fixed;

    /// <summary>Sets up the suite's tasks.</summary>
    protected FailureContract()
    {
        BrrrTask<Step, int>? chain = null;
        chain = BrrrTask.Create<Step, int>("chain", async (ctx, a) =>
        {
            Count(a.N == 0 ? "leaf" : "chain");
            return a.N == 0 ? throw new InvalidOperationException("kaput") : await ctx.Call(chain!, a with { N = a.N - 1 }) + 1;
        });
        var item = BrrrTask.Create<Step, int>("item", (_, a) =>
        {
            Count("item");
            return a.N is 3 or 7 ? throw new InvalidOperationException($"item {a.N} broke") : Task.FromResult(a.N);
        });
        var flaky = BrrrTask.Create<Step, int>("flaky", (_, a) =>
        {
            Count("flaky");
            return _fixed ? Task.FromResult(a.N) : throw new InvalidOperationException("not fixed yet");
        });
        var sibling = BrrrTask.Create<Step, int>("sibling", (_, a) =>
        {
            Count("sibling");
            return Task.FromResult(a.N * 10);
        });
        Chain = chain;
        Careful = BrrrTask.Create<Step, int>("careful", async (ctx, a) =>
        {
            try
            {
                return await ctx.Call(chain, a with { N = 0 });
            }
            catch (ChildFailedException)
            {
                return -1;
            }
        });
        Fan = BrrrTask.Create<Step, int>("fan", async (ctx, a) =>
            (await ctx.Gather(Enumerable.Range(0, 10).Select(i => ctx.Call(item, a with { N = i })))).Sum());
        CountFailures = BrrrTask.Create<Step, string>("count-failures", async (ctx, a) =>
        {
            try
            {
                return (await ctx.Gather(Enumerable.Range(0, 10).Select(i => ctx.Call(item, a with { N = i })))).Sum().ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (ChildrenFailedException e)
            {
                return string.Join(",", e.Failures.Select(f => f.Error.Message));
            }
        });
        Pair = BrrrTask.Create<Step, int>("pair", async (ctx, a) => (await ctx.Gather(ctx.Call(sibling, a), ctx.Call(flaky, a))).Sum());
        Tasks = new TaskSet(chain, item, flaky, sibling, Careful, Fan, CountFailures, Pair);
    }

    /// <summary>The tasks the worker must serve on <see cref="Topic"/>.</summary>
    protected TaskSet Tasks { get; }

    private BrrrTask<Step, int> Chain { get; }

    private BrrrTask<Step, int> Careful { get; }

    private BrrrTask<Step, int> Fan { get; }

    private BrrrTask<Step, string> CountFailures { get; }

    private BrrrTask<Step, int> Pair { get; }

    /// <summary>Starts a worker serving <see cref="Tasks"/> on <see cref="Topic"/>, and a client on the same backends.</summary>
    protected abstract Task<FailureHost> StartAsync();

    [Fact]
    public async Task A_leaf_that_throws_fails_the_root_with_a_chain_of_depth_three_and_WaitAsync_throws_it()
    {
        await using var host = await StartAsync();
        var root = new Step(Nonce(), 3);
        await host.Client.ScheduleAsync(Chain, root, Topic);

        var failed = await Assert.ThrowsAsync<CallFailedException>(() => host.Client.WaitAsync(Chain, root, Patience));

        Assert.Equal(["chain", "chain", "chain", "chain"], failed.Chain.Select(c => c.TaskName));
        Assert.Equal(3, failed.Error.Causes.Count);
        Assert.Equal("kaput", failed.Error.RootCause.Message);
        Assert.Equal(typeof(InvalidOperationException).FullName, failed.Error.RootCause.ErrorType);
        Assert.Equal(typeof(ChildFailedException).FullName, failed.Error.ErrorType);
        var status = await host.Client.GetStatusAsync(Chain, root);
        Assert.Equal(CallState.Failed, status.State);
        Assert.Equal(failed.Error.Causes, status.Error!.Causes);
        var leaf = await host.Client.GetStatusAsync(Chain, root with { N = 0 });
        Assert.Equal(_executions["leaf"], leaf.Error!.Attempts);
        Assert.True(_executions["chain"] <= 6, $"each parent ran once to defer and once to fail, without retries: {_executions["chain"]} runs");
    }

    [Fact]
    public async Task A_parent_that_catches_the_child_failure_completes_with_its_fallback()
    {
        await using var host = await StartAsync();
        var root = new Step(Nonce(), 0);
        await host.Client.ScheduleAsync(Careful, root, Topic);

        Assert.Equal(-1, await host.Client.WaitAsync(Careful, root, Patience));
        Assert.Equal(CallState.Failed, (await host.Client.GetStatusAsync(Chain, root)).State);
    }

    [Fact]
    public async Task A_gather_with_two_of_ten_children_failing_lists_both()
    {
        await using var host = await StartAsync();
        var root = new Step(Nonce(), 0);
        await host.Client.ScheduleAsync(Fan, root, Topic);
        await host.Client.ScheduleAsync(CountFailures, root, Topic);

        var failed = await Assert.ThrowsAsync<CallFailedException>(() => host.Client.WaitAsync(Fan, root, Patience));
        Assert.Equal(typeof(ChildrenFailedException).FullName, failed.Error.ErrorType);
        Assert.Equal(["item 3 broke", "item 7 broke"], failed.Error.Causes.Select(c => c.Message).Order(StringComparer.Ordinal));
        Assert.Equal("item 3 broke,item 7 broke", await host.Client.WaitAsync(CountFailures, root, Patience));
    }

    [Fact]
    public async Task Retry_after_fixing_the_cause_completes_and_reuses_the_stored_sibling_value()
    {
        await using var host = await StartAsync();
        var root = new Step(Nonce(), 4);
        await host.Client.ScheduleAsync(Pair, root, Topic);
        var failed = await Assert.ThrowsAsync<CallFailedException>(() => host.Client.WaitAsync(Pair, root, Patience));
        Assert.Equal("flaky", Assert.Single(failed.Error.Causes).TaskName);
        var flakyRuns = _executions["flaky"];

        _fixed = true;
        Assert.NotNull(await host.Client.RetryAsync(Pair, root, Topic));

        Assert.Equal(44, await host.Client.WaitAsync(Pair, root, Patience));
        Assert.Equal(1, _executions["sibling"]);
        Assert.Equal(flakyRuns + 1, _executions["flaky"]);
        Assert.Equal(CallState.Completed, (await host.Client.GetStatusAsync(Pair, root)).State);
    }

    private static string Nonce() => Guid.NewGuid().ToString("N");

    private void Count(string task) => _executions.AddOrUpdate(task, 1, (_, n) => n + 1);
}

/// <summary>The arguments of the suite's tasks: a fresh nonce per test and a number.</summary>
/// <param name="Nonce">Makes every test's calls fresh.</param>
/// <param name="N">The task's number.</param>
public sealed record Step(string Nonce, int N);

/// <summary>A running worker and a client on its backends; disposing stops the worker.</summary>
/// <param name="Client">The client (no ActorSystem needed).</param>
/// <param name="Worker">Stops the worker when disposed.</param>
public sealed record FailureHost(BrrrClient Client, IAsyncDisposable Worker) : IAsyncDisposable
{
    /// <inheritdoc />
    public ValueTask DisposeAsync() => Worker.DisposeAsync();
}
