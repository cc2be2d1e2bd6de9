using Akka.Configuration;
using Brrr;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.TestKit;

namespace MyApp.Tests;

/// <summary>README.md, "Time", "Recurring schedules": the HOCON block reads as it says, and the code's schedule runs its task.</summary>
public sealed class ReportsSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly BrrrOptions Options = Every(new BrrrOptions());

    public ReportsSpec() : base(Options.ToConfig())
    {
    }

    [Fact]
    public void The_readme_hocon_declares_a_nightly_report_in_paris_and_a_heartbeat_every_ten_seconds()
    {
        var schedules = BrrrSettings.Create(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schedules.conf")))).Schedules;

        var nightly = schedules["nightly-report"];
        var heartbeat = schedules["heartbeat"];
        Assert.Equal(("Europe/Paris", "reports", "report", """{"kind": "daily"}""", MissedTicks.RunOnce), (nightly.TimeZone.Id, nightly.Topic, nightly.Task, nightly.Args, nightly.MissedTicks));
        Assert.Equal(("UTC", "ops", "ping", MissedTicks.Skip), (heartbeat.TimeZone.Id, heartbeat.Topic, heartbeat.Task, heartbeat.MissedTicks));
        var at = new DateTimeOffset(2026, 1, 2, 10, 0, 1, TimeSpan.Zero);
        Assert.Equal(at.AddSeconds(9), heartbeat.NextTick(at));
    }

    [Fact]
    public async Task The_readme_schedule_pushes_a_report_whose_value_names_the_tick_s_day()
    {
        var ticked = CreateTestProbe();
        Sys.EventStream.Subscribe(ticked.Ref, typeof(ScheduleTicked));
        await using var brrr = new LocalBrrr(Sys, "reports", Reports.Daily);

        var tick = ticked.ExpectMsg<ScheduleTicked>(TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(async () => Assert.Equal(CallState.Completed, (await brrr.Client.GetStatusAsync(tick.CallHash)).State), TimeSpan.FromSeconds(10));
        var value = (await brrr.Client.GetStatusAsync(tick.CallHash)).Value!;

        Assert.Equal(("nightly-report", $"schedule:nightly-report:{tick.Tick.UtcDateTime:yyyyMMdd'T'HHmmss}Z"), (tick.Schedule, tick.RootId));
        Assert.Equal($"\"daily report of {tick.Tick.UtcDateTime:yyyy-MM-dd}\"", System.Text.Encoding.UTF8.GetString(value));
    }

    /// <summary>The README's options, ticking every second instead of at 3 am so that the spec sees a tick.</summary>
    private static BrrrOptions Every(BrrrOptions options)
    {
        Reports.Configure(options);
        options.Schedules["nightly-report"].Cron = "* * * * * *";
        return options;
    }
}
