using Akka.Configuration;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.TestKit;
using Brrr.Tasks;

namespace Brrr.Akka.Tests;

/// <summary>
/// <c>brrr.children-record</c>: a worker writes a deferring call's children record when it is on, or when it is auto
/// (the default) and the backends are not the in-memory ones.
/// </summary>
public sealed class ChildrenRecordSettingSpecs
{
    public sealed record N(int X);

    private static readonly BrrrTask<N, int> Leaf = BrrrTask.Create<N, int>("leaf", (_, n) => Task.FromResult(n.X));
    private static readonly BrrrTask<N, int> Parent = BrrrTask.Create<N, int>("parent", async (ctx, n) => await ctx.Call(Leaf, n) + 1);

    [Theory]
    [InlineData("on", false, true)]
    [InlineData("off", true, false)]
    [InlineData(null, false, false)]
    [InlineData("auto", false, false)]
    [InlineData(null, true, true)]
    [InlineData("auto", true, true)]
    public async Task A_worker_writes_the_children_record_of_a_deferral_as_the_setting_and_its_backends_say(string? setting, bool storeOfItsOwn, bool written)
    {
        using var kit = new global::Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString(setting is null ? "" : $"brrr.children-record = {setting}"));
        IStore store = storeOfItsOwn ? new PassThroughStore(new InMemoryStore()) : new InMemoryStore();
        await using var brrr = new LocalBrrr(kit.Sys, new Dictionary<string, TaskSet> { ["main"] = new(Parent, Leaf) },
            new BrrrBackends(store, new InMemoryCache(), new InMemoryQueue(), JsonCodec.Default));

        Assert.Equal(8, await brrr.RunAsync(Parent, new N(7)));

        // The record is written beside the registrations: under load the child, the wake-up and the parent's second run
        // can all finish before the first run's write. Stopping the worker waits for that run to be done.
        await brrr.Worker.StopAsync();

        var record = await brrr.Client.Memory.GetChildrenAsync(JsonCodec.Default.EncodeCall("parent", new N(7)).CallHash);
        Assert.Equal(written, record is not null);
        Assert.Equal(written ? ["leaf"] : [], record?.Children.Select(c => c.TaskName) ?? []);
    }
}
