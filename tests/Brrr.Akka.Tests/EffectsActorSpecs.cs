using System.Collections.Concurrent;
using Akka.Actor;
using Brrr.Akka.Actors;
using Brrr.Tasks;

namespace Brrr.Akka.Tests;

/// <summary>The effects actor serializes the effects on one call hash, and only those; probes watch each effect start.</summary>
public sealed class EffectsActorSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);
    private readonly IActorRef _effects;

    public EffectsActorSpecs() : base("akka.loglevel = WARNING")
    {
        var probe = TestActor;
        _effects = Sys.ActorOf(EffectsActor.Props((effect, _) =>
        {
            var name = NameOf(effect);
            probe.Tell(new Started(name));
            return Gate(name).Task;
        }));
    }

    private static string NameOf(StoreEffect effect) => $"{effect.Key}#{((ReturnValue)effect).Outcome.Value[0]}";

    private static EffectWork Work(string key, byte n, CancellationToken cancellation = default) =>
        EffectWork.Of(new ReturnValue(key, new CallCompleted([n])), cancellation);

    private TaskCompletionSource Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    [Fact]
    public async Task Effects_on_one_call_hash_run_one_at_a_time_and_effects_on_another_at_once()
    {
        var (a1, a2, b1) = (Work("a", 1), Work("a", 2), Work("b", 1));
        _effects.Tell(a1);
        _effects.Tell(a2);
        _effects.Tell(b1);

        ExpectMsg(new Started("a#1"));
        ExpectMsg(new Started("b#1"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Gate("a#1").SetResult();
        await a1.Done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        ExpectMsg(new Started("a#2"));

        var failure = new IOException("store down");
        Gate("a#2").SetException(failure);
        Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => a2.Done.Task.WaitAsync(TimeSpan.FromSeconds(5))));
        Assert.False(b1.Done.Task.IsCompleted);
        Gate("b#1").SetResult();
        await b1.Done.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_cancelled_effect_frees_its_call_hash_even_when_the_store_ignores_the_cancellation_and_a_queued_one_is_not_applied()
    {
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var (a1, a2, a3) = (Work("a", 1, first.Token), Work("a", 2, second.Token), Work("a", 3));
        _effects.Tell(a1);
        _effects.Tell(a2);
        _effects.Tell(a3);
        ExpectMsg(new Started("a#1"));

        await second.CancelAsync();
        await first.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a1.Done.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a2.Done.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        ExpectMsg(new Started("a#3"));
        Gate("a#3").SetResult();
        await a3.Done.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_caller_that_continues_synchronously_on_an_effect_does_not_hold_up_the_next_effect_on_its_call_hash()
    {
        var (a1, a2) = (Work("a", 1), Work("a", 2));
        var secondStarted = new ManualResetEventSlim();
        Gate("a#2").SetResult();
        var sawSecond = a1.Done.Task.ContinueWith(
            _ =>
            {
                // Blocks until the next effect on the key starts: inline inside the actor's own continuation, it never would.
                var started = secondStarted.Wait(TimeSpan.FromSeconds(5));
                secondStarted.Dispose();
                return started;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _effects.Tell(a1);
        _effects.Tell(a2);
        ExpectMsg(new Started("a#1"));

        Gate("a#1").SetResult();
        ExpectMsg(new Started("a#2"));
        secondStarted.Set();

        Assert.True(await sawSecond.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private sealed record Started(string Effect);
}
