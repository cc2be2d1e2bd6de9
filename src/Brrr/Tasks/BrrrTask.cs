namespace Brrr.Tasks;

/// <summary>
/// A task definition: a name and an async handler. The handler must be deterministic in the children it calls
/// (it may be re-run any number of times; results are memoized by call hash).
/// </summary>
public sealed class BrrrTask<TArgs, TResult> : TaskRef<TArgs, TResult>, ITaskHandler
{
    private readonly Func<TaskContext, TArgs, Task<TResult>> _handler;

    /// <summary>Creates a task; prefer <see cref="BrrrTask.Create{TArgs,TResult}(string, Func{TaskContext, TArgs, Task{TResult}}, string?)"/>.</summary>
    public BrrrTask(string name, Func<TaskContext, TArgs, Task<TResult>> handler, string? topic = null, TaskOptions? options = null)
        : base(name, topic)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        Options = options;
    }

    /// <inheritdoc />
    public TaskOptions? Options { get; }

    /// <inheritdoc />
    public async Task<byte[]?> InvokeAsync(TaskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = context.Codec.DecodeArgs<TArgs>(context.CurrentCall);
        var run = _handler(context, args);
        // A deferred run ends here, cancelled by a missing child, without another throw.
        await ((Task)run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if ((run.IsCanceled && context.HasMissingChildren) || (run.IsFaulted && run.Exception!.InnerExceptions.All(e => e is DeferException)))
        {
            return null;
        }

        return context.Codec.EncodeReturn(await run.ConfigureAwait(false));
    }
}

/// <summary>Factory methods for task definitions and references.</summary>
public static class BrrrTask
{
    /// <summary>Defines the task <paramref name="name"/> run by <paramref name="handler"/>.</summary>
    /// <param name="name">The task name (what other workers and clients call).</param>
    /// <param name="handler">The task body; it calls children through the context.</param>
    /// <param name="topic">The topic its calls go to by default; <c>null</c> means the caller's topic.</param>
    public static BrrrTask<TArgs, TResult> Create<TArgs, TResult>(string name, Func<TaskContext, TArgs, Task<TResult>> handler, string? topic = null) =>
        new(name, handler, topic);

    /// <summary>Defines the task <paramref name="name"/> run by <paramref name="handler"/>, with its own failure policy.</summary>
    /// <param name="name">The task name (what other workers and clients call).</param>
    /// <param name="handler">The task body; it calls children through the context.</param>
    /// <param name="options">Its attempts, backoff, attempt timeout and non-retryable exceptions; HOCON <c>brrr.tasks."name"</c> overrides them part by part.</param>
    /// <param name="topic">The topic its calls go to by default; <c>null</c> means the caller's topic.</param>
    public static BrrrTask<TArgs, TResult> Create<TArgs, TResult>(
        string name, Func<TaskContext, TArgs, Task<TResult>> handler, TaskOptions options, string? topic = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(name, handler, topic, options);
    }

    /// <summary>A reference to a task served elsewhere (another worker, another language), by name only.</summary>
    public static TaskRef<TArgs, TResult> Ref<TArgs, TResult>(string name, string? topic = null) => new(name, topic);
}
