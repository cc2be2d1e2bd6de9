using System.Diagnostics;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr;

/// <summary>
/// Schedules workflows and reads their results, straight against the queue and store: no worker and no
/// ActorSystem needed (PROTOCOL.md §5, Schedule and Read). Thread safe.
/// </summary>
public sealed partial class BrrrClient : IBrrrClient
{
    /// <summary>The spawn limit of the reference workers: 10,000 jobs per root.</summary>
    public const long DefaultSpawnLimit = 10_000;

    /// <summary>Creates a client.</summary>
    /// <param name="store">The shared store.</param>
    /// <param name="cache">The shared cache (spawn counters).</param>
    /// <param name="queue">The shared queue.</param>
    /// <param name="codec">The codec; default: <see cref="JsonCodec.Default"/>.</param>
    /// <param name="spawnLimit">Jobs allowed per root.</param>
    /// <param name="limits">The largest call record (arguments) and value written; default: <see cref="BrrrLimits.Default"/>.</param>
    public BrrrClient(IStore store, ICache cache, IQueue queue, ICodec? codec = null, long spawnLimit = DefaultSpawnLimit, BrrrLimits? limits = null)
    {
        Memory = new Memory(store, limits: limits);
        Jobs = new Jobs(cache, queue, spawnLimit);
        Cache = cache;
        Codec = codec ?? JsonCodec.Default;
    }

    /// <summary>The store algorithms.</summary>
    internal Memory Memory { get; }

    /// <summary>The job pusher.</summary>
    internal Jobs Jobs { get; }

    /// <summary>The codec.</summary>
    public ICodec Codec { get; }

    /// <summary>The shared cache (spawn counters and cancel marks).</summary>
    public ICache Cache { get; }

