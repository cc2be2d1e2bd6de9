namespace Brrr.Tasks;

/// <summary>
/// A task as seen by a caller: its name, and the topic its calls go to by default. Enough to call a task that
/// another worker serves (in any language), to schedule it and to read its results.
/// </summary>
/// <typeparam name="TArgs">The arguments (a record, a <see cref="System.Text.Json.Nodes.JsonObject"/> of keyword arguments...).</typeparam>
/// <typeparam name="TResult">The return value.</typeparam>
public class TaskRef<TArgs, TResult>
{
    /// <summary>Creates a reference to the task <paramref name="name"/>.</summary>
    /// <param name="name">The task name, as the serving worker registers it.</param>
    /// <param name="topic">The topic calls go to by default; <c>null</c> means the calling run's own topic.</param>
    public TaskRef(string name, string? topic = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Topic = topic;
    }

    /// <summary>The task name.</summary>
    public string Name { get; }

    /// <summary>The default topic of calls to this task, or <c>null</c> for the caller's topic.</summary>
    public string? Topic { get; }

    /// <summary>A reference to the same task whose calls go to <paramref name="topic"/>.</summary>
    public TaskRef<TArgs, TResult> OnTopic(string topic) => new(Name, topic);

    /// <inheritdoc />
    public override string ToString() => Topic is null ? Name : $"{Name}@{Topic}";
}
