using Brrr.Codecs;

namespace Brrr.Tasks;

/// <summary>
/// What a running task sees: its call, and <see cref="Call{TArgs,TResult}"/>/<see cref="Gather{TResult}(IEnumerable{Task{TResult}})"/>
/// to get children's values. A missing child never blocks: the run is aborted (its task is cancelled)
/// and re-run once the child completes. One context serves one run; its methods are thread safe.
/// </summary>
public sealed class TaskContext
{
    private readonly Func<string, CancellationToken, Task<(byte[]? Value, ErrorRecord? Error)>> _readChild;

    // Runs are short and mostly sequential: plain collections under one lock beat concurrent ones built per run.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<byte[]?>> _lookups = new(StringComparer.Ordinal);
    private readonly List<ChildCall> _asked = [];
    private readonly HashSet<string> _missing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ErrorRecord> _failed = new(StringComparer.Ordinal);

    internal TaskContext(Call call, string topic, string rootId, ICodec codec,
        Func<string, CancellationToken, Task<(byte[]? Value, ErrorRecord? Error)>> readChild, CancellationToken cancellationToken)
    {
        CurrentCall = call;
        Topic = topic;
        RootId = rootId;
        Codec = codec;
        _readChild = readChild;
        CancellationToken = cancellationToken;
    }

    /// <summary>The call being run.</summary>
    public Call CurrentCall { get; }

    /// <summary>The topic the call arrived on; children go there unless told otherwise.</summary>
    public string Topic { get; }

    /// <summary>The workflow root of this run.</summary>
    public string RootId { get; }

    /// <summary>The codec of the worker.</summary>
    public ICodec Codec { get; }

    /// <summary>Cancelled when the worker is shutting down.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// The value of <paramref name="task"/>(<paramref name="args"/>) if it is stored; otherwise the child is recorded
    /// for scheduling and the returned task is cancelled, which aborts the run when awaited (let the
    /// <see cref="OperationCanceledException"/> propagate: the run is deferred and re-runs once the child is done).
    /// A child that failed for good (an error record and no value; the record is read only when the value is
    /// missing) faults the returned task with a <see cref="ChildFailedException"/>: catch it for a fallback, or let it
    /// escape and this call fails for good with the child as its cause.
    /// </summary>
    /// <param name="task">The child task (a definition or a by-name reference).</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="topic">The topic the child runs on; default: the task's topic, else this run's topic.</param>
    public Task<TResult> Call<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, string? topic = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var child = Codec.EncodeCall(task.Name, args);
        var childTopic = topic ?? task.Topic ?? Topic;
        Task<byte[]?>? lookup;
        lock (_gate)
        {
            if (!_lookups.TryGetValue(child.CallHash, out lookup))
            {
                // Started under the lock so that one child is looked up once; a lookup never waits for the lock's owner.
                _asked.Add(new ChildCall(child, childTopic));
                lookup = LookupAsync(child.CallHash);
                _lookups.Add(child.CallHash, lookup);
            }
        }

