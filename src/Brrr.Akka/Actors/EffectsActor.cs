using Akka.Actor;

namespace Brrr.Akka.Actors;

/// <summary>
/// Applies store effects (child registrations or value returns) with the work on one call hash serialized:
/// a second effect on a key that is busy waits for the first, while effects on other keys run concurrently.
/// Replies <see cref="EffectDone"/> to the sender when an effect is done (or failed).
/// </summary>
internal sealed class EffectsActor : ReceiveActor
{
    private readonly Dictionary<string, Queue<(object Work, IActorRef ReplyTo)>> _waiting = new(StringComparer.Ordinal);

    public EffectsActor(Func<object, Task> apply)
    {
        Receive<RegisterChild>(m => Enqueue(m.Child.Call.CallHash, m, apply));
        Receive<ReturnValue>(m => Enqueue(m.CallHash, m, apply));
        Receive<Finished>(m =>
        {
            m.ReplyTo.Tell(new EffectDone(m.Error));
            var queue = _waiting[m.Key];
            queue.Dequeue();
            if (queue.Count == 0)
            {
                _waiting.Remove(m.Key);
            }
            else
            {
                Start(m.Key, queue.Peek(), apply);
            }
        });
    }

    public static Props Props(Func<object, Task> apply) => global::Akka.Actor.Props.Create(() => new EffectsActor(apply));

    private void Enqueue(string key, object work, Func<object, Task> apply)
    {
        if (!_waiting.TryGetValue(key, out var queue))
        {
            queue = new Queue<(object, IActorRef)>();
            _waiting[key] = queue;
        }

        queue.Enqueue((work, Sender));
        if (queue.Count == 1)
        {
            Start(key, queue.Peek(), apply);
        }
    }

    private void Start(string key, (object Work, IActorRef ReplyTo) item, Func<object, Task> apply)
    {
        RunAsync(apply, item.Work).PipeTo(Self, success: error => new Finished(key, item.ReplyTo, error));
    }

    private static async Task<Exception?> RunAsync(Func<object, Task> apply, object work)
    {
        try
        {
            await apply(work).ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private sealed record Finished(string Key, IActorRef ReplyTo, Exception? Error);
}
