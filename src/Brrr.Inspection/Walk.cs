using System.Text;
using System.Text.Json.Nodes;
using Brrr.Protocol;

namespace Brrr.Inspection;

/// <summary>One walk down a tree of calls: each call's records read once, each call shown once, the size bounded.</summary>
internal sealed class Walk(BrrrClient client, QueueIndex index, ReturnIndex returns)
{
    private const int MaxArgumentChars = 80;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>Some nodes were left out (<see cref="BrrrInspector.MaxNodes"/>, <see cref="BrrrInspector.MaxDepth"/>).</summary>
    public bool Truncated { get; private set; }

    /// <summary>The parents waiting on <paramref name="callHash"/>, from its <c>pending_returns</c> (none when it has no record, or a corrupt one).</summary>
    public static async Task<IReadOnlyList<WaitingParent>> ParentsAsync(BrrrClient client, string callHash, CancellationToken cancellationToken)
    {
        var bytes = await client.Memory.GetPendingReturnsAsync(callHash, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return [];
        }

        try
        {
            return [.. PendingReturns.Decode(bytes).Returns.Select(r => new WaitingParent(r.CallHash, r.RootId, r.Topic))];
        }
        catch (ProtocolException)
        {
            return [];
        }
    }

    /// <summary>The node of <paramref name="callHash"/> and what it waits on; <paramref name="link"/> is how its parent's children record names it.</summary>
    public async Task<CallNode> NodeAsync(string callHash, ChildLink? link, int depth, CancellationToken cancellationToken)
    {
        var parentsRead = ParentsAsync(client, callHash, cancellationToken);
        var (value, error) = await client.Memory.GetValueOrErrorAsync(callHash, cancellationToken).ConfigureAwait(false);
        var (task, arguments) = await DescribeAsync(callHash, cancellationToken).ConfigureAwait(false);
        var parents = await parentsRead.ConfigureAwait(false);
        var jobs = index.JobsOf(callHash);
        var letter = index.LetterOf(callHash);
        link ??= jobs.Count == 0 && letter is null ? await LinkFromParentsAsync(callHash, parents, cancellationToken).ConfigureAwait(false) : null;
        var topic = jobs.FirstOrDefault()?.Topic ?? letter?.Topic ?? link?.Topic;
        task ??= link?.TaskName ?? letter?.TaskName;
        var seenAbove = !_seen.Add(callHash);
        var record = value is null && !seenAbove ? await ChildrenAsync(callHash, cancellationToken).ConfigureAwait(false) : null;
        var below = record is not null
            ? record.Children.Select(c => new Below(c.CallHash, c, FromCause: false)).ToList()
            : value is null && !seenAbove && await returns.ChildrenOfAsync(callHash, cancellationToken).ConfigureAwait(false) is { } scanned
                ? [
                    .. scanned.Select(h => new Below(h, null, FromCause: false)),
                    .. (error?.Causes ?? []).Select(c => c.CallHash).Except(scanned, StringComparer.Ordinal).Distinct(StringComparer.Ordinal)
                        .Select(h => new Below(h, null, FromCause: true)),
                ]
                : null;
        var roots = jobs.Select(j => j.RootId).Concat(parents.Select(p => p.RootId)).Append(letter?.RootId).Append(record?.RootId)
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();

        var children = new List<CallNode>();
        var missing = 0;
        var unwalkedMissing = 0;
        for (var i = 0; i < (below?.Count ?? 0); i++)
        {
            if (below![i].FromCause && _seen.Contains(below[i].Hash))
            {
                // A deeper cause of the failure, already shown under the child that failed with it.
                continue;
            }

            if (_seen.Count >= BrrrInspector.MaxNodes || depth + 1 > BrrrInspector.MaxDepth)
            {
                Truncated = true;
                unwalkedMissing = await MissingAsync(below.Skip(i).Select(c => c.Hash), cancellationToken).ConfigureAwait(false);
                missing += unwalkedMissing;
                break;
            }

            var node = await NodeAsync(below[i].Hash, below[i].Link, depth + 1, cancellationToken).ConfigureAwait(false);
            if (node.State != CallNodeState.Completed)
            {
                children.Add(node);
                missing++;
            }
        }

        if (record is null && error is null)
        {
            // Found by the scan, in no particular order: shown in the order people read them (a failure's causes keep theirs).
            children.Sort((a, b) => string.CompareOrdinal(a.Label, b.Label));
        }

        var known = record is not null || (below is not null && !returns.Truncated);
        var (state, detail) = StateOf(value, error, task, jobs, letter, record is not null ? ChildSource.Record : known ? ChildSource.Scan : ChildSource.None, record?.Omitted ?? 0, missing);
        return new CallNode(callHash, task, arguments, topic, state, detail, jobs, letter, error, parents, roots, known, children, seenAbove)
        {
            MoreBelow = unwalkedMissing > 0,
        };
    }

    /// <summary>How many of the children a bound kept the walk from reaching have no value yet: the call still waits on them.</summary>
    private async Task<int> MissingAsync(IEnumerable<string> unwalked, CancellationToken cancellationToken)
    {
        var hasValue = await Task.WhenAll(unwalked.Select(c => client.Memory.HasValueAsync(c, cancellationToken))).ConfigureAwait(false);
        return hasValue.Count(has => !has);
    }

