using System.Collections.Concurrent;
using System.Numerics;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Contracts.Workloads;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

public sealed class SemanticsSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config SpecConfig = ConfigurationFactory.ParseString("akka.loglevel = WARNING");

    public SemanticsSpecs() : base(SpecConfig)
    {
    }

    [Fact]
    public async Task Foo_of_122_calls_bar_of_123_and_returns_457()
    {
        var bar = BrrrTask.Create<int, int>("bar", (_, a) => Task.FromResult(a == 123 ? 456 : -1));
        var foo = BrrrTask.Create<int, int>("foo", async (ctx, a) => await ctx.Call(bar, a + 1) + 1);
        await using var brrr = new LocalBrrr(Sys, "t1", foo, bar);

        Assert.Equal(457, await brrr.RunAsync(foo, 122));
        Assert.Equal(456, (await brrr.ReadAsync(bar, 123)).Value);

        // A consumer-only client: nothing but the store, queue and cache.
        var client = new BrrrClient(brrr.Backends.Store, brrr.Backends.Cache, brrr.Backends.Queue);
        Assert.Equal(new ReadResult<int>(true, 457), await client.ReadAsync(foo, 122));
        Assert.False((await client.ReadAsync(foo, 5)).Found);
        Assert.False((await client.ReadAsync(BrrrTask.Ref<int, int>("no-such-task"), 122)).Found);
    }

    [Fact]
    public async Task A_chain_runs_each_link_twice_and_the_leaf_once()
    {
        var executions = new ConcurrentDictionary<int, int>();
        var after = new ConcurrentDictionary<int, int>();
        BrrrTask<int, int>? foo = null;
        foo = BrrrTask.Create<int, int>("foo", async (ctx, a) =>
        {
            executions.AddOrUpdate(a, 1, (_, n) => n + 1);
            if (a == 0)
            {
                return 0;
            }

            var below = await ctx.Call(foo!, a - 1);
            after.AddOrUpdate(a, 1, (_, n) => n + 1);
            return below + a;
        });
        await using var brrr = new LocalBrrr(Sys, "t1", foo);

        Assert.Equal(6, await brrr.RunAsync(foo, 3));
        Assert.Equal(new Dictionary<int, int> { [0] = 1, [1] = 2, [2] = 2, [3] = 2 }, executions.OrderBy(p => p.Key).ToDictionary());
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [2] = 1, [3] = 1 }, after.OrderBy(p => p.Key).ToDictionary());
    }

    [Fact]
    public async Task Fifty_identical_children_gathered_are_run_once()
    {
        var executions = new ConcurrentDictionary<int, int>();
        BrrrTask<int, int>? foo = null;
        foo = BrrrTask.Create<int, int>("foo", async (ctx, a) =>
        {
            executions.AddOrUpdate(a, 1, (_, n) => n + 1);
            if (a == 0)
            {
                return 1;
            }

            var values = await ctx.Gather(Enumerable.Range(0, 50).Select(_ => ctx.Call(foo!, a - 1)));
            return values.Sum();
        });
        await using var brrr = new LocalBrrr(Sys, "t1", foo);

        Assert.Equal(50 * 50 * 50, await brrr.RunAsync(foo, 3));
        Assert.Equal(new Dictionary<int, int> { [0] = 1, [1] = 2, [2] = 2, [3] = 2 }, executions.OrderBy(p => p.Key).ToDictionary());
    }

    [Fact]
    public async Task Fib_of_1000_with_big_integers_across_several_workers_is_exact()
    {
        var fib = FibTask.Fib;
        var backends = BrrrBackends.InMemory();
        var topics = new Dictionary<string, TaskSet> { ["fib"] = new TaskSet(fib) };
        await using var first = new LocalBrrr(Sys, topics, backends);
        await using var second = new LocalBrrr(Sys, topics, backends);
        await using var third = new LocalBrrr(Sys, topics, backends);

        Assert.Equal(BigInteger.Parse("8944394323791464"), await first.RunAsync(fib, new FibArgs(78, "s78")));
        var fib1000 = await first.RunAsync(fib, new FibArgs(1000, "s1000"), TimeSpan.FromSeconds(60));
        Assert.Equal(BigInteger.Parse("43466557686937456435688527675040625802564660517371780402481729089536555417949051890403879840079255169295922593080322634775209689623239873322471161642996440906533187938298969649928516003704476137795166849228875"), fib1000);
        Assert.Equal(209, fib1000.ToString().Length);
        Assert.True(new[] { first, second, third }.Count(w => w.Worker.Statistics.Executions > 0) >= 2, "the work was spread over several workers");
    }
}
