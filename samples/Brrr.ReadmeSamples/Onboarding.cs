// README.md, "Time", "Delays inside a workflow".
using Brrr;
using Brrr.Tasks;

namespace MyApp;

public sealed record OnboardingArgs(string User, TimeSpan Trial);

public static class Onboarding
{
    public static readonly BrrrTask<string, string> Mail = BrrrTask.Create<string, string>("mail", (ctx, text) =>
        Task.FromResult($"sent: {text}"));

    // Welcomes a user, waits out the trial without holding a worker, reminds them, and asks for feedback a bit later.
    public static readonly BrrrTask<OnboardingArgs, string> Onboard = BrrrTask.Create<OnboardingArgs, string>("onboard", async (ctx, a) =>
    {
        await ctx.Call(Mail, $"welcome, {a.User}");
        var woke = await ctx.Sleep(a.Trial);   // the due time: the first run's deferral plus a.Trial, on every re-run
        await ctx.Call(Mail, $"your trial ended at {woke:u}, {a.User}");
        return await ctx.Call(Mail, $"how was it, {a.User}?", new ScheduleOptions { Delay = a.Trial / 2 });
    });
}
