using System.Runtime.ExceptionServices;

namespace Brrr;

/// <summary>Waits for effects that run together, so that a failed one never hides the others.</summary>
internal static class SpawnLimitAware
{
    /// <summary>
    /// Waits for every task in <paramref name="tasks"/>; then raises the first error that is not a spawn-limit error.
    /// A spawn-limit error is not raised but returned (the first one, or null): the caller raises it once the rest of
    /// its work is done, as PROTOCOL.md §5 step 4 wants.
    /// </summary>
    public static async Task<SpawnLimitException?> WhenAllAsync(IReadOnlyList<Task> tasks)
    {
        Exception? failure = null;
        SpawnLimitException? spawnLimit = null;
        for (var i = 0; i < tasks.Count; i++)
        {
            try
            {
                await tasks[i].ConfigureAwait(false);
            }
            catch (SpawnLimitException e)
            {
                spawnLimit ??= e;
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return spawnLimit;
    }
}
