using Akka.Configuration;
using Brrr.Akka;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

public sealed class TopicSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly BrrrTask<int, int> Double = BrrrTask.Create<int, int>("double", (_, x) => Task.FromResult(x * 2), topic: "t1");

    private static readonly BrrrTask<int, int> PlusDouble = BrrrTask.Create<int, int>(
        "plus_double", async (ctx, x) => x + await ctx.Call(Double, x), topic: "t2");

    public TopicSpecs() : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
    {
    }

    [Fact]
    public async Task A_task_on_t2_calls_a_task_on_t1_served_by_another_pool_of_the_same_worker()
    {
        var topics = new Dictionary<string, TaskSet> { ["t1"] = new(Double), ["t2"] = new(PlusDouble) };
        await using var brrr = new LocalBrrr(Sys, topics);

        Assert.Equal(21, await brrr.RunAsync(PlusDouble, 7));
        Assert.Equal(1, brrr.Executions["double"]);
        Assert.Equal(2, brrr.Executions["plus_double"]);
    }

    [Fact]
    public async Task A_task_on_t2_calls_a_task_on_t1_served_by_another_worker()
    {
        var backends = BrrrBackends.InMemory();
        await using var t2Worker = new LocalBrrr(Sys, new Dictionary<string, TaskSet> { ["t2"] = new(PlusDouble) }, backends);
        await using var t1Worker = new LocalBrrr(Sys, new Dictionary<string, TaskSet> { ["t1"] = new(Double) }, backends);

        Assert.Equal(300, await t2Worker.RunAsync(PlusDouble, 100));
        Assert.Equal(1, t1Worker.Executions["double"]);
        Assert.False(t2Worker.Executions.ContainsKey("double"));
        Assert.False(t1Worker.Executions.ContainsKey("plus_double"));
    }

    [Fact]
    public async Task A_call_by_name_with_an_explicit_topic_reaches_the_worker_serving_it()
    {
        var byName = BrrrTask.Create<int, int>("by_name", async (ctx, x) => await ctx.Call(BrrrTask.Ref<int, int>("double"), x, topic: "t1") + 1);
        var topics = new Dictionary<string, TaskSet> { ["t1"] = new(Double), ["caller"] = new(byName) };
        await using var brrr = new LocalBrrr(Sys, topics);

        Assert.Equal(11, await brrr.RunAsync(byName, 5, topic: "caller"));
    }
}
