using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr;

/// <summary>
/// Handles one queue message by PROTOCOL.md §5, in phases a runtime can spread over actors: load the call, run
/// it to an outcome, then apply the outcome (register children and push their jobs, or store the value and push
/// the parents' jobs). <see cref="HandleAsync"/> runs all phases in order. Thread safe.
/// </summary>
public sealed class CallProcessor
{
    /// <summary>Creates the processor.</summary>
    /// <param name="memory">The store algorithms.</param>
    /// <param name="jobs">The job pusher.</param>
    /// <param name="codec">The codec tasks run with.</param>
    /// <param name="values">Child values kept in this process; default: none.</param>
    /// <param name="calls">Call records kept in this process (written or read here); default: none.</param>
    /// <param name="waiting">Calls that deferred here, with the children they wait for (parent debouncing); default: none.</param>
    public CallProcessor(
        Memory memory, Jobs jobs, ICodec codec, BoundedCache<byte[]>? values = null, BoundedCache<Call>? calls = null,
        BoundedCache<string[]>? waiting = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(codec);
        Memory = memory;
        Jobs = jobs;
        Codec = codec;
        Values = values ?? new BoundedCache<byte[]>(0);
        Calls = calls ?? new BoundedCache<Call>(0);
        Waiting = waiting ?? new BoundedCache<string[]>(0);
    }

    /// <summary>
    /// Calls whose last run here deferred, with the call hashes of the children it found missing, once their return
    /// addresses were registered: a job of such a call that arrives while one of those children is still missing is
    /// skipped.
    /// </summary>
    public BoundedCache<string[]> Waiting { get; }

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

    /// <summary>Decodes <paramref name="delivery"/> and reads its call record.</summary>
    /// <exception cref="ProtocolException">The message or the call record is malformed.</exception>
    /// <exception cref="CallNotFoundException">The call record is missing.</exception>
    /// <exception cref="SizeLimitException">The message is over <see cref="BrrrLimits.MaxMessageBytes"/>: it is not decoded.</exception>
    public async Task<LoadedCall> LoadAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        Memory.Limits.CheckIncoming(delivery.Message);
        var message = ScheduleMessage.FromWire(delivery.Message);
        if (Calls.Get(message.CallHash) is not { } call)
        {
            call = await Memory.GetCallAsync(message.CallHash, cancellationToken).ConfigureAwait(false);
            Calls.Put(call.CallHash, call);
        }

