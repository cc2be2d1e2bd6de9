using Brrr.Tasks;

namespace Brrr.Akka;

/// <summary>Counts the executions of a task in the worker's statistics and in <see cref="BrrrDiagnostics"/>.</summary>
internal sealed class CountingTask(ITaskHandler inner, WorkerStatistics statistics, string topic) : ITaskHandler
{
    public string Name => inner.Name;

    public TaskOptions? Options => inner.Options;

    public Task<byte[]?> InvokeAsync(TaskContext context)
    {
        statistics.Executed(inner.Name);
        BrrrDiagnostics.Executions.Add(1, new KeyValuePair<string, object?>("brrr.task", inner.Name), new KeyValuePair<string, object?>("brrr.topic", topic));
        return inner.InvokeAsync(context);
    }

    public static TaskSet Wrap(TaskSet tasks, WorkerStatistics statistics, string topic) =>
        new(tasks.Names.Select(n => (ITaskHandler)new CountingTask(tasks.Find(n)!, statistics, topic)));
}
