namespace Brrr.Tasks;

/// <summary>A task a worker can run: its name and how to turn a call into return bytes.</summary>
public interface ITaskHandler
{
    /// <summary>The task name calls refer to.</summary>
    string Name { get; }

    /// <summary>
    /// Runs <paramref name="context"/>'s call and returns the encoded value, or <c>null</c> when the run is deferred
    /// on missing children (it may also throw <see cref="DeferException"/> for that); anything else thrown is a
    /// failure of the task.
    /// </summary>
    Task<byte[]?> InvokeAsync(TaskContext context);

    /// <summary>The failure policy the task asks for in code (<c>null</c>: the worker's, see <see cref="TaskPolicies"/>).</summary>
    TaskOptions? Options => null;
}
