using Brrr.Tasks;

namespace Brrr.Akka;

/// <summary>Counts the executions of a task in the worker's statistics.</summary>
internal sealed class CountingTask(ITaskHandler inner, WorkerStatistics statistics) : ITaskHandler
{
    public string Name => inner.Name;

    public Task<byte[]?> InvokeAsync(TaskContext context)
    {
        statistics.Executed(inner.Name);
        return inner.InvokeAsync(context);
    }

    public static TaskSet Wrap(TaskSet tasks, WorkerStatistics statistics) =>
        new(tasks.Names.Select(n => (ITaskHandler)new CountingTask(tasks.Find(n)!, statistics)));
}
