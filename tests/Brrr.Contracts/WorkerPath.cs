using Brrr.Backends;
using Brrr.Tasks;

namespace Brrr.Contracts;

/// <summary>
/// The path a worker's call runner takes for one message, without the actors: load the call, then run it and apply
/// its store effects (the worker routes each effect to an actor that applies it with the same
/// <see cref="CallProcessor.ApplyEffectAsync"/>).
/// </summary>
internal static class WorkerPath
{
    /// <summary>Loads and runs <paramref name="delivery"/>, applying its store effects; returns the outcome.</summary>
    public static async Task<CallOutcome> HandleAsync(this CallProcessor processor, QueueDelivery delivery, TaskSet tasks)
    {
        var loaded = await processor.LoadAsync(delivery);
        return await processor.ExecuteAsync(loaded, tasks, processor.ApplyEffectAsync);
    }
}
