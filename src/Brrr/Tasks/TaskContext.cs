using Brrr.Codecs;

namespace Brrr.Tasks;

/// <summary>
/// What a running task sees: its call, and <see cref="Call{TArgs, TResult}(TaskRef{TArgs, TResult}, TArgs, string?)"/>/<see cref="Gather{TResult}(IEnumerable{Task{TResult}})"/>
/// to get children's values. A missing child never blocks: the run is aborted (its task is cancelled)
/// and re-run once the child completes. One context serves one run; its methods are thread safe.
/// </summary>
public sealed class TaskContext
{
    private readonly Func<string, CancellationToken, ValueTask<(byte[]? Value, ErrorRecord? Error)>> _readChild;

    // Runs are short, mostly sequential and ask for a few children: one list under its own lock, searched in order,
    // with an index by hash only once a run asks for more than IndexFrom children.
    private const int IndexFrom = 8;
    private readonly List<Asked> _asked = [];
    private Dictionary<string, Asked>? _index;
    private int _missing;
    private readonly string? _queueWithoutDelays;
    private int _sleeps;

    /// <param name="call">The call being run.</param>
    /// <param name="topic">The topic it arrived on.</param>
    /// <param name="rootId">Its workflow root.</param>
    /// <param name="codec">The worker's codec.</param>
    /// <param name="readChild">Reads a child's value, or else its error record.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <param name="queueWithoutDelays">The name of the worker's queue when it cannot delay messages (then <see cref="Sleep"/> and delayed calls fail); <c>null</c> when it can.</param>
    internal TaskContext(Call call, string topic, string rootId, ICodec codec,
        Func<string, CancellationToken, ValueTask<(byte[]? Value, ErrorRecord? Error)>> readChild, CancellationToken cancellationToken,
        string? queueWithoutDelays = null)
    {
        CurrentCall = call;
        Topic = topic;
        RootId = rootId;
        Codec = codec;
        _readChild = readChild;
        CancellationToken = cancellationToken;
        _queueWithoutDelays = queueWithoutDelays;
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
        return CallChild<TResult>(Codec.EncodeCall(task.Name, args), topic ?? task.Topic ?? Topic, notBefore: null, delay: null);
    }

