using System.CommandLine;
using System.Text.Json.Nodes;
using Brrr.Akka;

namespace Brrr.Cli;

public static partial class BrrrCli
{
    private static Command SchedulesCommand() =>
        Sub("schedules", "The recurring schedules of --config (brrr.schedules): cron, time zone, task and topic, the last tick the fleet claimed (from the cache) and the next tick.")
            .Connected(async run =>
            {
                var schedules = run.Fleet.Settings.Brrr.Schedules.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
                var lasts = await Task.WhenAll(schedules.Select(s => run.Fleet.Client.Cache.GetScheduleLastTickAsync(s.Name, run.CancellationToken)));
                var now = DateTimeOffset.UtcNow;
                var rows = schedules.Select((s, i) => (Schedule: s, Last: lasts[i], Next: s.NextTick(now))).ToArray();
                run.Output.Write(new JsonArray([.. rows.Select(r => ScheduleJson(r.Schedule, r.Last, r.Next))]), () => ScheduleLines(rows));
                return ExitCodes.Ok;
            });

    private static JsonObject ScheduleJson(ScheduleSettings schedule, DateTimeOffset? last, DateTimeOffset? next) => new()
    {
        ["name"] = schedule.Name,
        ["cron"] = schedule.Cron,
        ["time_zone"] = schedule.TimeZone.Id,
        ["topic"] = schedule.Topic,
        ["task"] = schedule.Task,
        ["args"] = JsonNode.Parse(schedule.Args),
        ["tick_argument"] = schedule.TickArgument,
        ["missed_ticks"] = schedule.MissedTicks == MissedTicks.Skip ? "skip" : "run-once",
        ["last_tick"] = last is { } l ? ScheduleSettings.TickText(l) : null,
        ["last_root_id"] = last is { } lr ? schedule.RootIdOf(lr) : null,
        ["next_tick"] = next is { } n ? ScheduleSettings.TickText(n) : null,
    };

    private static IEnumerable<string> ScheduleLines(IReadOnlyList<(ScheduleSettings Schedule, DateTimeOffset? Last, DateTimeOffset? Next)> rows)
    {
        if (rows.Count == 0)
        {
            yield return "no schedules: give --config the workers' HOCON file, with its brrr.schedules";
            yield break;
        }

        foreach (var (s, last, next) in rows)
        {
            var lastText = last is { } l ? $"last {ScheduleSettings.TickText(l)} (root {s.RootIdOf(l)})" : "never ran";
            var nextText = next is { } n ? $"next {ScheduleSettings.TickText(n)}" : "no next tick";
            yield return $"{s.Name}: '{s.Cron}' in {s.TimeZone.Id}, task {s.Task} on {s.Topic}, missed ticks: {(s.MissedTicks == MissedTicks.Skip ? "skip" : "run-once")}; {lastText}, {nextText}";
        }
    }
}
