namespace Brrr.Tasks;

/// <summary>A task a worker can run: its name and how to turn a call into return bytes.</summary>
public interface ITaskHandler
{
    /// <summary>The task name calls refer to.</summary>
    string Name { get; }

    /// <summary>
    /// Runs <paramref name="context"/>'s call and returns the encoded value. Throws <see cref="DeferException"/>
    /// when a child's value is missing (the run is then deferred), anything else when the task fails.
    /// </summary>
    Task<byte[]> InvokeAsync(TaskContext context);
}
