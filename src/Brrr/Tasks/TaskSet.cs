using System.Collections.Concurrent;

namespace Brrr.Tasks;

/// <summary>The tasks one topic serves, by name. Thread safe.</summary>
public sealed class TaskSet
{
    private readonly ConcurrentDictionary<string, ITaskHandler> _tasks = new(StringComparer.Ordinal);

    /// <summary>Creates a set holding <paramref name="tasks"/>.</summary>
    public TaskSet(params IEnumerable<ITaskHandler> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var task in tasks)
        {
            Add(task);
        }
    }

    /// <summary>The registered task names.</summary>
    public IReadOnlyCollection<string> Names => (IReadOnlyCollection<string>)_tasks.Keys;

    /// <summary>Registers <paramref name="task"/>; throws when another task has its name.</summary>
    public TaskSet Add(ITaskHandler task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!_tasks.TryAdd(task.Name, task) && !ReferenceEquals(_tasks[task.Name], task))
        {
            throw new ArgumentException($"A different task named '{task.Name}' is already registered.", nameof(task));
        }

        return this;
    }

    /// <summary>The task named <paramref name="name"/>, or <c>null</c>.</summary>
    public ITaskHandler? Find(string name) => _tasks.GetValueOrDefault(name);
}
