namespace Brrr.Tasks;

/// <summary>
/// A run of a task took longer than its attempt timeout (<see cref="RetryPolicy.AttemptTimeout"/>): its
/// <see cref="TaskContext.CancellationToken"/> was cancelled, and the run counts as one failed attempt.
/// </summary>
public sealed class AttemptTimeoutException : TimeoutException
{
    /// <summary>Creates the error for a run of <paramref name="taskName"/> stopped after <paramref name="timeout"/>.</summary>
    public AttemptTimeoutException(string taskName, TimeSpan timeout, Exception? innerException = null)
        : base($"A run of task '{taskName}' took longer than its attempt timeout ({timeout}) and was cancelled.", innerException)
    {
        TaskName = taskName;
        Timeout = timeout;
    }

    /// <summary>The task whose run timed out.</summary>
    public string TaskName { get; }

    /// <summary>The attempt timeout it ran over.</summary>
    public TimeSpan Timeout { get; }
}
