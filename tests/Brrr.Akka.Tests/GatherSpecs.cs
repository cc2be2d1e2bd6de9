using System.Collections.Concurrent;
using Akka.Configuration;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>With one runner the queue order is the execution order, so what Gather queues first is observable.</summary>
public sealed class GatherSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    public GatherSpecs() : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING\nbrrr.topic-defaults.parallelism = 1"))
    {
    }

    [Fact]
    public async Task Gather_runs_both_foo_calls_before_either_bar_call()
    {
        var order = new ConcurrentQueue<string>();
        var foo = BrrrTask.Create<int, int>("foo", (_, x) =>
        {
            order.Enqueue($"foo({x})");
            return Task.FromResult(x * 10);
        });
        var bar = BrrrTask.Create<int, int>("bar", (_, y) =>
        {
            order.Enqueue($"bar({y})");
            return Task.FromResult(y + 1);
        });
        var top = BrrrTask.Create<int[], int[]>("top", async (ctx, xs) =>
        {
            async Task<int> Helper(int x) => await ctx.Call(bar, await ctx.Call(foo, x));
            return await ctx.Gather(xs.Select(Helper));
        });
        await using var brrr = new LocalBrrr(Sys, "t1", top, foo, bar);

        var result = await brrr.RunAsync(top, new[] { 3, 4 });
        Assert.Equal(new[] { 31, 41 }, result);
        var seen = order.ToArray();
        Assert.Equal(4, seen.Length);
        var lastFoo = Math.Max(Array.IndexOf(seen, "foo(3)"), Array.IndexOf(seen, "foo(4)"));
        var firstBar = Math.Min(Array.IndexOf(seen, "bar(30)"), Array.IndexOf(seen, "bar(40)"));
        Assert.True(lastFoo < firstBar, $"order was {string.Join(", ", seen)}");
    }
}
