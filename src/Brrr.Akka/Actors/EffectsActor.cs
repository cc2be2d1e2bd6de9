using Akka.Actor;

namespace Brrr.Akka.Actors;

/// <summary>
/// Applies store effects (child registrations or value returns) with the work on one call hash serialized:
/// a second effect on a key that is busy waits for the first, while effects on other keys run concurrently.
/// Completes each effect's <see cref="EffectWork.Done"/> when it is applied (or failed, or cancelled). An effect whose
/// call was cancelled (its call timeout) frees its key at once, even if the store ignores the cancellation: the store
/// algorithms are safe under concurrency, the serialization only saves compare-and-set conflicts. An effect whose
/// work completes synchronously (in-memory backends) is settled in the same receive, without a message to itself.
/// </summary>
internal sealed class EffectsActor : ReceiveActor
{
    private readonly Dictionary<string, Queue<EffectWork>> _waiting = new(StringComparer.Ordinal);
    private readonly Func<StoreEffect, CancellationToken, Task> _apply;

    public EffectsActor(Func<StoreEffect, CancellationToken, Task> apply)
    {
        _apply = apply;
        Receive<EffectWork>(Enqueue);
        Receive<KeyFree>(m => Next(m.Key));
    }

    public static Props Props(Func<StoreEffect, CancellationToken, Task> apply) => global::Akka.Actor.Props.Create<EffectsActor>(apply);

    private void Enqueue(EffectWork work)
    {
        if (_waiting.TryGetValue(work.Key, out var queue))
        {
            queue.Enqueue(work);
            return;
        }

        queue = new Queue<EffectWork>();
        queue.Enqueue(work);
        _waiting[work.Key] = queue;
        Run(work.Key, queue);
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
    private void Run(string key, Queue<EffectWork> queue)
    {
        while (true)
        {
            var work = queue.Peek();
            var running = Start(work);
            if (!running.IsCompleted)
            {
                var self = Self;
                running.ContinueWith(
                    done =>
                    {
                        Settle(work, done);
                        self.Tell(new KeyFree(key));
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                return;
            }

            Settle(work, running);
            queue.Dequeue();
            if (queue.Count == 0)
            {
                _waiting.Remove(key);
                return;
            }
        }
    }

    private Task Start(EffectWork work)
    {
        if (work.Cancellation.IsCancellationRequested)
        {
            return Task.FromCanceled(work.Cancellation);
        }

        try
        {
            return _apply(work.Effect, work.Cancellation).WaitAsync(work.Cancellation);
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private static void Settle(EffectWork work, Task running)
    {
        if (running.IsFaulted)
        {
            work.Done.TrySetException(running.Exception!.InnerException!);
        }
        else if (running.IsCanceled)
        {
            work.Done.TrySetCanceled(work.Cancellation);
        }
        else
        {
            work.Done.TrySetResult();
        }
    }

    /// <summary>The effect at the head of the key's queue is settled: start the next one.</summary>
    private sealed record KeyFree(string Key);
}