    /// <summary>
    /// <see cref="Call{TArgs, TResult}(TaskRef{TArgs, TResult}, TArgs, string?)"/> with the child's topic and, when
    /// <see cref="ScheduleOptions.NotBefore"/> or <see cref="ScheduleOptions.Delay"/> is set, a delayed first run:
    /// the registration that first schedules the child stores its due time (<see cref="ScheduleOptions.NotBefore"/>,
    /// or that moment plus <see cref="ScheduleOptions.Delay"/>) and pushes its job to be delivered then. Re-runs of
    /// this task, retried roots and redelivered messages find that due time and keep it: the child never runs earlier
    /// for a re-run, nor later. A child already scheduled, or stored, when asked for with a delay is unaffected (calls are
    /// memoized by their arguments: the first scheduling decides).
    /// </summary>
    /// <param name="task">The child task (a definition or a by-name reference).</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="options">Its topic (default: the task's topic, else this run's topic) and its earliest run.</param>
    /// <exception cref="ArgumentException">Both <see cref="ScheduleOptions.NotBefore"/> and <see cref="ScheduleOptions.Delay"/> are set, or the delay is negative.</exception>
    /// <exception cref="NotSupportedException">A delay was asked for and the worker's queue cannot delay messages (it is not an <see cref="Backends.IDelayedQueue"/>).</exception>
    public Task<TResult> Call<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, ScheduleOptions options)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        options.DueAt(TimeProvider.System);
        if (options.NotBefore is not null || options.Delay is not null)
        {
            ThrowIfQueueCannotDelay("A delayed call");
        }

        return CallChild<TResult>(Codec.EncodeCall(task.Name, args), options.Topic ?? task.Topic ?? Topic, options.NotBefore, options.Delay);
    }

    /// <summary>
    /// Waits <paramref name="delay"/> without holding anything: the run is deferred on a timer child (the built-in task
    /// <c>brrr.sleep</c>, served on this run's topic by every brrr worker) whose due time is fixed when this run first
    /// defers on it, as that moment plus <paramref name="delay"/>, and stored. Re-runs of this task (another child
    /// completed, a retried root, a redelivered message) meet the same timer and the same due time, so they never push
    /// the wake-up out; once the timer is due it completes and this task re-runs past the sleep.
    /// </summary>
    /// <remarks>
    /// The timer is identified by this call's hash, the sleep's rank among the sleeps of the run (the first
    /// <c>Sleep</c> of a run is 0; the call graph is deterministic, so it is the same on every re-run) and the delay:
    /// two calls sleeping the same delay have two timers. The worker wakes the task no earlier than the due time (a timer
    /// job delivered early, a duplicate of at-least-once delivery, is delayed again until it) and about one
    /// <c>brrr.delayed.poll-interval</c> after it while a worker serves the topic.
    /// </remarks>
    /// <param name="delay">How long to wait, at least zero (a zero sleep still defers once).</param>
    /// <returns>The due time of the timer: the same on every re-run.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="NotSupportedException">The worker's queue cannot delay messages (it is not an <see cref="Backends.IDelayedQueue"/>).</exception>
    public async Task<DateTimeOffset> Sleep(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ThrowIfQueueCannotDelay("ctx.Sleep");
        var ordinal = Interlocked.Increment(ref _sleeps) - 1;
        var timer = SleepTimer.CallOf(Codec, CurrentCall.CallHash, ordinal, delay);
        var dueUnixMs = await CallChild<long>(timer, Topic, notBefore: null, delay).ConfigureAwait(false);
        return DateTimeOffset.FromUnixTimeMilliseconds(dueUnixMs);
    }

    private void ThrowIfQueueCannotDelay(string what)
    {
        if (_queueWithoutDelays is not null)
        {
            throw new NotSupportedException(
                $"{what} needs a queue that can delay messages, and the worker's queue ({_queueWithoutDelays}) cannot: use a queue that implements {nameof(Backends.IDelayedQueue)} (in memory, Redis).");
        }
    }

    private Task<TResult> CallChild<TResult>(Call child, string childTopic, DateTimeOffset? notBefore, TimeSpan? delay)
    {
        Asked? asked;
        lock (_asked)
        {
            asked = Find(child.CallHash);
            if (asked is null)
            {
                // Started under the lock so that one child is looked up once; a lookup never waits for the lock's owner.
                asked = new Asked(new ChildCall(child, childTopic) { NotBefore = notBefore, Delay = delay });
                _asked.Add(asked);
                _index?.Add(child.CallHash, asked);
                if (_index is null && _asked.Count > IndexFrom)
                {
                    _index = _asked.ToDictionary(a => a.Child.Call.CallHash, StringComparer.Ordinal);
                }

                asked.Lookup = LookupAsync(asked);
            }
        }

        // A missing child is the common case of a run: a faulted task, not a throw, keeps it cheap.
        var lookup = asked.Lookup;
        return lookup.IsCompletedSuccessfully ? Resolve<TResult>(child, asked, lookup.Result) : ResolveAsync<TResult>(child, asked, lookup);
    }

    private Asked? Find(string callHash)
    {
        if (_index is not null)
        {
            return _index.GetValueOrDefault(callHash);
        }

        foreach (var asked in _asked)
        {
            if (string.Equals(asked.Child.Call.CallHash, callHash, StringComparison.Ordinal))
            {
                return asked;
            }
        }

        return null;
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
            lock (_asked)
            {
                return _missing > 0;
            }
        }
    }

    /// <summary>The children found missing so far, in the order they were first asked for.</summary>
    internal IReadOnlyList<ChildCall> MissingChildren
    {
        get
        {
            lock (_asked)
            {
                var missing = new List<ChildCall>(_missing);
                foreach (var asked in _asked)
                {
                    if (asked.Missing)
                    {
                        missing.Add(asked.Child);
                    }
                }

                return missing;
            }
        }
    }

    /// <summary>Waits until every value lookup started by the run has finished (so every missing child is recorded).</summary>
    internal Task LookupsSettled()
    {
        lock (_asked)
        {
            return Task.WhenAll(_asked.ConvertAll(a => a.Lookup));
        }
    }

    /// <summary>The first store failure met while reading a child's value, if any.</summary>
    internal Exception? LookupFailure { get; private set; }

    private async Task<byte[]?> LookupAsync(Asked asked)
    {
        byte[]? value;
        ErrorRecord? error;
        try
        {
            // The error record comes with the read of a missing value (one request where the store can).
            (value, error) = await _readChild(asked.Child.Call.CallHash, CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LookupFailure ??= e;
            throw;
        }

        if (value is null)
        {
            lock (_asked)
            {
                if (error is null)
                {
                    asked.Missing = true;
                    _missing++;
                }
                else
                {
                    asked.Error = error;
                }
            }
        }

        return value;
    }

    private Task<TResult> Resolve<TResult>(Call child, Asked asked, byte[]? value)
    {
        if (value is not null)
        {
            return Task.FromResult(Codec.Decode<TResult>(child, value));
        }

        lock (_asked)
        {
            return asked.Error is { } error ? Task.FromException<TResult>(new ChildFailedException(error)) : Missing<TResult>.Task;
        }
    }

    private Task<TResult> ResolveAsync<TResult>(Call child, Asked asked, Task<byte[]?> lookup) =>
        lookup.ContinueWith(
            done => done.IsCompletedSuccessfully ? Resolve<TResult>(child, asked, done.Result)
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
    /// <summary>A child the run asked for: its lookup, and what the lookup found when the value was not there.</summary>
    private sealed class Asked(ChildCall child)
    {
        private static readonly Task<byte[]?> NotStarted = Task.FromResult<byte[]?>(null);

        public ChildCall Child { get; } = child;

        public Task<byte[]?> Lookup { get; set; } = NotStarted;

        public bool Missing { get; set; }

        public ErrorRecord? Error { get; set; }
    }

    private static class Missing<T>
    {
        public static readonly Task<T> Task = System.Threading.Tasks.Task.FromCanceled<T>(new CancellationToken(true));
    }
}
