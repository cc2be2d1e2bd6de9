namespace Brrr.Inspection;

/// <summary>The one-line verdict of an inspected tree, and the words for states.</summary>
internal static class Verdicts
{
    /// <summary>The verdict of <paramref name="root"/>'s tree: the first of done, failed, stuck, lost, stalled, unknown, in progress that holds.</summary>
    public static string Of(CallNode root)
    {
        var nodes = root.DescendantsAndSelf().Where(n => !n.SeenAbove).ToList();
        switch (root.State)
        {
            case CallNodeState.Completed:
                return $"done: {root.Label} has its value";
            case CallNodeState.Failed:
                var failed = $"failed: {root.Label}: {ShortType(root.Error!.RootCause.ErrorType)}: {root.Error.RootCause.Message}";
                return nodes.LastOrDefault(n => n.DeadLetter is not null) is { } lettered
                    ? $"{failed}; {lettered.Label} was dead-lettered: fix the cause, then `brrr retry` the root or `{Requeue(lettered.DeadLetter!)}`"
                    : failed;
            case CallNodeState.Unknown:
                return $"unknown: no call record for {root.CallHash} (never scheduled, or its records were deleted)";
        }

        if (nodes.LastOrDefault(n => n.DeadLetter is not null && n.State is CallNodeState.DeadLettered or CallNodeState.Failed) is { } dead)
        {
            var letter = dead.DeadLetter!;
            return $"stuck: {dead.Label} was dead-lettered: {ShortType(letter.ErrorType)}: {letter.Error}; fix the cause, then `{Requeue(letter)}`";
        }

        if (nodes.FirstOrDefault(n => n.State == CallNodeState.Failed) is { } failedBelow)
        {
            return $"stuck: {failedBelow.Label} failed for good ({failedBelow.Detail}); its parents fail with it once they run";
        }

        if (nodes.FirstOrDefault(n => n.State == CallNodeState.Lost) is { } lost)
        {
            var topic = lost.Topic is null ? " --topic <its topic>" : "";
            return $"lost: {lost.Label} is awaited but no job exists; `brrr inspect --hash {lost.CallHash} --requeue-lost{topic}` schedules it";
        }

        if (nodes.FirstOrDefault(n => n.State == CallNodeState.Held && n.Jobs.Any(j => j.ConsumerAlive == false)) is { } stalled)
        {
            var job = stalled.Jobs.First(j => j.ConsumerAlive == false);
            return $"stalled: {stalled.Label} is held by consumer {job.ConsumerId} of topic {job.Topic}, whose heartbeat expired; a live consumer of the topic gives it back";
        }

        var queued = nodes.Count(n => n.State == CallNodeState.Queued);
        var running = nodes.Count(n => n.State == CallNodeState.Held);
        var waiting = nodes.Count(n => n.State == CallNodeState.Waiting);
        var delayed = nodes.Count(n => n.State == CallNodeState.Delayed);
        var held = delayed > 0 ? $", {delayed} delayed" : "";
        var deeper = nodes.Any(n => n.MoreBelow) ? "; the tree goes deeper than shown: inspect a call with more below" : "";
        return $"in progress: {queued} {Calls(queued)} queued, {running} running{held}, {waiting} waiting on children{deeper}";
    }

    private static string Requeue(DeadLetter letter) =>
        letter.RootId is { } r ? $"brrr dead-letters requeue --root {r}" : "brrr dead-letters requeue --all";

    /// <summary>The state as a word.</summary>
    public static string StateWord(CallNodeState state) => state switch
    {
        CallNodeState.DeadLettered => "dead-lettered",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>The type name after the last dot (<c>TaskFailedException</c>).</summary>
    public static string ShortType(string type) => type[(type.LastIndexOf('.') + 1)..];

    private static string Calls(int n) => n == 1 ? "call" : "calls";
}
