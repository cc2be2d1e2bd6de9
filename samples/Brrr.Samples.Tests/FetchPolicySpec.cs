using Brrr;
using Brrr.ReadmeSamples;
using Brrr.TestKit;

namespace MyApp.Tests;

/// <summary>
/// README.md, "Per-task policies": the HOCON block (samples/Brrr.ReadmeSamples/fetch-policy.conf) as the ActorSystem's
/// config, over Fetch's code options. A failure carries the policy of the run that failed: it is resolved key by key.
/// </summary>
public sealed class FetchPolicySpec() : Akka.TestKit.Xunit2.TestKit(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fetch-policy.conf")))
{
    [Fact]
    public async Task The_hocon_policy_of_fetch_page_wins_key_by_key_over_its_code_options()
    {
        await using var brrr = new LocalBrrr(Sys, "fetch-topic", Fetch.Page);

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(Fetch.Page, "not a url"));

        var policy = Assert.IsType<TaskFailedException>(failed.Failure.Error).Policy!;
        Assert.Equal(8, policy.Attempts);                                 // brrr.tasks."fetch.page"
        Assert.Equal(TimeSpan.FromMinutes(1), policy.AttemptTimeout);      // brrr.tasks."fetch.page"
        Assert.Equal(0.2, policy.BackoffJitter);                          // the code option, over brrr.task-defaults
        Assert.Equal(TimeSpan.FromMilliseconds(200), policy.BackoffMin);  // the code option
        Assert.Contains(typeof(UriFormatException).FullName!, policy.NonRetryable);
        Assert.Equal(1, brrr.Executions["fetch.page"]);
    }

    [Fact]
    public async Task A_task_without_its_own_policy_takes_the_hocon_task_defaults()
    {
        await using var brrr = new LocalBrrr(Sys, "my-topic", SquareRoots.Sqrt);

        var failed = await Assert.ThrowsAsync<WorkflowFailedException>(() => brrr.RunAsync(SquareRoots.Sqrt, -1));

        var policy = Assert.IsType<TaskFailedException>(failed.Failure.Error).Policy!;
        Assert.Equal(0.1, policy.BackoffJitter);   // brrr.task-defaults
        Assert.Equal(3, policy.Attempts);          // brrr.task-attempts, the default of task-defaults' attempts
        Assert.Equal(3, brrr.Executions["sqrt"]);
    }
}
