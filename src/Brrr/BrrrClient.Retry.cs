using Brrr.Tasks;

namespace Brrr;

public sealed partial class BrrrClient
{
    /// <summary>The most error records one retry removes (a bound on a corrupt or cyclic chain).</summary>
    public const int MaxRetriedErrors = 10_000;

    /// <summary>
    /// Retries the failed workflow <paramref name="task"/>(<paramref name="args"/>): removes the error records along
    /// its failed chain (its own and those of its causes, following each cause's own record, the deepest first and the
    /// root's last), then schedules it again as a new root on <paramref name="topic"/> (default: the task's topic).
    /// Values stored before the failure are reused. Returns the new root id, or <c>null</c> when the value is stored
    /// (nothing to retry).
    /// </summary>
    /// <exception cref="ArgumentException">Neither <paramref name="topic"/> nor the task names a topic.</exception>
    public async Task<string?> RetryAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, string? topic = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var target = topic ?? task.Topic ?? throw new ArgumentException($"Task '{task.Name}' has no default topic: pass one.", nameof(topic));
        return await RetryAsync(Codec.EncodeCall(task.Name, args), target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Retries the already encoded <paramref name="call"/> (as <see cref="Memory.GetCallAsync"/> reads it) on
    /// <paramref name="topic"/>: as <see cref="RetryAsync{TArgs, TResult}"/>, for a caller that knows the call by its hash.
    /// </summary>
    /// <returns>The new root id, or <c>null</c> when the call has a value already.</returns>
    public async Task<string?> RetryAsync(Call call, string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        if (await Memory.HasValueAsync(call.CallHash, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        await ClearErrorChainAsync(call.CallHash, cancellationToken).ConfigureAwait(false);
        var rootId = NewRootId();
        await ScheduleAsync(call, topic, rootId, cancellationToken).ConfigureAwait(false);
        return rootId;
    }

    /// <summary>
    /// Removes the error record of <paramref name="callHash"/> and those of every cause the records name (following
    /// each cause's own record), the deepest first, so that a call run again meets no stale failure below it. Up to
    /// <see cref="MaxRetriedErrors"/> records. Returns how many it removed.
    /// </summary>
    public async Task<int> ClearErrorChainAsync(string callHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callHash);
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { callHash };
        var level = new List<string> { callHash };
        while (level.Count > 0 && seen.Count <= MaxRetriedErrors)
        {
            var records = await Task.WhenAll(level.Select(h => Memory.GetErrorAsync(h, cancellationToken))).ConfigureAwait(false);
            level = [];
            foreach (var record in records.OfType<ErrorRecord>())
            {
                found.Add(record.CallHash);
                level.AddRange(record.Causes.Select(c => c.CallHash).Where(seen.Add));
            }
        }

        for (var i = found.Count - 1; i >= 0; i--)
        {
            await Memory.DeleteErrorAsync(found[i], cancellationToken).ConfigureAwait(false);
        }

        return found.Count;
    }
}
