using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr;

/// <summary>
/// Handles one queue message by PROTOCOL.md §5: <see cref="LoadAsync"/> reads its call, then <see cref="ExecuteAsync"/>
/// runs it to an outcome and applies the outcome's store effects (register children and push their jobs, or store
/// the value and push the parents' jobs) through an applier the runtime chooses: <see cref="ApplyEffectAsync"/>
/// directly, or a route that serializes the effects on one call hash. The worker and the tests run this one path.
/// Thread safe.
/// </summary>
internal sealed partial class CallProcessor
{
    // Made once: a method group converted at each run would allocate a delegate per run.
    private readonly Func<string, CancellationToken, ValueTask<(byte[]? Value, ErrorRecord? Error)>> _readChild;
    private readonly Func<PendingReturn, CancellationToken, Task> _sendReturn;

    // The store when it schedules a child in one step with the jobs' cache and queue (ISchedulingStore), else null;
    // then also the sending of a value's returns with the removal of their record, in one step.
    private readonly ISchedulingStore? _schedulingStore;
    private readonly SendThenDelete? _sendThenDelete;

    // The pending_returns record each child this process scheduled in one step was created with, and its one return.
    private readonly BoundedCache<FirstReturn> _firstReturns;

    /// <summary>Creates the processor.</summary>
    /// <param name="memory">The store algorithms.</param>
    /// <param name="jobs">The job pusher.</param>
    /// <param name="codec">The codec tasks run with.</param>
    /// <param name="values">Child values kept in this process; default: none.</param>
    /// <param name="calls">Call records kept in this process (written or read here); default: none.</param>
    /// <param name="waiting">Calls that deferred here, by root, with the children they wait for (parent debouncing); default: none.</param>
    /// <param name="cancelled">The cancel marks of roots; default: read from the jobs' cache, each root at most once per second.</param>
    public CallProcessor(
        Memory memory, Jobs jobs, ICodec codec, BoundedCache<byte[]>? values = null, BoundedCache<Call>? calls = null,
        BoundedCache<WaitingChildren>? waiting = null, CancelledRoots? cancelled = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(codec);
        Memory = memory;
        Jobs = jobs;
        _readChild = ReadChildAsync;
        _sendReturn = SendReturnAsync;
        _schedulingStore = memory.Store is ISchedulingStore scheduling && scheduling.CanScheduleWith(jobs.Cache, jobs.Queue) ? scheduling : null;
        _sendThenDelete = _schedulingStore is null ? null : SendThenDeleteAsync;
        Codec = codec;
        Values = values ?? new BoundedCache<byte[]>(0);
        Calls = calls ?? new BoundedCache<Call>(0);
        _firstReturns = new BoundedCache<FirstReturn>(_schedulingStore is null ? 0 : Calls.Capacity);
        Waiting = waiting ?? new BoundedCache<WaitingChildren>(0);
        Cancelled = cancelled ?? new CancelledRoots(jobs.Cache);
        Traces = new RootTraces(jobs.Cache, memory.Limits);
    }

    /// <summary>
    /// Whether a deferred call writes its children record (<see cref="ChildrenRecord"/>), once the registrations of its
    /// return address are all done, and a job whose call and root have no entry in <see cref="Waiting"/> reads it: the
    /// inspector walks down with it, and parent debouncing works across the fleet, not only in the process that saw
    /// the deferral; default: no.
    /// </summary>
    public bool RecordsChildren { get; init; }

    /// <summary>
    /// Whether a job of a waiting parent may be skipped on what the store says of its children (parent debouncing): only
    /// where reads see the latest writes (<see cref="IStore.ReadsLatestWrites"/>).
    /// </summary>
    private bool Debounces => Memory.Store.ReadsLatestWrites;

    /// <summary>The trace contexts of roots' schedules, read from the jobs' cache once per root.</summary>
    internal RootTraces Traces { get; }

    /// <summary>
    /// Calls whose last run here deferred (or whose children record a job here read), by root id and call hash, with
    /// the children it found missing, once their return addresses were registered: a job of such a call and root that
    /// arrives while one of those children is still missing (and holds that return address) is skipped.
    /// </summary>
    public BoundedCache<WaitingChildren> Waiting { get; }

    /// <summary>Child values kept in this process.</summary>
    public BoundedCache<byte[]> Values { get; }

    /// <summary>Call records kept in this process: a call scheduled here is loaded without a store read.</summary>
    public BoundedCache<Call> Calls { get; }

    /// <summary>The store algorithms.</summary>
    public Memory Memory { get; }

    /// <summary>The job pusher.</summary>
    public Jobs Jobs { get; }

    /// <summary>The codec tasks run with.</summary>
    public ICodec Codec { get; }

