using System.Diagnostics;
using Brrr.TestKit;

namespace MyApp.Tests;

/// <summary>README.md, "Time", "Delays inside a workflow": the onboarding sleeps, then calls a child with a delay.</summary>
public sealed class OnboardingSpec : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task The_readme_onboarding_mails_after_the_trial_and_asks_for_feedback_half_a_trial_later()
    {
        await using var brrr = new LocalBrrr(Sys, "mail-topic", Onboarding.Onboard, Onboarding.Mail);
        var clock = Stopwatch.StartNew();

        var result = await brrr.RunAsync(Onboarding.Onboard, new OnboardingArgs("ada", TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(60));

        Assert.Equal("sent: how was it, ada?", result);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"done after {clock.Elapsed}: the sleep and the delayed call wait 1.5 s together");
        Assert.True(brrr.Executions["onboard"] >= 5);   // deferred on the welcome mail, the sleep, the reminder and the feedback
    }
}
