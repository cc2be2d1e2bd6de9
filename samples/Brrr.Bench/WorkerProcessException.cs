namespace Brrr.Bench;

/// <summary>A worker process did not start, answer or report in time, or exited while a run needed it.</summary>
internal sealed class WorkerProcessException : Exception
{
    public WorkerProcessException(string message)
        : base(message)
    {
    }

    public WorkerProcessException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
