using System.Collections.Immutable;
using Akka.Configuration;
using Cronos;

namespace Brrr.Akka;

/// <summary>The recurring schedules of the <c>brrr</c> section: <c>brrr.schedule-defaults</c> and <c>brrr.schedules</c>.</summary>
public sealed partial record BrrrSettings
{
    private static readonly string[] ScheduleKeys = ["cron", "time-zone", "topic", "task", "args", "tick-argument", "missed-ticks", "claim-expiry", "push-grace"];

    /// <summary>The recurring schedules by name (<c>brrr.schedules."name"</c>, each key not given from <c>brrr.schedule-defaults</c>).</summary>
    public ImmutableDictionary<string, ScheduleSettings> Schedules { get; init; } = ImmutableDictionary<string, ScheduleSettings>.Empty;

    private static BrrrSettings WithSchedules(BrrrSettings settings, Config brrr)
    {
        var defaults = brrr.GetConfig("schedule-defaults");
        CheckKeys(defaults, "brrr.schedule-defaults");
        var schedules = ImmutableDictionary.CreateBuilder<string, ScheduleSettings>(StringComparer.Ordinal);
        var section = brrr.GetConfig("schedules");
        if (section is not null && !section.IsEmpty)
        {
            foreach (var (name, value) in section.Root.GetObject().Items)
            {
                var path = $"brrr.schedules.\"{name}\"";
                if (!value.IsObject())
                {
                    throw new ConfigurationException($"{path} must be an object with cron, topic and task (and optionally {string.Join(", ", ScheduleKeys[4..])}, time-zone)");
                }

                var own = new Config(new global::Akka.Configuration.Hocon.HoconRoot(value));
                CheckKeys(own, path);
                schedules[name] = ReadSchedule(name, own.WithFallback(defaults), path);
            }
        }

        return settings with { Schedules = schedules.ToImmutable() };
    }

    private static void CheckKeys(Config? section, string path)
    {
        foreach (var key in section is null || section.IsEmpty ? [] : section.Root.GetObject().Items.Keys.ToArray())
        {
            if (Array.IndexOf(ScheduleKeys, key) < 0)
            {
                throw new ConfigurationException($"{path}.{key} is not a schedule key (known: {string.Join(", ", ScheduleKeys)})");
            }
        }
    }

    private static ScheduleSettings ReadSchedule(string name, Config config, string path)
    {
        if (name.Length is 0 or > ScheduleSettings.MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
        {
            throw new ConfigurationException($"{path}: a schedule name is 1 to {ScheduleSettings.MaxNameLength} characters of [A-Za-z0-9._:-] (it is part of the ids of its roots)");
        }

        var cron = Required(config, path, "cron");
        var zoneId = Required(config, path, "time-zone");
        var args = config.GetString("args") ?? "{}";
        var tickArgument = config.GetString("tick-argument") is { Length: > 0 } t ? t : null;
        try
        {
            if (tickArgument is not null && ScheduleSettings.ParseArgs(args).ContainsKey(tickArgument))
            {
                throw new ConfigurationException($"{path}.args holds \"{tickArgument}\", the tick argument (tick-argument) the schedule adds: rename one");
            }
        }
        catch (FormatException e)
        {
            throw new ConfigurationException($"{path}.args {e.Message}");
        }

        return new ScheduleSettings
        {
            Name = name,
            Cron = cron,
            Expression = ParseCron(cron, $"{path}.cron"),
            TimeZone = FindTimeZone(zoneId, $"{path}.time-zone"),
            Topic = Required(config, path, "topic"),
            Task = Required(config, path, "task"),
            Args = args,
            TickArgument = tickArgument,
            MissedTicks = config.GetString("missed-ticks") switch
            {
                "skip" => MissedTicks.Skip,
                "run-once" => MissedTicks.RunOnce,
                var other => throw new ConfigurationException($"{path}.missed-ticks must be skip or run-once, got '{other}'"),
            },
            ClaimExpiry = Positive(Read<TimeSpan?>(config, path, "claim-expiry", (c, k) => c.GetTimeSpan(k, allowInfinite: false)) ?? TimeSpan.Zero, $"{path}.claim-expiry"),
            PushGrace = Positive(Read<TimeSpan?>(config, path, "push-grace", (c, k) => c.GetTimeSpan(k, allowInfinite: false)) ?? TimeSpan.Zero, $"{path}.push-grace"),
        };
    }

    private static string Required(Config config, string path, string key) =>
        config.GetString(key) is { } value && !string.IsNullOrWhiteSpace(value) ? value : throw new ConfigurationException($"{path}.{key} is required");

    /// <summary>Five fields are minutes to weekdays; six put seconds first (<c>*/5 * * * * *</c>: every 5 s).</summary>
    private static CronExpression ParseCron(string cron, string key)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;
        try
        {
            return CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new ConfigurationException(
                $"{key} is not a cron expression ('{cron}': {e.Message}); write 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. \"0 3 * * *\" or \"*/10 * * * * *\"");
        }
    }

    private static TimeZoneInfo FindTimeZone(string id, string key)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ConfigurationException($"{key}: unknown time zone '{id}'; use an IANA id such as \"Europe/Paris\" or \"UTC\"");
        }
    }
}
