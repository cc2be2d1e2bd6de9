using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.Codecs;
using Microsoft.Extensions.Configuration;

namespace Brrr.Akka.Tests;

/// <summary>brrr.schedules and brrr.schedule-defaults: typed, validated, and the ticks, roots and calls they give.</summary>
public sealed class ScheduleSettingsSpecs
{
    private static BrrrSettings Parse(string hocon) => BrrrSettings.Create(ConfigurationFactory.ParseString(hocon));

    [Fact]
    public void A_schedule_takes_its_own_keys_over_the_schedule_defaults()
    {
        var settings = Parse(""""
            brrr.schedule-defaults { missed-ticks = skip, time-zone = "Europe/Paris" }
            brrr.schedules."nightly.report" { cron = "0 3 * * *", topic = "reports", task = "report", args = """{"kind": "daily"}""", claim-expiry = 10m }
            brrr.schedules.every-second { cron = "* * * * * *", time-zone = "UTC", topic = "t", task = "tick", missed-ticks = run-once, tick-argument = "" }
            """");

        var nightly = settings.Schedules["nightly.report"];
        var second = settings.Schedules["every-second"];
        Assert.Equal(("0 3 * * *", "Europe/Paris", "reports", "report", "{\"kind\": \"daily\"}", "scheduled_at", MissedTicks.Skip, TimeSpan.FromMinutes(10)),
            (nightly.Cron, nightly.TimeZone.Id, nightly.Topic, nightly.Task, nightly.Args, nightly.TickArgument, nightly.MissedTicks, nightly.ClaimExpiry));
        Assert.Equal(("UTC", MissedTicks.RunOnce, null, "{}", TimeSpan.FromHours(1)), (second.TimeZone.Id, second.MissedTicks, second.TickArgument, second.Args, second.ClaimExpiry));
        Assert.Empty(Parse("").Schedules);
    }

    [Fact]
    public void Six_fields_tick_by_the_second_and_five_by_the_minute_in_the_schedule_s_time_zone()
    {
        var settings = Parse("""
            brrr.schedules.fast { cron = "*/10 * * * * *", topic = "t", task = "x" }
            brrr.schedules.paris { cron = "30 9 * * 1-5", time-zone = "Europe/Paris", topic = "t", task = "x" }
            """);
        var friday = new DateTimeOffset(2026, 1, 2, 10, 0, 3, TimeSpan.Zero);

        Assert.Equal(friday.AddSeconds(7), settings.Schedules["fast"].NextTick(friday));
        // 09:30 in Paris is 08:30 UTC in winter, on the next weekday (Monday 5 January 2026).
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 8, 30, 0, TimeSpan.Zero), settings.Schedules["paris"].NextTick(friday)!.Value.ToUniversalTime());
    }

    [Fact]
    public void The_latest_tick_is_found_however_far_back_and_none_is_found_at_or_before_the_lower_bound()
    {
        var settings = Parse("""
            brrr.schedules.second { cron = "* * * * * *", topic = "t", task = "x" }
            brrr.schedules.yearly { cron = "0 0 1 1 *", topic = "t", task = "x" }
            """);
        var now = new DateTimeOffset(2026, 6, 15, 12, 0, 0, 500, TimeSpan.Zero);

        Assert.Equal(now.AddMilliseconds(-500), settings.Schedules["second"].LatestTick(now.AddHours(-5), now));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), settings.Schedules["yearly"].LatestTick(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), now));
        Assert.Null(settings.Schedules["yearly"].LatestTick(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), now));
        Assert.Null(settings.Schedules["second"].LatestTick(now.AddMilliseconds(-500), now));
    }

    [Fact]
    public void Each_tick_has_its_own_root_id_and_call_with_the_schedule_s_arguments_and_the_tick_s_time()
    {
        var schedule = Parse("""brrr.schedules."nightly.report" { cron = "0 3 * * *", topic = "reports", task = "report", args = "{\"kind\": \"daily\", \"n\": 3}" }""")
            .Schedules["nightly.report"];
        var tick = new DateTimeOffset(2026, 1, 2, 3, 0, 0, TimeSpan.Zero);

        var call = schedule.CallOf(JsonCodec.Default, tick);

        Assert.Equal("schedule:nightly.report:20260102T030000Z", schedule.RootIdOf(tick));
        Assert.Equal("""[{"kind":"daily","n":3,"scheduled_at":"2026-01-02T03:00:00Z"}]""", Encoding.UTF8.GetString(call.Payload));
        Assert.Equal(JsonCodec.Default.EncodeCall("report", JsonNode.Parse("""{"n":3,"kind":"daily","scheduled_at":"2026-01-02T03:00:00Z"}""")!.AsObject()).CallHash, call.CallHash);
        Assert.NotEqual(call.CallHash, schedule.CallOf(JsonCodec.Default, tick.AddDays(1)).CallHash);
        Assert.Equal(new ReportArgs("daily", 3, tick), JsonCodec.Default.DecodeArgs<ReportArgs>(call));
        var plain = schedule with { TickArgument = null };
        Assert.Equal(plain.CallOf(JsonCodec.Default, tick).CallHash, plain.CallOf(JsonCodec.Default, tick.AddDays(1)).CallHash);
    }

    private sealed record ReportArgs(string Kind, int N, DateTimeOffset ScheduledAt);

    [Theory]
    [InlineData("""brrr.schedules.x { cron = "61 * * * *", topic = "t", task = "k" }""", "brrr.schedules.\"x\".cron is not a cron expression ('61 * * * *':")]
    [InlineData("""brrr.schedules.x { cron = "* * *", topic = "t", task = "k" }""", "brrr.schedules.\"x\".cron is not a cron expression")]
    [InlineData("""brrr.schedules.x { cron = "* * * * *", time-zone = "Mars/Olympus_Mons", topic = "t", task = "k" }""", "brrr.schedules.\"x\".time-zone: unknown time zone 'Mars/Olympus_Mons'")]
    [InlineData("""brrr.schedules.x { cron = "* * * * *", missed-ticks = all, topic = "t", task = "k" }""", "brrr.schedules.\"x\".missed-ticks must be skip or run-once, got 'all'")]
    [InlineData("""brrr.schedules.x { cron = "* * * * *", task = "k" }""", "brrr.schedules.\"x\".topic is required")]
    [InlineData("""brrr.schedules.x { topic = "t", task = "k" }""", "brrr.schedules.\"x\".cron is required")]
    [InlineData("""brrr.schedules.x { cron = "* * * * *", topic = "t", task = "k", args = "[1]" }""", "brrr.schedules.\"x\".args must be a JSON object")]
    [InlineData("""brrr.schedules.x { cron = "* * * * *", topic = "t", task = "k", args = "{\"scheduled_at\": 1}" }""", "brrr.schedules.\"x\".args holds \"scheduled_at\", the tick argument")]
    [InlineData("""brrr.schedules.x { cron = "* * * * *", topic = "t", task = "k", claim-expiry = 0s }""", "brrr.schedules.\"x\".claim-expiry must be > 0")]
    [InlineData("""brrr.schedules.x { cron = "* * * * *", topic = "t", task = "k", tz = "UTC" }""", "brrr.schedules.\"x\".tz is not a schedule key (known: cron,")]
    [InlineData("""brrr.schedules."a b" { cron = "* * * * *", topic = "t", task = "k" }""", "brrr.schedules.\"a b\": a schedule name is 1 to 100 characters of [A-Za-z0-9._:-]")]
    [InlineData("""brrr.schedules.x = 3""", "brrr.schedules.\"x\" must be an object with cron, topic and task")]
    [InlineData("brrr.schedule-defaults.missed-ticks = never\nbrrr.schedules.y { cron = \"* * * * *\", topic = t, task = k }", "brrr.schedules.\"y\".missed-ticks must be skip or run-once, got 'never'")]
    [InlineData("""brrr.schedule-defaults.zone = UTC""", "brrr.schedule-defaults.zone is not a schedule key")]
    public void A_bad_schedule_is_named_in_the_error(string hocon, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse(hocon));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_actor_system_with_a_bad_schedule_fails_at_the_start_of_brrr_naming_the_key()
    {
        using var system = ActorSystem.Create("bad-schedule", """brrr.schedules.x { cron = "* * * * *", time-zone = "Nowhere/Else", topic = "t", task = "k" }""");

        var error = Record.Exception(() => BrrrExtension.Get(system));

        Assert.Contains("brrr.schedules.\"x\".time-zone: unknown time zone 'Nowhere/Else'", error?.GetBaseException().Message ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void Schedules_written_in_code_and_bound_from_appsettings_read_as_the_same_hocon()
    {
        var options = new BrrrOptions();
        options.Schedules["every-minute"] = new BrrrScheduleOptions
        {
            Cron = "* * * * *",
            Topic = "t",
            Task = "tick",
            TimeZone = "Europe/Paris",
            Args = new JsonObject { ["n"] = 3 },
            MissedTicks = MissedTicks.Skip,
        };
        var bound = new BrrrOptions().Bind(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Brrr:Schedules:every-minute:Cron"] = "* * * * *",
            ["Brrr:Schedules:every-minute:Topic"] = "t",
            ["Brrr:Schedules:every-minute:Task"] = "tick",
            ["Brrr:Schedules:every-minute:TimeZone"] = "Europe/Paris",
            ["Brrr:Schedules:every-minute:Args"] = """{"n":3}""",
            ["Brrr:Schedules:every-minute:MissedTicks"] = "skip",
        }).Build().GetSection("Brrr"));

        var fromCode = BrrrSettings.Create(options.ToConfig()).Schedules["every-minute"];
        var fromAppsettings = BrrrSettings.Create(bound.ToConfig()).Schedules["every-minute"];

        Assert.Equal(fromCode with { Expression = null! }, fromAppsettings with { Expression = null! });
        Assert.Equal(("Europe/Paris", MissedTicks.Skip, """{"n":3}"""), (fromCode.TimeZone.Id, fromCode.MissedTicks, fromCode.Args));
    }
}
