namespace Brrr;

/// <summary>The base of every error brrr raises on purpose.</summary>
public class BrrrException : Exception
{
    /// <summary>Creates the error with a message saying what went wrong and how to fix it.</summary>
    public BrrrException(string message) : base(message) { }

    /// <summary>Creates the error with a message and the error that caused it.</summary>
    public BrrrException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// Bytes that do not follow PROTOCOL.md: malformed bencode, a record with a wrong tag or field count,
/// an item of the wrong shape in a store. Never retried: the same bytes fail the same way.
/// </summary>
public sealed class ProtocolException : BrrrException
{
    /// <summary>Creates the error; <paramref name="message"/> names what was expected and what was found.</summary>
    public ProtocolException(string message) : base(message) { }

    /// <summary>Creates the error with the error that caused it.</summary>
    public ProtocolException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A workflow root pushed more jobs than the spawn limit allows. It flags infinite recursion or a call
/// graph that is not idempotent; raise the limit only if the workflow really is that large.
/// </summary>
public sealed class SpawnLimitException : BrrrException
{
    /// <summary>Creates the error for <paramref name="rootId"/>, which reached <paramref name="count"/> jobs.</summary>
    public SpawnLimitException(string rootId, long count, long limit)
        : base($"Spawn limit of {limit} jobs reached for root {rootId} (job #{count}): infinite recursion or a non-idempotent call graph? Raise brrr.spawn-limit if the workflow is really this large.")
    {
        RootId = rootId;
        Count = count;
        Limit = limit;
    }

    /// <summary>The workflow root whose counter went over the limit.</summary>
    public string RootId { get; }

    /// <summary>The counter value that was refused.</summary>
    public long Count { get; }

    /// <summary>The configured limit.</summary>
    public long Limit { get; }
}

/// <summary>A message names a task this worker does not serve on that topic.</summary>
public sealed class TaskNotFoundException : BrrrException
{
    /// <summary>Creates the error for <paramref name="taskName"/>.</summary>
    public TaskNotFoundException(string taskName, string? topic)
        : base($"No task named '{taskName}' is registered{(topic is null ? "" : $" on topic '{topic}'")}: register it on this worker or send its calls to the topic of a worker that serves it.")
    {
        TaskName = taskName;
        Topic = topic;
    }

    /// <summary>The unknown task name.</summary>
    public string TaskName { get; }

    /// <summary>The topic the call arrived on, if known.</summary>
    public string? Topic { get; }
}

/// <summary>A message refers to a call whose <c>call</c> record is not in the store, even after retries.</summary>
public sealed class CallNotFoundException : BrrrException
{
    /// <summary>Creates the error for <paramref name="callHash"/>.</summary>
    public CallNotFoundException(string callHash)
        : base($"The call record of {callHash} is not in the store (after retries): the message refers to a call nobody stored, or the store was reset.")
    {
        CallHash = callHash;
    }

    /// <summary>The hash of the missing call.</summary>
    public string CallHash { get; }
}

/// <summary>The code of a task threw (anything other than a missing child): the run failed.</summary>
public sealed class TaskFailedException : BrrrException
{
    /// <summary>Creates the error for <paramref name="call"/>, caused by <paramref name="innerException"/>.</summary>
    public TaskFailedException(Call call, Exception innerException)
        : base($"Task '{call?.TaskName}' failed on call {call?.CallHash}: {innerException?.Message}", innerException!)
    {
        ArgumentNullException.ThrowIfNull(call);
        TaskName = call.TaskName;
        CallHash = call.CallHash;
    }

    /// <summary>The task that threw.</summary>
    public string TaskName { get; }

    /// <summary>The call whose run threw.</summary>
    public string CallHash { get; }

    /// <summary>The failure policy of the run that threw (its attempts, backoff and non-retryable exceptions), when the worker knew it.</summary>
    public Tasks.RetryPolicy? Policy { get; init; }
}

/// <summary>
/// A queue message, call record or value is larger than its limit (<see cref="BrrrLimits"/>). Never retried: the same
/// bytes are as large the next time.
/// </summary>
public sealed class SizeLimitException : BrrrException
{
    /// <summary>Creates the error; <paramref name="message"/> names the limit and the size.</summary>
    public SizeLimitException(string message, string limitName, long size, long limit)
        : base(message)
    {
        LimitName = limitName;
        Size = size;
        Limit = limit;
    }

    /// <summary>The setting that holds the limit, e.g. <c>brrr.max-value-bytes</c>.</summary>
    public string LimitName { get; }

    /// <summary>The size that was refused, in bytes.</summary>
    public long Size { get; }

    /// <summary>The limit, in bytes.</summary>
    public long Limit { get; }
}