    private static (CallNodeState, string) StateOf(
        byte[]? value, ErrorRecord? error, string? task, IReadOnlyList<JobLocation> jobs, DeadLetter? letter, ChildSource source, int omitted, int missing)
    {
        if (value is not null)
        {
            return (CallNodeState.Completed, "done: value stored");
        }

        if (error is not null)
        {
            return (CallNodeState.Failed, $"failed: {Verdicts.ShortType(error.RootCause.ErrorType)}: {error.RootCause.Message}");
        }

        if (jobs.FirstOrDefault(j => j.ConsumerId is not null) is { } held)
        {
            var beat = held.SinceHeartbeat is { } s ? $", heartbeat {s.TotalSeconds:0.0} s ago" : "";
            return (CallNodeState.Held, held.ConsumerAlive == true
                ? $"held by consumer {held.ConsumerId} of topic {held.Topic} (alive{beat})"
                : $"held by consumer {held.ConsumerId} of topic {held.Topic}, whose heartbeat expired");
        }

        if (jobs.FirstOrDefault(j => j.NotBefore is null) is { } queued)
        {
            return (CallNodeState.Queued, $"queued on topic {queued.Topic}" + (jobs.Count > 1 ? $" ({jobs.Count} jobs)" : ""));
        }

        if (jobs.Count > 0)
        {
            var next = jobs.MinBy(j => j.NotBefore)!;
            var due = next.NotBefore!.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
            return (CallNodeState.Delayed, $"delayed on topic {next.Topic} until {due}" + (next.Retry ? " (given back by a worker: a retry waiting out its backoff, or a call over a rate limit)" : "") + (jobs.Count > 1 ? $" ({jobs.Count} jobs)" : ""));
        }

        if (letter is not null)
        {
            return (CallNodeState.DeadLettered, $"dead-lettered: {Verdicts.ShortType(letter.ErrorType)}: {letter.Error}");
        }

        if (task is null)
        {
            return (CallNodeState.Unknown, "unknown: no call record");
        }

        if (missing > 0)
        {
            return (CallNodeState.Waiting, $"waiting on {missing} {(missing == 1 ? "child" : "children")}" + (omitted > 0 ? $" (and {omitted} not listed)" : ""));
        }

        return (CallNodeState.Lost, source switch
        {
            ChildSource.Record => "lost: no value, no job anywhere, and every child it waited on is done",
            ChildSource.Scan => "lost: no value, no job anywhere, and no child holds its return address",
            _ => "lost: no value, no job anywhere (children unknown: no children record, and the store's pending returns could not all be read)",
        });
    }

    /// <summary>A call below a node: from its children record (with the record's link), the scan, or its error record's causes.</summary>
    private sealed record Below(string Hash, ChildLink? Link, bool FromCause);

    /// <summary>Where a node's children came from.</summary>
    private enum ChildSource
    {
        /// <summary>Unknown: no children record, and no complete scan.</summary>
        None,

        /// <summary>Its children record.</summary>
        Record,

        /// <summary>The scan of the store's <c>pending_returns</c> (<see cref="ReturnIndex"/>).</summary>
        Scan,
    }

    /// <summary>How a waiting parent's children record names <paramref name="callHash"/> (its topic), when a parent has one.</summary>
    private async Task<ChildLink?> LinkFromParentsAsync(string callHash, IReadOnlyList<WaitingParent> parents, CancellationToken cancellationToken)
    {
        foreach (var parent in parents.Take(3))
        {
            if ((await ChildrenAsync(parent.CallHash, cancellationToken).ConfigureAwait(false))?.Children.FirstOrDefault(c => c.CallHash == callHash) is { } link)
            {
                return link;
            }
        }

        return null;
    }

    private async Task<ChildrenRecord?> ChildrenAsync(string callHash, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Memory.GetChildrenAsync(callHash, cancellationToken).ConfigureAwait(false);
        }
        catch (ProtocolException)
        {
            return null;
        }
    }

    /// <summary>The task and the arguments (JSON text, shortened) of the call record, when it exists and decodes.</summary>
    private async Task<(string? Task, string? Arguments)> DescribeAsync(string callHash, CancellationToken cancellationToken)
    {
        Call? call;
        try
        {
            call = await client.Memory.FindCallAsync(callHash, cancellationToken).ConfigureAwait(false);
        }
        catch (ProtocolException)
        {
            return (null, null);
        }

        if (call is null)
        {
            return (null, null);
        }

        try
        {
            return (call.TaskName, client.Codec.DecodeArgs<JsonNode>(call)?.ToJsonString() is { } json ? Shorten(json) : null);
        }
        catch (Exception e) when (e is BrrrException or System.Text.Json.JsonException or ArgumentException)
        {
            return (call.TaskName, null);
        }
    }

    private static string Shorten(string text)
    {
        if (text.Length <= MaxArgumentChars)
        {
            return text;
        }

        var cut = new StringBuilder(text, 0, MaxArgumentChars, MaxArgumentChars + 1);
        return cut.Append('…').ToString();
    }
}