    /// <summary>
    /// Schedules <paramref name="task"/>(<paramref name="args"/>) as a new workflow root on <paramref name="topic"/>
    /// (default: the task's topic). Does nothing when its value is already stored. Returns the call. Traced as the
    /// activity <c>brrr.schedule</c> of the source <c>Brrr</c> when it has a listener (see <see cref="ScheduleAsync(Call, string, string, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Neither <paramref name="topic"/> nor the task names a topic.</exception>
    /// <exception cref="SizeLimitException">The call record (its arguments) is over <see cref="BrrrLimits.MaxRecordBytes"/>; nothing is written.</exception>
    public async Task<Call> ScheduleAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, string? topic = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var target = topic ?? task.Topic ?? throw new ArgumentException($"Task '{task.Name}' has no default topic: pass one.", nameof(topic));
        var call = Codec.EncodeCall(task.Name, args);
        await ScheduleAsync(call, target, null, cancellationToken).ConfigureAwait(false);
        return call;
    }

    /// <summary>
    /// Schedules <paramref name="task"/>(<paramref name="args"/>) as a new workflow root, where and not before when
    /// <paramref name="options"/> say (a delayed call, see <see cref="ScheduleOptions.NotBefore"/>). Does nothing when
    /// its value is already stored; a delayed root whose value is stored by the time it is due completes at once
    /// without running. Returns the call. The job counts against the root's spawn limit when it is pushed.
    /// </summary>
    /// <exception cref="ArgumentException">Neither <see cref="ScheduleOptions.Topic"/> nor the task names a topic, or both a due time and a delay are set.</exception>
    /// <exception cref="NotSupportedException">A delay was asked for and the queue cannot hold messages back (<see cref="IDelayedQueue"/>); nothing is written.</exception>
    /// <exception cref="SizeLimitException">The call record (its arguments) is over <see cref="BrrrLimits.MaxRecordBytes"/>; nothing is written.</exception>
    public async Task<Call> ScheduleAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, ScheduleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        var target = options.Topic ?? task.Topic ?? throw new ArgumentException($"Task '{task.Name}' has no default topic: pass one.", nameof(options));
        var notBefore = options.DueAt(TimeProvider.System);
        var call = Codec.EncodeCall(task.Name, args);
        await ScheduleCoreAsync(call, target, null, notBefore, cancellationToken).ConfigureAwait(false);
        return call;
    }

    /// <summary>
    /// Schedules an already encoded <paramref name="call"/> as a workflow root on <paramref name="topic"/>, to run not
    /// before <paramref name="notBefore"/> (a time already past runs it at once); otherwise as
    /// <see cref="ScheduleAsync(Call, string, string, CancellationToken)"/>.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="topic">Where its job goes.</param>
    /// <param name="notBefore">The earliest time it may run (the producer's clock).</param>
    /// <param name="rootId">The root id; default: a fresh one (<see cref="NewRootId"/>).</param>
    /// <param name="cancellationToken">Cancels the schedule.</param>
    /// <exception cref="NotSupportedException">The due time is in the future and the queue cannot hold messages back (<see cref="IDelayedQueue"/>); nothing is written.</exception>
    /// <exception cref="SizeLimitException">The call record (its arguments) is over <see cref="BrrrLimits.MaxRecordBytes"/>; nothing is written.</exception>
    /// <exception cref="ProtocolException"><paramref name="rootId"/> breaks <see cref="Identifiers.RootId"/>'s rule.</exception>
    public Task ScheduleAsync(Call call, string topic, DateTimeOffset notBefore, string? rootId = null, CancellationToken cancellationToken = default) =>
        ScheduleCoreAsync(call, topic, rootId, notBefore, cancellationToken);

    /// <summary>
    /// Schedules an already encoded <paramref name="call"/> as a workflow root on <paramref name="topic"/>. While the
    /// activity source <c>Brrr</c> has a listener, this is the producer activity <c>brrr.schedule</c>, and the trace
    /// context of the current activity is kept in the cache for the root (<see cref="ICache.SetRootTraceAsync"/>), so
    /// that workers trace the root's calls as its children; with no listener nothing more is written.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="topic">Where its job goes.</param>
    /// <param name="rootId">The root id; default: a fresh one (<see cref="NewRootId"/>). Reuse one only to retry the same root.</param>
    /// <param name="cancellationToken">Cancels the schedule.</param>
    /// <exception cref="SizeLimitException">The call record (its arguments) is over <see cref="BrrrLimits.MaxRecordBytes"/>; nothing is written.</exception>
    /// <exception cref="ProtocolException"><paramref name="rootId"/> breaks <see cref="Identifiers.RootId"/>'s rule.</exception>
    public Task ScheduleAsync(Call call, string topic, string? rootId = null, CancellationToken cancellationToken = default) =>
        ScheduleCoreAsync(call, topic, rootId, null, cancellationToken);

    private async Task ScheduleCoreAsync(Call call, string topic, string? rootId, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var message = new ScheduleMessage(rootId ?? NewRootId(), call.CallHash);
        Memory.Limits.CheckRecord(call);
        using var activity = BrrrTracing.Source.StartActivity("brrr.schedule", ActivityKind.Producer);
        activity?.SetTag("messaging.destination.name", topic).SetTag("brrr.task", call.TaskName)
            .SetTag("brrr.call_hash", call.CallHash).SetTag("brrr.root_id", message.RootId);
        var delayed = notBefore > DateTimeOffset.UtcNow;
        if (delayed && Jobs.Queue is not IDelayedQueue)
        {
            throw new NotSupportedException(
                $"The queue ({Jobs.Queue.GetType().Name}) cannot delay messages: use a queue that implements {nameof(IDelayedQueue)} (in memory, Redis) to schedule for later.");
        }

        if (delayed)
        {
            activity?.SetTag("brrr.not_before", notBefore!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }

        try
        {
            if (await Memory.HasValueAsync(call.CallHash, cancellationToken).ConfigureAwait(false))
            {
                activity?.SetTag("brrr.outcome", "known");
                return;
            }

            // The root's calls continue this trace: its record is in the cache before the root's first job is pushed.
            var setCall = Memory.SetCallAsync(call, cancellationToken);
            if (BrrrTracing.RecordOf(Activity.Current) is { } trace)
            {
                await Task.WhenAll(setCall, Cache.SetRootTraceAsync(message.RootId, trace, cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                await setCall.ConfigureAwait(false);
            }

            if (notBefore is { } due)
            {
                await Jobs.PutAsync(topic, message, due, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Jobs.PutAsync(topic, message, cancellationToken).ConfigureAwait(false);
            }

            activity?.SetTag("brrr.outcome", delayed ? "delayed" : "scheduled");
        }
        catch (Exception e) when (activity is not null)
        {
            BrrrTracing.Failed(activity, e);
            throw;
        }
    }

    /// <summary>The stored result of <paramref name="task"/>(<paramref name="args"/>), or not found when not computed (yet).</summary>
    public async Task<ReadResult<TResult>> ReadAsync<TArgs, TResult>(TaskRef<TArgs, TResult> task, TArgs args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var call = Codec.EncodeCall(task.Name, args);
        var bytes = await Memory.GetValueAsync(call.CallHash, cancellationToken).ConfigureAwait(false);
        return bytes is null ? ReadResult<TResult>.NotFound : new ReadResult<TResult>(true, Codec.Decode<TResult>(call, bytes));
    }

    /// <summary>
    /// Cancels the workflow root <paramref name="rootId"/> (idempotent): marks it in the cache, with the backend's
    /// expiry. Workers see the mark within their <see cref="CancelledRoots.Interval"/> (<c>brrr.cancel-check-interval</c>);
    /// from then on they acknowledge the root's jobs without running them and drop its returns. A call that another
    /// root also waits on still runs for that root. Values already stored stay.
    /// </summary>
    /// <exception cref="ProtocolException"><paramref name="rootId"/> breaks <see cref="Identifiers.RootId"/>'s rule.</exception>
    public Task CancelAsync(string rootId, CancellationToken cancellationToken = default) =>
        Cache.CancelRootAsync(Identifiers.RootId(rootId, "cancel"), cancellationToken);

    /// <summary>Whether the workflow root <paramref name="rootId"/> is cancelled (<see cref="CancelAsync"/>) and its mark has not expired.</summary>
    /// <exception cref="ProtocolException"><paramref name="rootId"/> breaks <see cref="Identifiers.RootId"/>'s rule.</exception>
    public Task<bool> IsCancelledAsync(string rootId, CancellationToken cancellationToken = default) =>
        Cache.IsRootCancelledAsync(Identifiers.RootId(rootId, "cancel status"), cancellationToken);

    /// <summary>A fresh workflow root id: 32 lowercase hex digits of a random UUID.</summary>
    public static string NewRootId() => Guid.NewGuid().ToString("N");
}

/// <summary>The result of a read: <see cref="Found"/> and, when found, <see cref="Value"/>.</summary>
/// <param name="Found">Whether a value is stored.</param>
/// <param name="Value">The value when found; default otherwise.</param>
public readonly record struct ReadResult<T>(bool Found, T? Value)
{
    /// <summary>The not-found result.</summary>
    public static ReadResult<T> NotFound => default;
}
