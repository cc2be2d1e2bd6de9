namespace Brrr.Inspection;

/// <summary>Where a call stands, as the inspector finds it.</summary>
public enum CallNodeState
{
    /// <summary>Its value is stored: done.</summary>
    Completed,

    /// <summary>It failed for good: its error record is stored.</summary>
    Failed,

    /// <summary>A consumer holds its job (received, not acknowledged): it runs now, or its consumer died.</summary>
    Held,

    /// <summary>Its job waits in a topic.</summary>
    Queued,

    /// <summary>Its job was dead-lettered and nothing else will run it.</summary>
    DeadLettered,

    /// <summary>It deferred and waits on children that have no value yet.</summary>
    Waiting,

    /// <summary>It has no value and no error, nothing holds or queues its job, and nothing it waits on is still to come: lost.</summary>
    Lost,

    /// <summary>No call record: the store does not know the call.</summary>
    Unknown,

    /// <summary>Its job is held back in the queue until a due time: a delayed call, or a retry waiting out its backoff.</summary>
    Delayed,
}

/// <summary>Where one job of a call is: waiting in a topic, or held by a consumer.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="RootId">The job's root.</param>
/// <param name="ConsumerId">The consumer holding it; null while it waits.</param>
/// <param name="ConsumerAlive">Whether that consumer's heartbeat is alive; null while it waits.</param>
/// <param name="SinceHeartbeat">How long ago that consumer beat; null while it waits, or when it has no heartbeat left.</param>
/// <param name="NotBefore">When a job held back in the queue is due (<see cref="CallNodeState.Delayed"/>); null for a job in its topic or held.</param>
/// <param name="Retry">A job held back was given back by a worker (a retry waiting out its backoff, or a call over a rate limit), not delayed by its producer.</param>
public sealed record JobLocation(
    string Topic, string RootId, string? ConsumerId, bool? ConsumerAlive, TimeSpan? SinceHeartbeat, DateTimeOffset? NotBefore = null, bool Retry = false);

/// <summary>A parent waiting on a call (from its <c>pending_returns</c>).</summary>
/// <param name="CallHash">The parent.</param>
/// <param name="RootId">The root the parent runs under.</param>
/// <param name="Topic">The parent's topic.</param>
public sealed record WaitingParent(string CallHash, string RootId, string Topic);

/// <summary>One call of an inspected tree.</summary>
/// <param name="CallHash">The call.</param>
/// <param name="TaskName">Its task, when its call record is readable.</param>
/// <param name="Arguments">Its arguments as JSON text (shortened), when they decode.</param>
/// <param name="Topic">Its topic, where the inspector can tell (from its jobs, its dead letter, or its parent's children record); the store does not keep it.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Detail">One line that says the state and its particulars: the error, the topic, the consumer.</param>
/// <param name="Jobs">Its jobs, waiting or held.</param>
/// <param name="DeadLetter">Its dead letter, when it has one.</param>
/// <param name="Error">Its error record, when it failed for good.</param>
/// <param name="Parents">The parents waiting on it.</param>
/// <param name="Roots">The roots involved: of its jobs, its parents and its last deferral.</param>
/// <param name="ChildrenKnown">
/// Whether the inspector knows what it waits on: from its children record, or else from a complete scan of the store's
/// <c>pending_returns</c> (the calls that hold its return address).
/// </param>
/// <param name="Children">The children it waits on that have no value yet (completed ones are left out).</param>
/// <param name="SeenAbove">The call appears earlier in the tree: its subtree is shown there only.</param>
public sealed record CallNode(
    string CallHash, string? TaskName, string? Arguments, string? Topic, CallNodeState State, string Detail, IReadOnlyList<JobLocation> Jobs,
    DeadLetter? DeadLetter, ErrorRecord? Error, IReadOnlyList<WaitingParent> Parents, IReadOnlyList<string> Roots,
    bool ChildrenKnown, IReadOnlyList<CallNode> Children, bool SeenAbove)
{
    /// <summary>
    /// A bound (<see cref="BrrrInspector.MaxNodes"/>, <see cref="BrrrInspector.MaxDepth"/>) kept the walk from some
    /// children this call still waits on: inspect the call itself to see them.
    /// </summary>
    public bool MoreBelow { get; init; }

    /// <summary>The call as people read it: <c>task {"n":"3"}</c>, or its hash when the record is unknown.</summary>
    public string Label => TaskName is null ? CallHash : Arguments is null ? TaskName : $"{TaskName} {Arguments}";

    /// <summary>This node and every node below it, depth first.</summary>
    public IEnumerable<CallNode> DescendantsAndSelf() => Children.SelectMany(c => c.DescendantsAndSelf()).Prepend(this);
}

/// <summary>What the inspector found for a call: the tree of what it waits on, and a one-line verdict.</summary>
/// <param name="Root">The inspected call.</param>
/// <param name="Verdict">One line: done, failed, stuck (dead-lettered), lost, stalled, in progress.</param>
/// <param name="Truncated">The tree hit <see cref="BrrrInspector.MaxNodes"/> or <see cref="BrrrInspector.MaxDepth"/>, or the queue scan or the store scan its bound: some nodes are left out.</param>
public sealed record InspectionReport(CallNode Root, string Verdict, bool Truncated);
