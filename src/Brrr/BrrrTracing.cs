using System.Diagnostics;
using Brrr.Backends;

namespace Brrr;

/// <summary>
/// The activity source of brrr (the workers' <c>brrr.call</c>, the client's <c>brrr.schedule</c> and <c>brrr.wait</c>)
/// and the trace context that a root's calls inherit from its schedule: the W3C <c>traceparent</c> of the schedule's
/// activity, and its <c>tracestate</c> if any, kept in the cache per root (<see cref="ICache.SetRootTraceAsync"/>).
/// Queue messages and store records stay as the reference workers know them.
/// </summary>
internal static class BrrrTracing
{
    /// <summary>The name of the activity source (and of the workers' meter).</summary>
    public const string Name = "Brrr";

    public static readonly ActivitySource Source = new(Name);

    // Neither part of the W3C trace context may hold a line break: it separates them in the record.
    private const char Separator = '\n';

    /// <summary>The record of <paramref name="activity"/>'s context, or <c>null</c> when nobody listens or it is not a W3C one.</summary>
    public static string? RecordOf(Activity? activity)
    {
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is not { } traceParent || !Source.HasListeners())
        {
            return null;
        }

        return activity.TraceStateString is { Length: > 0 } traceState ? traceParent + Separator + traceState : traceParent;
    }

    /// <summary>The context a record holds, or <c>default</c> (no parent) when there is none or it does not parse.</summary>
    public static ActivityContext ParentOf(string? record)
    {
        if (record is null)
        {
            return default;
        }

        var split = record.IndexOf(Separator, StringComparison.Ordinal);
        var (traceParent, traceState) = split < 0 ? (record, null) : (record[..split], record[(split + 1)..]);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    /// <summary>Marks <paramref name="activity"/> as failed with <paramref name="error"/>.</summary>
    public static void Failed(Activity activity, Exception error) =>
        activity.SetStatus(ActivityStatusCode.Error, error.Message).AddException(error);
}