        // A missing child is the common case of a run: a faulted task, not a throw, keeps it cheap.
        return lookup.IsCompletedSuccessfully ? Resolve<TResult>(child, lookup.Result) : ResolveAsync<TResult>(child, lookup);
    }

    /// <summary>
    /// Waits for every call in <paramref name="calls"/> so that all missing children of the run are recorded before
    /// it is deferred; then returns their values in order. A failure other than a missing or failed child is rethrown;
    /// else a missing child defers the run; else children that failed for good throw one
    /// <see cref="ChildrenFailedException"/> that lists them all.
    /// </summary>
    public Task<TResult[]> Gather<TResult>(IEnumerable<Task<TResult>> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var all = calls.ToArray();
        return Array.TrueForAll(all, t => t.IsCompleted)
            ? Settle(all)
            : Task.WhenAll(all).ContinueWith(_ => Settle(all), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    /// <inheritdoc cref="Gather{TResult}(IEnumerable{Task{TResult}})"/>
    public Task<TResult[]> Gather<TResult>(params Task<TResult>[] calls) => Gather((IEnumerable<Task<TResult>>)calls);

    /// <summary>Waits for every one of <paramref name="work"/> (of any result type) the way <see cref="Gather{TResult}(IEnumerable{Task{TResult}})"/> does.</summary>
    public Task GatherAll(params Task[] work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Gather(work.Select(async t =>
        {
            await t.ConfigureAwait(false);
            return true;
        }));
    }

    /// <summary>Whether a child was found missing so far.</summary>
    internal bool HasMissingChildren
    {
        get
        {
            lock (_gate)
            {
                return _missing.Count > 0;
            }
        }
    }

    /// <summary>The children found missing so far, in the order they were first asked for.</summary>
    internal IReadOnlyList<ChildCall> MissingChildren
    {
        get
        {
            lock (_gate)
            {
                return _asked.FindAll(c => _missing.Contains(c.Call.CallHash));
            }
        }
    }

    /// <summary>Waits until every value lookup started by the run has finished (so every missing child is recorded).</summary>
    internal Task LookupsSettled()
    {
        lock (_gate)
        {
            return Task.WhenAll(_lookups.Values);
        }
    }

    /// <summary>The first store failure met while reading a child's value, if any.</summary>
    internal Exception? LookupFailure { get; private set; }

    private async Task<byte[]?> LookupAsync(string callHash)
    {
        byte[]? value;
        ErrorRecord? error;
        try
        {
            // The error record comes with the read of a missing value (one request where the store can).
            (value, error) = await _readChild(callHash, CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LookupFailure ??= e;
            throw;
        }

        if (value is null)
        {
            lock (_gate)
            {
                if (error is null)
                {
                    _missing.Add(callHash);
                }
                else
                {
                    _failed[callHash] = error;
                }
            }
        }

        return value;
    }

    private Task<TResult> Resolve<TResult>(Call child, byte[]? value)
    {
        if (value is not null)
        {
            return Task.FromResult(Codec.Decode<TResult>(child, value));
        }

        lock (_gate)
        {
            return _failed.TryGetValue(child.CallHash, out var error)
                ? Task.FromException<TResult>(new ChildFailedException(error))
                : Missing<TResult>.Task;
        }
    }

    private Task<TResult> ResolveAsync<TResult>(Call child, Task<byte[]?> lookup) =>
        lookup.ContinueWith(
            done => done.IsCompletedSuccessfully ? Resolve<TResult>(child, done.Result)
                : done.IsFaulted ? Task.FromException<TResult>(done.Exception!.InnerException!)
                : Task.FromCanceled<TResult>(CancellationToken.IsCancellationRequested ? CancellationToken : new CancellationToken(true)),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();

    /// <summary>
    /// Outcomes of a settled gather, without a throw: the first failure that is not a failed child, else deferred
    /// (cancelled) when a child is missing, else every failed child, else the values.
    /// </summary>
    private Task<TResult[]> Settle<TResult>(Task<TResult>[] all)
    {
        var cancelled = false;
        var failedChildren = new List<ChildFailedException>();
        foreach (var task in all)
        {
            if (task.IsFaulted)
            {
                var error = task.Exception!.InnerException!;
                if (error is not ChildFailedException failed)
                {
                    return Task.FromException<TResult[]>(error);
                }

                failedChildren.Add(failed);
            }

            cancelled |= task.IsCanceled;
        }

        if (cancelled)
        {
            return HasMissingChildren ? Missing<TResult[]>.Task : Task.FromCanceled<TResult[]>(new CancellationToken(true));
        }

        return failedChildren.Count > 0
            ? Task.FromException<TResult[]>(new ChildrenFailedException(failedChildren))
            : Task.FromResult(Array.ConvertAll(all, t => t.Result));
    }

    /// <summary>The task of a missing child: cancelled, shared (no exception object, nothing to finalize).</summary>
    private static class Missing<T>
    {
        public static readonly Task<T> Task = System.Threading.Tasks.Task.FromCanceled<T>(new CancellationToken(true));
    }
}
