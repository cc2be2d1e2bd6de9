using Akka.Configuration;
using Brrr.Akka;
using Brrr.Akka.Hosting;
using Brrr.Tasks;

namespace Brrr.Akka.Tests;

/// <summary>brrr.task-defaults and brrr.tasks: typed, validated, and resolved over a task's code options.</summary>
public sealed class TaskPolicySettingsSpecs
{
    private static BrrrSettings Parse(string hocon) => BrrrSettings.Create(ConfigurationFactory.ParseString(hocon));

    [Fact]
    public void Task_defaults_come_from_task_attempts_and_the_retry_backoff_unless_set()
    {
        var legacy = Parse("brrr { task-attempts = 5, retry-backoff-min = 50ms, retry-backoff-max = 2s }").TaskDefaults;
        var own = Parse("brrr { task-attempts = 5, task-defaults { attempts = 4, backoff-min = 1s, backoff-jitter = 0.25 } }").TaskDefaults;

        Assert.Equal((5, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), 2.0, 0.0, Timeout.InfiniteTimeSpan),
            (legacy.Attempts, legacy.BackoffMin, legacy.BackoffMax, legacy.BackoffMultiplier, legacy.BackoffJitter, legacy.AttemptTimeout));
        Assert.Equal((4, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 0.25), (own.Attempts, own.BackoffMin, own.BackoffMax, own.BackoffJitter));
        Assert.Empty(legacy.NonRetryable);
    }

    [Fact]
    public void A_task_s_hocon_entry_wins_over_its_code_options_which_win_over_the_task_defaults()
    {
        var settings = Parse("""
            brrr.task-defaults { backoff-multiplier = 3, backoff-jitter = 0.1 }
            brrr.tasks."fetch.page" { attempts = 7, attempt-timeout = 30s, non-retryable = ["System.FormatException"] }
            """);
        var code = new TaskOptions { Attempts = 2, BackoffMax = TimeSpan.FromSeconds(9), BackoffMultiplier = 1.5, AttemptTimeout = TimeSpan.FromSeconds(1) };
        var task = BrrrTask.Create<int, int>("fetch.page", (_, a) => Task.FromResult(a), code);

        var policy = settings.TaskPolicies().For(task);

        Assert.Equal((7, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(9), 1.5, 0.1), (policy.Attempts, policy.AttemptTimeout, policy.BackoffMax, policy.BackoffMultiplier, policy.BackoffJitter));
        Assert.False(policy.IsRetryable(new FormatException()));
    }

    [Theory]
    [InlineData("brrr.tasks.\"x\".attempt = 3", "brrr.tasks.\"x\".attempt is not a task policy key (known: attempts,")]
    [InlineData("brrr.tasks.\"x\".attempts = 0", "brrr.tasks.\"x\".attempts must be >= 1, got 0")]
    [InlineData("brrr.tasks.\"x\".attempts = lots", "brrr.tasks.\"x\".attempts has a value of the wrong type")]
    [InlineData("brrr.tasks.\"x\".backoff-jitter = 1.5", "brrr.tasks.\"x\".backoff-jitter must be between 0 and 1, got 1.5")]
    [InlineData("brrr.tasks.\"x\".backoff-multiplier = 0.5", "brrr.tasks.\"x\".backoff-multiplier must be between 1 and")]
    [InlineData("brrr.tasks.\"x\".backoff-min = 0s", "brrr.tasks.\"x\".backoff-min must be > 0")]
    [InlineData("brrr.tasks.\"x\".attempt-timeout = 0s", "brrr.tasks.\"x\".attempt-timeout must be > 0 or infinite")]
    [InlineData("brrr.tasks.\"x\".non-retryable = [\"not a type\"]", "brrr.tasks.\"x\".non-retryable must list full exception type names")]
    [InlineData("brrr.tasks.\"x\".backoff-max = 10ms", "brrr.tasks.\"x\" is out of range over brrr.task-defaults")]
    [InlineData("brrr.tasks.\"x\" = 3", "brrr.tasks.\"x\" must be an object of policy keys")]
    [InlineData("brrr.task-defaults.backoff-jitter = -1", "brrr.task-defaults.backoff-jitter must be between 0 and 1, got -1")]
    [InlineData("brrr.task-defaults.backoff-min = 10s", "brrr.task-defaults is out of range")]
    [InlineData("brrr.attempt-count-expiry = 0s", "brrr.attempt-count-expiry must be > 0")]
    public void A_bad_task_policy_key_is_named_in_the_error(string hocon, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => Parse(hocon));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_options_that_do_not_fit_the_configuration_fail_the_worker_start_naming_the_task()
    {
        var settings = Parse("brrr.tasks.\"t\".backoff-min = 2s");
        var task = BrrrTask.Create<int, int>("t", (_, a) => Task.FromResult(a), new TaskOptions { BackoffMax = TimeSpan.FromSeconds(1) });

        var error = Assert.Throws<ArgumentException>(() => settings.TaskPolicies().For(task));

        Assert.Contains("'t'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hosting_options_write_task_policies_as_the_same_hocon()
    {
        var options = new BrrrOptions { TaskDefaults = new TaskOptions { BackoffJitter = 0.5, AttemptTimeout = Timeout.InfiniteTimeSpan } };
        options.Tasks["fetch.page"] = TaskOptions.NeverRetry(typeof(FormatException)) with { Attempts = 6, BackoffMultiplier = 1.5, AttemptTimeout = TimeSpan.FromSeconds(3) };
        var task = BrrrTask.Create<int, int>("fetch.page", (_, a) => Task.FromResult(a));

        var fromOptions = BrrrSettings.Create(options.ToConfig());
        var fromHocon = Parse("""
            brrr.task-defaults { backoff-jitter = 0.5, attempt-timeout = infinite }
            brrr.tasks."fetch.page" { attempts = 6, backoff-multiplier = 1.5, attempt-timeout = 3s, non-retryable = ["System.FormatException"] }
            """);

        Assert.Equal(Describe(fromHocon.TaskPolicies().For(task)), Describe(fromOptions.TaskPolicies().For(task)));
        Assert.Equal(Describe(fromHocon.TaskDefaults), Describe(fromOptions.TaskDefaults));
        Assert.Equal("6 1.5 0.5 00:00:03 System.FormatException", Describe(fromOptions.TaskPolicies().For(task)).Split(' ', 3)[2]);
    }

    private static string Describe(RetryPolicy p) =>
        FormattableString.Invariant($"{p.BackoffMin} {p.BackoffMax} {p.Attempts} {p.BackoffMultiplier} {p.BackoffJitter} {p.AttemptTimeout} {string.Join(",", p.NonRetryable.Order(StringComparer.Ordinal))}");
}
