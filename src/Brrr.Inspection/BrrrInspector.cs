using System.Text.Json.Nodes;
using Brrr.Backends;
using Brrr.Protocol;

namespace Brrr.Inspection;

/// <summary>
/// Explains why a workflow is not done, from a plain client (no ActorSystem): from a call (task and arguments, call
/// hash, or root id) it walks down to the leaves that hold it up, and tells each call's state (value, error, waiting,
/// queued, held, dead-lettered, lost), the parents waiting on it and the roots involved, with a one-line verdict. A
/// call's children come from its children record when a worker wrote one (<c>brrr.children-record = on</c>), else from
/// one scan of the store's <c>pending_returns</c> records (<see cref="IStoreScan"/>): the calls holding its return
/// address, which is how calls of reference workers show their children too. One inspection scans the queue once
/// (<see cref="QueueIndex.MaxMessages"/> messages at most), the store at most once, and reads a few store records per
/// node; it changes nothing. Thread safe.
/// </summary>
public sealed partial class BrrrInspector
{
    /// <summary>The most nodes a tree shows.</summary>
    public const int MaxNodes = 500;

    /// <summary>The deepest a tree goes.</summary>
    public const int MaxDepth = 64;

    private readonly BrrrClient _client;
    private readonly IQueue _queue;
    private readonly IQueueAdmin _admin;
    private readonly string _suffix;

    /// <summary>Creates the inspector.</summary>
    /// <param name="client">A client of the fleet's store, cache and queue.</param>
    /// <param name="queue">The fleet's queue; it must implement <see cref="IQueueAdmin"/>.</param>
    /// <param name="suffix">The fleet's dead-letter suffix (<c>brrr.dead-letter-suffix</c>).</param>
    public BrrrInspector(BrrrClient client, IQueue queue, string suffix = DeadLetterAdmin.DefaultSuffix)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentException.ThrowIfNullOrEmpty(suffix);
        _client = client;
        _queue = queue;
        _admin = queue as IQueueAdmin ?? throw new ArgumentException($"{queue.GetType().Name} cannot list its topics (it is no IQueueAdmin).", nameof(queue));
        _suffix = suffix;
    }

    /// <summary>Inspects <paramref name="taskName"/>(<paramref name="arguments"/>), encoded with the client's codec.</summary>
    public Task<InspectionReport> InspectAsync(string taskName, JsonObject arguments, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        ArgumentNullException.ThrowIfNull(arguments);
        return InspectAsync(_client.Codec.EncodeCall(taskName, arguments).CallHash, cancellationToken);
    }

    /// <summary>Inspects the call <paramref name="callHash"/>.</summary>
    public async Task<InspectionReport> InspectAsync(string callHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callHash);
        var index = await QueueIndex.BuildAsync(_admin, _suffix, cancellationToken).ConfigureAwait(false);
        return await ReportAsync(callHash, index, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Inspects the root call of workflow <paramref name="rootId"/>: found from the root's jobs and dead letters,
    /// then up through the parents of that root. Null when no job or dead letter of the root exists any more (a done
    /// or lost workflow cannot be told from its root id alone: inspect its call).
    /// </summary>
    public async Task<InspectionReport?> InspectRootAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootId);
        var index = await QueueIndex.BuildAsync(_admin, _suffix, cancellationToken).ConfigureAwait(false);
        var calls = index.CallsOfRoot(rootId);
        if (calls.Count == 0)
        {
            return null;
        }

        var top = calls[0];
        var seen = new HashSet<string>(StringComparer.Ordinal) { top };
        while (seen.Count <= MaxDepth * 4
            && (await Walk.ParentsAsync(_client, top, cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.RootId == rootId) is { } parent
            && seen.Add(parent.CallHash))
        {
            top = parent.CallHash;
        }

        return await ReportAsync(top, index, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Schedules a lost call again: pushes its job under <paramref name="rootId"/> (default: the root of a parent waiting
    /// on it) to <paramref name="topic"/> (default: the topic the inspector found for it). Does nothing, and says why,
    /// unless the call is <see cref="CallNodeState.Lost"/> now.
    /// </summary>
    /// <returns>Null when the job was pushed, else why not.</returns>
    public async Task<string?> RequeueLostAsync(string callHash, string? rootId = null, string? topic = null, CancellationToken cancellationToken = default)
    {
        var report = await InspectAsync(callHash, cancellationToken).ConfigureAwait(false);
        var node = report.Root;
        if (node.State != CallNodeState.Lost)
        {
            return $"{node.Label} is {Verdicts.StateWord(node.State)}, not lost: nothing to requeue";
        }

        var root = rootId ?? node.Parents.FirstOrDefault()?.RootId ?? node.Roots.FirstOrDefault();
        var target = topic ?? node.Topic;
        if (root is null || target is null)
        {
            return $"{node.Label} is lost, but its {(root is null ? "root" : "topic")} is unknown: pass it";
        }

        await _queue.PushAsync(target, new ScheduleMessage(root, callHash).ToWire(), cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Walks down from <paramref name="callHash"/> over <paramref name="index"/>. One scan can miss a job: given back
    /// to its topic between the reads of the waiting and the held lists, or skipped by a page of a waiting list that
    /// consumers pop meanwhile. So a tree with a lost call is walked again over a second scan, and a call is lost only
    /// when neither scan found its job: a running call is never reported lost, nor requeued twice.
    /// </summary>
    private async Task<InspectionReport> ReportAsync(string callHash, QueueIndex index, CancellationToken cancellationToken)
    {
        var returns = new ReturnIndex(_client.Memory.Store);
        var walk = new Walk(_client, index, returns);
        var root = await walk.NodeAsync(callHash, null, 0, cancellationToken).ConfigureAwait(false);
        if (HasLost(root))
        {
            index.Add(await QueueIndex.BuildAsync(_admin, _suffix, cancellationToken).ConfigureAwait(false));
            walk = new Walk(_client, index, returns);
            root = await walk.NodeAsync(callHash, null, 0, cancellationToken).ConfigureAwait(false);
        }

        return new InspectionReport(root, Verdicts.Of(root), walk.Truncated || index.Truncated || returns.Truncated);
    }

    private static bool HasLost(CallNode node) => node.State == CallNodeState.Lost || node.Children.Any(HasLost);
}
