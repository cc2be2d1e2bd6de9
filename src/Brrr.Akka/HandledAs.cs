using Brrr.Tasks;

namespace Brrr.Akka;

/// <summary>How a message ended once it was settled (acknowledged or given back): counted by <see cref="WorkerStatistics.Handled"/>.</summary>
internal enum HandledAs
{
    /// <summary>The run stored a value.</summary>
    Completed,

    /// <summary>The run deferred on missing children, all registered.</summary>
    Deferred,

    /// <summary>Not run: the value was known, or a child the root's last run waits for is still missing.</summary>
    Skipped,

    /// <summary>Not run: the message's root is cancelled (the job may have been handed over to another root that waits on the call).</summary>
    Cancelled,

    /// <summary>Not run yet: a rate limit reserved it a later start, and it waits in the queue until then.</summary>
    Throttled,

    /// <summary>Given back to the queue (a failure worth a retry, or shutdown).</summary>
    Released,

    /// <summary>Failed for good: dead-lettered, or dropped.</summary>
    Failed,
}

/// <summary>The names of <see cref="HandledAs"/> in metrics and traces.</summary>
internal static class HandledAsNames
{
    public static HandledAs Of(CallOutcome outcome) => outcome switch
    {
        CallDeferred => HandledAs.Deferred,
        CallCancelled => HandledAs.Cancelled,
        CallThrottled => HandledAs.Throttled,
        CallCompleted { AlreadyStored: false } => HandledAs.Completed,
        _ => HandledAs.Skipped,
    };

    public static string Tag(this HandledAs handled) => handled switch
    {
        HandledAs.Completed => "completed",
        HandledAs.Deferred => "deferred",
        HandledAs.Skipped => "skipped",
        HandledAs.Cancelled => "cancelled",
        HandledAs.Released => "released",
        HandledAs.Throttled => "throttled",
        _ => "failed",
    };
}
