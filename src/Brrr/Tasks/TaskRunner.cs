using Brrr.Codecs;

namespace Brrr.Tasks;

/// <summary>
/// Runs one call of a task to its outcome: <see cref="CallCompleted"/> with the value, or
/// <see cref="CallDeferred"/> with every missing child. A plain function of its inputs, testable without a queue.
/// </summary>
internal static class TaskRunner
{
    /// <summary>Runs <paramref name="call"/> with <paramref name="handler"/>.</summary>
    /// <param name="handler">The task to run.</param>
    /// <param name="call">The call (its payload holds the arguments).</param>
    /// <param name="topic">The topic the call arrived on (default topic of children).</param>
    /// <param name="rootId">The workflow root.</param>
    /// <param name="codec">The codec of the worker.</param>
    /// <param name="readValue">Reads a child's stored value by call hash; <c>null</c> when missing.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <param name="policy">
    /// The task's failure policy (default: none): its <see cref="RetryPolicy.AttemptTimeout"/> cancels the run's
    /// <see cref="TaskContext.CancellationToken"/>, and the run then fails with a <see cref="AttemptTimeoutException"/>.
    /// </param>
    /// <param name="readError">Reads a child's error record by call hash, only when its value is missing; default: no child ever failed.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="TaskFailedException">The task threw, or ran over its attempt timeout; the inner exception is what it threw.</exception>
    /// <exception cref="ProtocolException">The arguments do not decode.</exception>
    public static Task<CallOutcome> RunAsync(
        ITaskHandler handler,
        Call call,
        string topic,
        string rootId,
        ICodec codec,
        Func<string, CancellationToken, Task<byte[]?>> readValue,
        CancellationToken cancellationToken = default,
        RetryPolicy? policy = null,
        Func<string, CancellationToken, Task<ErrorRecord?>>? readError = null)
    {
        ArgumentNullException.ThrowIfNull(readValue);
        return RunAsync(handler, call, topic, rootId, codec, async ValueTask<(byte[]?, ErrorRecord?)> (hash, ct) =>
        {
            var value = await readValue(hash, ct).ConfigureAwait(false);
            return value is not null || readError is null ? (value, null) : (null, await readError(hash, ct).ConfigureAwait(false));
        }, policy, queueWithoutDelays: null, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="call"/>, reading each child's value, or else its error record, with one call of
    /// <paramref name="readChild"/>; <paramref name="queueWithoutDelays"/> names the worker's queue when it cannot delay
    /// messages (then sleeps and delayed calls fail the run), <c>null</c> when it can.
    /// </summary>
    internal static async Task<CallOutcome> RunAsync(
        ITaskHandler handler,
        Call call,
        string topic,
        string rootId,
        ICodec codec,
        Func<string, CancellationToken, ValueTask<(byte[]? Value, ErrorRecord? Error)>> readChild,
        RetryPolicy? policy,
        string? queueWithoutDelays,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(call);
        var timeout = policy?.AttemptTimeout ?? Timeout.InfiniteTimeSpan;
        using var attempt = timeout == Timeout.InfiniteTimeSpan ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt?.CancelAfter(timeout);
        var context = new TaskContext(call, topic, rootId, codec, readChild, attempt?.Token ?? cancellationToken, queueWithoutDelays);
        try
        {
            var value = await handler.InvokeAsync(context).ConfigureAwait(false);
            return value is null ? await DeferredAsync(context).ConfigureAwait(false) : new CallCompleted(value);
        }
        catch (Exception) when (HasMissing(context))
        {
            return await DeferredAsync(context).ConfigureAwait(false);
        }
        catch (DeferException)
        {
            // Thrown by task code itself before asking for any child: wait for lookups still running.
            return await DeferredAsync(context).ConfigureAwait(false);
        }
        catch (Exception e) when (attempt is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested && e is not ProtocolException)
        {
            // Over the attempt timeout, whatever the task threw once its token was cancelled: one failed attempt.
            throw new TaskFailedException(call, new AttemptTimeoutException(call.TaskName, timeout, e)) { Policy = policy };
        }
        catch (Exception) when (context.LookupFailure is { } lookupFailure)
        {
            // The store failed under the task: not the task's fault, and worth a retry.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(lookupFailure);
            throw;
        }
        catch (Exception e) when (e is not (ProtocolException or OperationCanceledException))
        {
            throw new TaskFailedException(call, e) { Policy = policy };
        }
    }

    private static bool HasMissing(TaskContext context) => context.HasMissingChildren;

    private static async Task<CallOutcome> DeferredAsync(TaskContext context)
    {
        try
        {
            await context.LookupsSettled().ConfigureAwait(false);
        }
        catch (Exception) when (context.HasMissingChildren)
        {
            // A failed lookup of one child does not hide the children already found missing.
        }

        return context.HasMissingChildren
            ? new CallDeferred(context.MissingChildren)
            : throw new InvalidOperationException($"The run of {context.CurrentCall} deferred without asking for a missing child.");
    }
}
