using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Brrr.Tasks;

/// <summary>
/// The failure policies of a worker's tasks: the configured ones by task name over each task's own
/// <see cref="ITaskHandler.Options"/> over the defaults (<see cref="RetryPolicy.Resolve"/>), resolved once per task. Thread safe.
/// </summary>
public sealed class TaskPolicies
{
    private readonly ImmutableDictionary<string, TaskOptions> _configured;
    private readonly ConcurrentDictionary<string, (TaskOptions? Code, RetryPolicy Policy)> _resolved = new(StringComparer.Ordinal);

    /// <summary>Creates the policies.</summary>
    /// <param name="defaults">The policy of a task that sets nothing (<c>brrr.task-defaults</c>).</param>
    /// <param name="configured">Per-task options by task name (<c>brrr.tasks</c>); they win over a task's own options.</param>
    public TaskPolicies(RetryPolicy defaults, IReadOnlyDictionary<string, TaskOptions>? configured = null)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        Defaults = defaults;
        _configured = configured?.ToImmutableDictionary(StringComparer.Ordinal) ?? ImmutableDictionary<string, TaskOptions>.Empty.WithComparers(StringComparer.Ordinal);
    }

    /// <summary>The policy of a task that sets nothing.</summary>
    public RetryPolicy Defaults { get; }

    /// <summary>
    /// How long the records of a settled call of <paramref name="task"/> are kept (<see cref="TaskOptions.Retention"/>:
    /// configured, else the task's own, else <see cref="DefaultRetention"/>), or <c>null</c> when they are kept forever.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The resolved retention is zero or negative.</exception>
    public TimeSpan? RetentionOf(ITaskHandler task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var retention = _configured.GetValueOrDefault(task.Name)?.Retention ?? task.Options?.Retention ?? DefaultRetention;
        if (retention == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        return retention > TimeSpan.Zero
            ? retention
            : throw new ArgumentOutOfRangeException(nameof(task), retention, $"The retention of task '{task.Name}' must be > 0, or infinite.");
    }

    /// <summary>The retention of a task that sets none (<c>brrr.task-defaults.retention</c>); <see cref="Timeout.InfiniteTimeSpan"/>: forever.</summary>
    public TimeSpan DefaultRetention { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>The policy of <paramref name="task"/>.</summary>
    /// <exception cref="ArgumentException">Its resolved parts are out of range; the message names the task.</exception>
    public RetryPolicy For(ITaskHandler task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var code = task.Options;
        if (_resolved.TryGetValue(task.Name, out var known) && ReferenceEquals(known.Code, code))
        {
            return known.Policy;
        }

        var policy = RetryPolicy.Resolve(task.Name, _configured.GetValueOrDefault(task.Name), code, Defaults);
        _resolved[task.Name] = (code, policy);
        return policy;
    }
}