        return new LoadedCall(delivery, message, call);
    }

    /// <summary>
    /// Runs <paramref name="loaded"/> with the task <paramref name="tasks"/> serves under its name. A call whose value
    /// this process already knows (it stored or read it), or a redelivered message whose value is stored, is not run
    /// again: its stored value is the outcome, so only the returns still waiting (a parent that registered late, or
    /// one an interrupted earlier attempt did not reach) are sent. A call whose last run here deferred on a child that
    /// is still missing is not run either (<see cref="CallStillWaiting"/>): that child holds its return address and
    /// brings its job back when it completes.
    /// </summary>
    /// <exception cref="TaskNotFoundException">No such task on this topic.</exception>
    /// <exception cref="SizeLimitException">The run returned a value, or asked for a child whose call record, over its limit.</exception>
    public async Task<CallOutcome> RunAsync(LoadedCall loaded, TaskSet tasks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(tasks);
        var topic = loaded.Delivery.Topic;
        var handler = tasks.Find(loaded.Call.TaskName) ?? throw new TaskNotFoundException(loaded.Call.TaskName, topic);
        if (Values.Get(loaded.Call.CallHash) is { } known)
        {
            return new CallCompleted(known) { AlreadyStored = true };
        }

        if (loaded.Delivery.Redelivered && await Memory.GetValueAsync(loaded.Call.CallHash, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return new CallCompleted(stored) { AlreadyStored = true };
        }

        if (!loaded.Delivery.Redelivered && Waiting.Get(loaded.Call.CallHash) is { } waitingOn
            && await AnyMissingAsync(waitingOn, cancellationToken).ConfigureAwait(false))
        {
            return CallStillWaiting.Instance;
        }

        var outcome = await TaskRunner.RunAsync(handler, loaded.Call, topic, loaded.Message.RootId, Codec, ReadValueAsync, cancellationToken)
            .ConfigureAwait(false);
        Memory.Limits.CheckOutcome(loaded.Call, outcome);
        return outcome;
    }

    /// <summary>Whether one of <paramref name="children"/> has no value yet (the values found are cached for the run).</summary>
    private async Task<bool> AnyMissingAsync(string[] children, CancellationToken cancellationToken)
    {
        foreach (var child in children)
        {
            if (await ReadValueAsync(child, cancellationToken).ConfigureAwait(false) is null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Remembers that <paramref name="loaded"/> waits for <paramref name="children"/>, whose registrations of its
    /// return address are all done: until one of them completes, a job of the call can be skipped.
    /// </summary>
    public void RegisteredWaiting(LoadedCall loaded, IReadOnlyList<ChildCall> children)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(children);
        Waiting.Put(loaded.Call.CallHash, children.Select(c => c.Call.CallHash).ToArray());
    }

    private async Task<byte[]?> ReadValueAsync(string callHash, CancellationToken cancellationToken)
    {
        if (Values.Get(callHash) is { } cached)
        {
            return cached;
        }

        var value = await Memory.GetValueAsync(callHash, cancellationToken).ConfigureAwait(false);
        if (value is not null)
        {
            Values.Put(callHash, value);
        }

        return value;
    }

    /// <summary>
    /// Applies a <see cref="CallDeferred"/>: for each child at once, register the parent's return address and, when the
    /// registration says the child must be scheduled, store its call record and push its job.
    /// </summary>
    /// <exception cref="SpawnLimitException">A child's job went over the root's spawn limit (the others were pushed).</exception>
    public async Task RegisterChildrenAsync(LoadedCall parent, IReadOnlyList<ChildCall> children, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(children);
        var registrations = new Task[children.Count];
        for (var i = 0; i < registrations.Length; i++)
        {
            registrations[i] = RegisterChildAsync(parent, children[i], cancellationToken);
        }

        try
        {
            await Task.WhenAll(registrations).ConfigureAwait(false);
        }
        catch (SpawnLimitException)
        {
            var other = registrations.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not SpawnLimitException);
            if (other is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(other);
            }

            throw;
        }
    }

    /// <summary>
    /// Registers the return address of <paramref name="parent"/> on <paramref name="child"/> and, when the registration
    /// says the child must be scheduled, stores its call record and pushes its job.
    /// </summary>
    /// <exception cref="SpawnLimitException">The child's job went over the root's spawn limit.</exception>
    public async Task RegisterChildAsync(LoadedCall parent, ChildCall child, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(child);
        var returnAddress = new PendingReturn(parent.Message.RootId, parent.Call.CallHash, parent.Delivery.Topic);
        if (await Memory.AddPendingReturnAsync(child.Call.CallHash, returnAddress, parent.Delivery.Redelivered, cancellationToken).ConfigureAwait(false))
        {
            // Only the registration that schedules the child writes its call record, before its job exists:
            // a child already scheduled has one, and a re-run parent would otherwise rewrite it every time.
            await Memory.SetCallAsync(child.Call, cancellationToken).ConfigureAwait(false);
            Calls.Put(child.Call.CallHash, child.Call);
            await Jobs.PutAsync(child.Topic, new ScheduleMessage(parent.Message.RootId, child.Call.CallHash), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>Applies a <see cref="CallCompleted"/>: store the value, then push a job for every waiting parent.</summary>
    /// <param name="callHash">The call.</param>
    /// <param name="value">Its encoded value.</param>
    /// <param name="alreadyStored">The value is in the store already: only the parents' jobs are pushed.</param>
    /// <param name="cancellationToken">Cancels the store and queue requests.</param>
    /// <exception cref="SpawnLimitException">A parent's job went over its root's spawn limit (the others were pushed).</exception>
    public async Task ReturnValueAsync(string callHash, byte[] value, bool alreadyStored = false, CancellationToken cancellationToken = default)
    {
        Task SendAsync(PendingReturn r) => Jobs.PutAsync(r.Topic, new ScheduleMessage(r.RootId, r.CallHash), cancellationToken);
        if (alreadyStored)
        {
            Values.Put(callHash, value);
            await Memory.RemovePendingReturnsAsync(callHash, SendAsync, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Cached only once stored: a value this process knows is a value the store holds.
        await Memory.SetValueAndSendReturnsAsync(callHash, value, SendAsync, cancellationToken).ConfigureAwait(false);
        Values.Put(callHash, value);
    }

    /// <summary>Applies <paramref name="outcome"/> of <paramref name="loaded"/>.</summary>
    public Task ApplyAsync(LoadedCall loaded, CallOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return outcome switch
        {
            CallDeferred deferred => RegisterAndRememberAsync(loaded, deferred.Children, cancellationToken),
            CallCompleted completed => ReturnValueAsync(loaded.Call.CallHash, completed.Value, completed.AlreadyStored, cancellationToken),
            CallStillWaiting => Task.CompletedTask,
            _ => throw new ArgumentException($"Unknown outcome {outcome}.", nameof(outcome)),
        };
    }

    private async Task RegisterAndRememberAsync(LoadedCall loaded, IReadOnlyList<ChildCall> children, CancellationToken cancellationToken)
    {
        await RegisterChildrenAsync(loaded, children, cancellationToken).ConfigureAwait(false);
        RegisteredWaiting(loaded, children);
    }

    /// <summary>Handles <paramref name="delivery"/> end to end: load, run, apply. Returns the outcome.</summary>
    public async Task<CallOutcome> HandleAsync(QueueDelivery delivery, TaskSet tasks, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadAsync(delivery, cancellationToken).ConfigureAwait(false);
        var outcome = await RunAsync(loaded, tasks, cancellationToken).ConfigureAwait(false);
        await ApplyAsync(loaded, outcome, cancellationToken).ConfigureAwait(false);
        return outcome;
    }
}

/// <summary>A received message with its decoded schedule message and its call.</summary>
/// <param name="Delivery">The queue delivery.</param>
/// <param name="Message">The decoded message.</param>
/// <param name="Call">The call it refers to.</param>
public sealed record LoadedCall(QueueDelivery Delivery, ScheduleMessage Message, Call Call);
