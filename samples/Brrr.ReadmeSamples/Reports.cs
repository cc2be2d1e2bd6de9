// README.md, "Time", "Recurring schedules" (built, not run).
using System.Text.Json.Nodes;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.Tasks;

namespace MyApp;

public sealed record ReportArgs(string Kind, DateTimeOffset ScheduledAt);

public static class Reports
{
    // Each tick is its own call: the schedule adds the tick's time as scheduled_at.
    public static readonly BrrrTask<ReportArgs, string> Daily = BrrrTask.Create<ReportArgs, string>("report", (ctx, a) =>
        Task.FromResult($"{a.Kind} report of {a.ScheduledAt:yyyy-MM-dd}"));

    public static void Configure(BrrrOptions options)
    {
        options.AddTopic("reports", new TaskSet(Daily));
        options.AddSchedule("nightly-report", "0 3 * * *", topic: "reports", task: "report",
            args: new JsonObject { ["kind"] = "daily" }, timeZone: "Europe/Paris");
        options.Schedules["nightly-report"].MissedTicks = MissedTicks.Skip;
    }
}
