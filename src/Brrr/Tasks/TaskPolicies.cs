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