    /// <summary>The failure policies of the tasks (each run gets its task's attempt timeout); default: one attempt, no timeout.</summary>
    public TaskPolicies Policies { get; init; } = new(new RetryPolicy(1, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5)));

    /// <summary>
    /// The fleet-wide rate limits of topics and tasks, or none: a call that would run (not one skipped because its value
    /// is known, it still waits or its root is cancelled) asks them for its start, and is put off when refused
    /// (<see cref="CallThrottled"/>); default: none.
    /// </summary>
    public RateLimits? RateLimits { get; init; }

    /// <summary>The type name of the queue when it cannot delay messages (sleeps and delayed calls then fail), else <c>null</c>.</summary>
    private string? QueueWithoutDelays => Jobs.Queue is IDelayedQueue ? null : Jobs.Queue.GetType().Name;

    /// <summary>Decodes <paramref name="delivery"/> and reads its call record.</summary>
    /// <exception cref="ProtocolException">The message or the call record is malformed.</exception>
    /// <exception cref="CallNotFoundException">The call record is missing.</exception>
    /// <exception cref="SizeLimitException">The message is over <see cref="BrrrLimits.MaxMessageBytes"/>: it is not decoded.</exception>
    public async Task<LoadedCall> LoadAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        Memory.Limits.CheckIncoming(delivery.Message);
        var message = ScheduleMessage.FromWire(delivery.Message);
        if (Calls.Get(message.CallHash) is { } cached)
        {
            return new LoadedCall(delivery, message, cached);
        }

        if (RecordsChildren && Debounces && Memory.Store.ReadsManyAtOnce)
        {
            // The children record comes with the call record in the same request, for the debounce of a job that has
            // no waiting entry here (RunAsync).
            var (call, children) = await Memory.GetCallAndChildrenAsync(message.CallHash, cancellationToken).ConfigureAwait(false);
            Calls.Put(call.CallHash, call);
            return new LoadedCall(delivery, message, call) { Children = children, ChildrenRead = true };
        }

        var read = await Memory.GetCallAsync(message.CallHash, cancellationToken).ConfigureAwait(false);
        Calls.Put(read.CallHash, read);
        return new LoadedCall(delivery, message, read);
    }

    /// <summary>
    /// Runs <paramref name="loaded"/> to its outcome (<see cref="RunAsync"/>), then applies every store effect of the
    /// outcome through <paramref name="apply"/>, all at once, and waits for them. Returns the outcome once its effects
    /// are done: only then may the message be acknowledged.
    /// </summary>
    /// <param name="loaded">The loaded call.</param>
    /// <param name="tasks">The tasks of the message's topic.</param>
    /// <param name="apply">Applies one effect (for example <see cref="ApplyEffectAsync"/>), honouring the token.</param>
    /// <param name="cancellationToken">Cancels the run and the effects (the runtime's call timeout).</param>
    /// <exception cref="TaskNotFoundException">No such task on this topic.</exception>
    /// <exception cref="TaskFailedException">The task threw.</exception>
    /// <exception cref="SpawnLimitException">A job went over its root's spawn limit; raised only when no other effect failed.</exception>
    public async Task<CallOutcome> ExecuteAsync(
        LoadedCall loaded, TaskSet tasks, Func<StoreEffect, CancellationToken, Task> apply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(apply);
        var outcome = await RunAsync(loaded, tasks, cancellationToken).ConfigureAwait(false);
        var retention = RetentionOf(tasks, loaded.Call.TaskName);
        var effects = EffectsOf(loaded, outcome, retention);
        if (effects.Count > 0)
        {
            await ApplyAllAsync(effects, apply, cancellationToken).ConfigureAwait(false);
        }

        if (outcome is CallDeferred deferred)
        {
            if (RecordsChildren)
            {
                // Only now that every registration is done: a worker that reads the record may skip a job of this call and
                // root while a child it lists is missing, because that child holds the return address and wakes the call.
                var record = ChildrenRecord.Of(loaded.Call.CallHash, loaded.Message.RootId, deferred.Children, DateTimeOffset.UtcNow);
                await Memory.SetChildrenAsync(record, cancellationToken).ConfigureAwait(false);
                if (retention is { } ttl)
                {
                    await Memory.ExpireChildrenIfSettledAsync(loaded.Call.CallHash, ttl, cancellationToken).ConfigureAwait(false);
                }
            }

            RegisteredWaiting(loaded, deferred.Children);
        }

        return outcome;
    }

    /// <summary>
    /// Runs <paramref name="loaded"/> with the task <paramref name="tasks"/> serves under its name, without applying
    /// the outcome. A call whose value this process already knows (it stored or read it; not for a task with a retention,
    /// whose stored value may have expired), or a redelivered message
    /// whose value is stored, is not run again: its stored value is the outcome, so only the returns still waiting (a
    /// parent that registered late, or one an interrupted earlier attempt did not reach) are sent. A job whose root's
    /// last run deferred (here, or anywhere when its children record says so) on a child that is still missing and holds
    /// its return address is not run either (<see cref="CallStillWaiting"/>): that child brings its job back when it
    /// completes. A job of another root always runs,
    /// so that a retried workflow registers again and schedules a child whose job was lost (PROTOCOL.md §5.3b). A job
    /// of a cancelled root is never run (<see cref="CallCancelled"/>); when another root still waits on the call, the
    /// job is pushed again under that root. A timer of <see cref="TaskContext.Sleep"/> (task <c>brrr.sleep</c>) is run
    /// on every topic without being in <paramref name="tasks"/> (<see cref="RunTimerAsync"/>), under no rate limit. A call
    /// about to run asks <see cref="RateLimits"/> last, so a skipped call is never counted against a limit.
    /// </summary>
    /// <exception cref="TaskNotFoundException">No such task on this topic.</exception>
    /// <exception cref="SizeLimitException">The run returned a value, or asked for a child whose call record, over its limit.</exception>
    public async Task<CallOutcome> RunAsync(LoadedCall loaded, TaskSet tasks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(tasks);
        var topic = loaded.Delivery.Topic;
        if (await SkipIfCancelledAsync(loaded, cancellationToken).ConfigureAwait(false) is { } cancelled)
        {
            return cancelled;
        }

        var isTimer = loaded.Call.TaskName == SleepTimer.TaskName;
        var handler = isTimer ? null : tasks.Find(loaded.Call.TaskName) ?? throw new TaskNotFoundException(loaded.Call.TaskName, topic);
        if ((handler is null || Policies.RetentionOf(handler) is null) && Values.Get(loaded.Call.CallHash) is { } known)
        {
            return new CallCompleted(known) { AlreadyStored = true };
        }

        if (loaded.Delivery.Redelivered && await Memory.GetValueAsync(loaded.Call.CallHash, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return new CallCompleted(stored) { AlreadyStored = true };
        }

        if (Debounces && !loaded.Delivery.Redelivered && await WaitingOnAsync(loaded, cancellationToken).ConfigureAwait(false) is { } waitingOn)
        {
            if (await AnyMissingAsync(waitingOn, loaded, cancellationToken).ConfigureAwait(false))
            {
                return CallStillWaiting.Instance;
            }

            // A wake-up whose children are all there, known from the children record: the deferral was seen by another
            // process, where the wake-up of another child may have run the call already, so its stored value is read first.
            // (A deferral seen here leaves the run to this process's value cache: no read on the critical path.)
            if (waitingOn.FromRecord && await Memory.GetValueAsync(loaded.Call.CallHash, cancellationToken).ConfigureAwait(false) is { } woken)
            {
                return new CallCompleted(woken) { AlreadyStored = true };
            }
        }

        if (handler is null)
        {
            return await RunTimerAsync(loaded, cancellationToken).ConfigureAwait(false);
        }

        if (RateLimits is { } limits && await limits.AcquireAsync(loaded.Delivery, loaded.Call.TaskName, cancellationToken).ConfigureAwait(false) is { } wait)
        {
            return new CallThrottled(wait);
        }

        var outcome = await TaskRunner.RunAsync(
                handler, loaded.Call, topic, loaded.Message.RootId, Codec, _readChild, Policies.For(handler), QueueWithoutDelays, cancellationToken)
            .ConfigureAwait(false);
        Memory.Limits.CheckOutcome(loaded.Call, outcome);
        return outcome;
    }

    /// <summary>
    /// How long the records of a settled call of task <paramref name="taskName"/> are kept (<see cref="TaskPolicies.RetentionOf"/>),
    /// or <c>null</c>: forever, also for a task <paramref name="tasks"/> does not serve.
    /// </summary>
    internal TimeSpan? RetentionOf(TaskSet tasks, string? taskName) =>
        taskName is not null && tasks.Find(taskName) is { } handler ? Policies.RetentionOf(handler) : null;

    /// <summary>A child's value (from the cache, else the store), or else its error record: one store request either way.</summary>
    private async ValueTask<(byte[]? Value, ErrorRecord? Error)> ReadChildAsync(string callHash, CancellationToken cancellationToken)
    {
        if (Values.Get(callHash) is { } cached)
        {
            return (cached, null);
        }

        var (value, error) = await Memory.GetValueOrErrorAsync(callHash, cancellationToken).ConfigureAwait(false);
        if (value is not null)
        {
            Values.Put(callHash, value);
        }

        return (value, error);
    }
}

/// <summary>A received message with its decoded schedule message and its call.</summary>
/// <param name="Delivery">The queue delivery.</param>
/// <param name="Message">The decoded message.</param>
/// <param name="Call">The call it refers to.</param>
internal sealed record LoadedCall(QueueDelivery Delivery, ScheduleMessage Message, Call Call)
{
    /// <summary>The call's children record, read together with its call record (when <see cref="ChildrenRead"/>), or <c>null</c>.</summary>
    public ChildrenRecord? Children { get; init; }

    /// <summary>Whether <see cref="Children"/> was read (else it is unknown).</summary>
    public bool ChildrenRead { get; init; }

    /// <summary>The key of the call and root in <see cref="CallProcessor.Waiting"/>, made once per job.</summary>
    public string WaitingKey => field ??= CallProcessor.WaitingKey(Message.RootId, Call.CallHash);
}

/// <summary>The <c>pending_returns</c> record a child was scheduled with (<paramref name="Bytes"/>), holding its one return address.</summary>
/// <param name="Bytes">The record as written.</param>
/// <param name="Return">The return address it holds.</param>
internal sealed record FirstReturn(byte[] Bytes, PendingReturn Return);
