using System.Text.Json.Nodes;

namespace Brrr.Akka.Hosting;

/// <summary>
/// One recurring schedule in code (<c>brrr.schedules."name"</c>): only the properties set are written; the others keep
/// <c>brrr.schedule-defaults</c> (see <c>reference.conf</c>). <see cref="Cron"/>, <see cref="Topic"/> and <see cref="Task"/>
/// are required, and the worker's settings fail at start, naming the key, when one is missing or bad.
/// </summary>
public sealed class BrrrScheduleOptions
{
    /// <summary><c>cron</c>: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first (<c>*/10 * * * * *</c>).</summary>
    public string? Cron { get; set; }

    /// <summary><c>time-zone</c>: the IANA id the cron expression is read in (<c>Europe/Paris</c>). <b>Default:</b> <c>UTC</c>.</summary>
    public string? TimeZone { get; set; }

    /// <summary><c>topic</c>: where each tick's root is pushed.</summary>
    public string? Topic { get; set; }

    /// <summary><c>task</c>: the task each tick calls.</summary>
    public string? Task { get; set; }

    /// <summary><c>args</c>: the call's keyword arguments. <b>Default:</b> none (<c>{}</c>).</summary>
    public JsonObject? Args { get; set; }

    /// <summary><c>tick-argument</c>: the argument that holds the tick's time (ISO 8601 UTC); <c>""</c> for none. <b>Default:</b> <c>scheduled_at</c>.</summary>
    public string? TickArgument { get; set; }

    /// <summary><c>missed-ticks</c>: what the fleet does with ticks no worker claimed in time. <b>Default:</b> <see cref="Brrr.Akka.MissedTicks.RunOnce"/>.</summary>
    public MissedTicks? MissedTicks { get; set; }

    /// <summary><c>claim-expiry</c>: how long the claim of one tick lives in the cache. <b>Default:</b> 1 h.</summary>
    public TimeSpan? ClaimExpiry { get; set; }

    /// <summary><c>push-grace</c>: how long a claimed tick may stay without its root pushed before another worker pushes it. <b>Default:</b> 10 s.</summary>
    public TimeSpan? PushGrace { get; set; }

    internal void WriteTo(HoconBuilder hocon, string path) => hocon
        .Set(path + ".cron", Cron)
        .Set(path + ".time-zone", TimeZone)
        .Set(path + ".topic", Topic)
        .Set(path + ".task", Task)
        .Set(path + ".args", Args?.ToJsonString())
        .Set(path + ".tick-argument", TickArgument)
        .Set(path + ".missed-ticks", MissedTicks switch
        {
            null => null,
            Brrr.Akka.MissedTicks.Skip => "skip",
            _ => "run-once",
        })
        .Set(path + ".claim-expiry", ClaimExpiry)
        .Set(path + ".push-grace", PushGrace);
}
