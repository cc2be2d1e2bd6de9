using Akka.Actor;

namespace Brrr.Akka.Actors;

/// <summary>
/// Applies store effects (child registrations or value returns) with the work on one call hash serialized:
/// a second effect on a key that is busy waits for the first, while effects on other keys run concurrently.
/// Completes each effect's <see cref="Effect.Done"/> when it is applied (or failed). An effect whose work
/// completes synchronously (in-memory backends) is settled in the same receive, without a message to itself.
/// </summary>
internal sealed class EffectsActor : ReceiveActor
{
    private readonly Dictionary<string, Queue<Effect>> _waiting = new(StringComparer.Ordinal);
    private readonly Func<Effect, Task> _apply;

    public EffectsActor(Func<Effect, Task> apply)
    {
        _apply = apply;
        Receive<Effect>(Enqueue);
        Receive<KeyFree>(m => Next(m.Key));
    }

    public static Props Props(Func<Effect, Task> apply) => global::Akka.Actor.Props.Create<EffectsActor>(apply);

    private void Enqueue(Effect effect)
    {
        if (_waiting.TryGetValue(effect.Key, out var queue))
        {
            queue.Enqueue(effect);
            return;
        }

        queue = new Queue<Effect>();
        queue.Enqueue(effect);
        _waiting[effect.Key] = queue;
        Run(effect.Key, queue);
    }

    private void Next(string key)
    {
        var queue = _waiting[key];
        queue.Dequeue();
        if (queue.Count == 0)
        {
            _waiting.Remove(key);
        }
        else
        {
            Run(key, queue);
        }
    }

    /// <summary>Runs the effects queued on <paramref name="key"/> until one has to wait, or none is left.</summary>
    private void Run(string key, Queue<Effect> queue)
    {
        while (true)
        {
            var effect = queue.Peek();
            var work = Start(effect);
            if (!work.IsCompleted)
            {
                var self = Self;
                work.ContinueWith(
                    done =>
                    {
                        Settle(effect, done);
                        self.Tell(new KeyFree(key));
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                return;
            }

            Settle(effect, work);
            queue.Dequeue();
            if (queue.Count == 0)
            {
                _waiting.Remove(key);
                return;
            }
        }
    }

    private Task Start(Effect effect)
    {
        try
        {
            return _apply(effect);
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private static void Settle(Effect effect, Task work) =>
        effect.Done.TrySetResult(work.IsFaulted ? work.Exception!.InnerException : work.IsCanceled ? new OperationCanceledException() : null);

    /// <summary>The effect at the head of the key's queue is settled: start the next one.</summary>
    private sealed record KeyFree(string Key);
}
