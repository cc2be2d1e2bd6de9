using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Brrr.Codecs;
using Cronos;

namespace Brrr.Akka;

/// <summary>What the fleet does with the ticks of a schedule that no worker claimed in time (an outage of every worker, or of the cache).</summary>
public enum MissedTicks
{
    /// <summary><c>skip</c>: run none of them; the schedule goes on at its next tick.</summary>
    Skip,

    /// <summary><c>run-once</c>: run the latest missed tick once, as soon as a worker sees it; the earlier ones are dropped.</summary>
    RunOnce,
}

/// <summary>
/// One recurring schedule (<c>brrr.schedules."name"</c>): a cron expression read in a time zone, and the call whose root
/// is pushed at each tick. Each tick is claimed once across the fleet (<see cref="Backends.ICache.ClaimScheduleTickAsync"/>);
/// its root has a deterministic id (<see cref="RootIdOf"/>) and, with <see cref="TickArgument"/>, its own call. Immutable.
/// </summary>
public sealed record ScheduleSettings
{
    /// <summary>The schedule's name: 1 to <see cref="MaxNameLength"/> characters of <c>[A-Za-z0-9._:-]</c> (it is part of its roots' ids).</summary>
    public required string Name { get; init; }

    /// <summary>The cron expression as written: 5 fields (minute precision) or 6 (seconds first), or a macro such as <c>@hourly</c>.</summary>
    public required string Cron { get; init; }

    /// <summary>The parsed <see cref="Cron"/>.</summary>
    public required CronExpression Expression { get; init; }

    /// <summary>The time zone <see cref="Cron"/> is read in (<c>time-zone</c>, an IANA id such as <c>Europe/Paris</c>).</summary>
    public required TimeZoneInfo TimeZone { get; init; }

    /// <summary>The topic each tick's root is pushed to.</summary>
    public required string Topic { get; init; }

    /// <summary>The task each tick calls.</summary>
    public required string Task { get; init; }

    /// <summary>The call's keyword arguments (<c>args</c>, a JSON object written as text), without the tick argument.</summary>
    public required string Args { get; init; }

    /// <summary>
    /// The argument the tick's time is added under (ISO 8601 UTC, <c>2026-01-01T03:00:00Z</c>), so that each tick is a
    /// call of its own; <c>null</c> adds none (every tick is then the same call, which runs only while no value of it is stored).
    /// </summary>
    public required string? TickArgument { get; init; }

    /// <summary>What the fleet does with missed ticks (<c>missed-ticks</c>).</summary>
    public required MissedTicks MissedTicks { get; init; }

    /// <summary>How long a tick's claim lives in the cache (<c>claim-expiry</c>).</summary>
    public required TimeSpan ClaimExpiry { get; init; }

    /// <summary>How long a claimed tick may stay without its root pushed before another worker pushes it (<c>push-grace</c>).</summary>
    public required TimeSpan PushGrace { get; init; }

    /// <summary>The longest schedule name: a root id (<c>schedule:&lt;name&gt;:&lt;tick&gt;</c>) holds at most 128 characters.</summary>
    public const int MaxNameLength = 100;

    /// <summary>The first tick strictly after <paramref name="after"/>, or <c>null</c> when the expression has no more.</summary>
    public DateTimeOffset? NextTick(DateTimeOffset after) => Expression.GetNextOccurrence(after, TimeZone);

    /// <summary>
    /// The latest tick in (<paramref name="after"/>, <paramref name="atOrBefore"/>], or <c>null</c> when there is none;
    /// <paramref name="after"/> <c>null</c> looks back without bound. Cronos only walks forward, so this walks windows that
    /// grow backward from <paramref name="atOrBefore"/> (a dense schedule is found in the first, a yearly one in a few).
    /// </summary>
    public DateTimeOffset? LatestTick(DateTimeOffset? after, DateTimeOffset atOrBefore)
    {
        var floor = after ?? DateTimeOffset.MinValue.AddYears(1);
        var window = TimeSpan.FromMinutes(1);
        var to = atOrBefore;
        while (to > floor)
        {
            var from = to - floor > window ? to - window : floor;
            DateTimeOffset? latest = null;
            foreach (var tick in Expression.GetOccurrences(from, to, TimeZone, fromInclusive: false, toInclusive: true))
            {
                latest = tick;
            }

            if (latest is not null)
            {
                return latest;
            }

            to = from;
            window *= 4;
        }

        return null;
    }

    /// <summary>The id of the root of <paramref name="tick"/>: <c>schedule:&lt;name&gt;:&lt;yyyyMMddTHHmmss&gt;Z</c> (UTC, milliseconds added when not whole).</summary>
    public string RootIdOf(DateTimeOffset tick)
    {
        var utc = tick.ToUniversalTime();
        var format = utc.Millisecond == 0 ? "yyyyMMdd'T'HHmmss'Z'" : "yyyyMMdd'T'HHmmss'.'fff'Z'";
        return $"schedule:{Name}:{utc.ToString(format, CultureInfo.InvariantCulture)}";
    }

    /// <summary>The call of <paramref name="tick"/>: <see cref="Task"/> with <see cref="Args"/> and, under <see cref="TickArgument"/>, the tick's time.</summary>
    public Call CallOf(ICodec codec, DateTimeOffset tick)
    {
        ArgumentNullException.ThrowIfNull(codec);
        var args = ParseArgs(Args);
        if (TickArgument is { } key)
        {
            args[key] = TickText(tick);
        }

        return codec.EncodeCall(Task, args);
    }

    /// <summary>The text of a tick's time in calls and output: ISO 8601 in UTC, whole seconds unless it has milliseconds.</summary>
    public static string TickText(DateTimeOffset tick)
    {
        var utc = tick.ToUniversalTime();
        return utc.ToString(utc.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>The JSON object of <paramref name="args"/>.</summary>
    /// <exception cref="FormatException"><paramref name="args"/> is not a JSON object.</exception>
    internal static JsonObject ParseArgs(string args)
    {
        try
        {
            return JsonNode.Parse(args) as JsonObject ?? throw new FormatException($"must be a JSON object of the task's keyword arguments (such as {{\"n\": 10}}), got {args}");
        }
        catch (JsonException e)
        {
            throw new FormatException($"must be a JSON object of the task's keyword arguments (such as {{\"n\": 10}}): {e.Message}", e);
        }
    }
}
