using System.Numerics;
using Akka.Configuration;
using Brrr.Akka.Hosting;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Workloads;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>
/// <c>brrr.effects</c>: a call's store effects go through the registrar and returner actors, or are applied inline by
/// its runner; <c>auto</c> (the default) is inline exactly on the in-memory backends. Both ways compute the same results.
/// </summary>
public sealed class EffectsSettingSpecs
{
    [Fact]
    public void The_setting_reads_auto_by_default_and_each_named_mode()
    {
        Assert.Equal(BrrrEffects.Auto, BrrrSettings.Create(ConfigurationFactory.Empty).Effects);
        Assert.Equal(BrrrEffects.Actors, BrrrSettings.Create(ConfigurationFactory.ParseString("brrr.effects = actors")).Effects);
        Assert.Equal(BrrrEffects.Inline, BrrrSettings.Create(ConfigurationFactory.ParseString("brrr.effects = inline")).Effects);
        Assert.Equal(BrrrEffects.Inline, BrrrSettings.Create(new BrrrOptions { Effects = BrrrEffects.Inline }.ToConfig()).Effects);
        Assert.Equal(BrrrEffects.Actors, BrrrSettings.Create(new BrrrOptions { Effects = BrrrEffects.Actors }.ToConfig()).Effects);
    }

    [Theory]
    [InlineData(null, false, true)]
    [InlineData(null, true, false)]
    [InlineData("actors", false, false)]
    [InlineData("inline", true, true)]
    [InlineData("auto", false, true)]
    public async Task A_worker_applies_effects_as_the_setting_and_its_backends_say_and_computes_the_same_results(string? setting, bool wrappedStore, bool inline)
    {
        using var kit = new global::Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString(setting is null ? "" : $"brrr.effects = {setting}"));
        IStore store = wrappedStore ? new PassThroughStore(new InMemoryStore()) : new InMemoryStore();
        await using var brrr = new LocalBrrr(kit.Sys, FibTask.Topics(), new BrrrBackends(store, new InMemoryCache(), new InMemoryQueue(), JsonCodec.Default));

        Assert.Equal(inline, brrr.Worker.EffectsInline);
        var registrars = await kit.Sys.ActorSelection($"/user/brrr-{brrr.Worker.Name}-registrars").ResolveOne(TimeSpan.FromSeconds(3))
            .ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
        Assert.Equal(!inline, registrars);

        var roots = Enumerable.Range(0, 8).Select(i => brrr.RunAsync(FibTask.Fib, new FibArgs(15, $"effects-{i}"))).ToArray();
        Assert.All(await Task.WhenAll(roots), value => Assert.Equal(new BigInteger(610), value));
    }

    [Theory]
    [InlineData("inline")]
    [InlineData("actors")]
    public async Task An_effect_whose_call_timed_out_is_not_applied_either_way(string effects)
    {
        using var kit = new global::Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString($"brrr.effects = {effects}"));
        await using var brrr = new LocalBrrr(kit.Sys, FibTask.Topics());
        var hash = "timed-out-" + Guid.NewGuid().ToString("N");
        using var timedOut = new CancellationTokenSource();
        await timedOut.CancelAsync();

        var apply = brrr.Worker.ApplyEffectAsync(new ReturnValue(hash, new Tasks.CallCompleted("1"u8.ToArray())), timedOut.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => apply);
        Assert.Null(await brrr.Backends.Store.GetAsync(MemKey.ValueOf(hash)));
    }
}
