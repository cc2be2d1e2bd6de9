using Brrr.Backends;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>Backoff, non-retryable exceptions and precedence of a task's failure policy, computed without a clock.</summary>
public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy Defaults = new(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

    [Fact]
    public void Waits_grow_by_the_multiplier_from_the_min_up_to_the_max()
    {
        var policy = new RetryPolicy(9, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(3), backoffMultiplier: 2.5);

        var waits = Enumerable.Range(1, 6).Select(a => policy.Delay(a, random: 1).TotalMilliseconds);

        Assert.Equal([200, 500, 1250, 3000, 3000, 3000], waits);
    }

    [Fact]
    public void Jitter_takes_off_at_most_its_fraction_of_a_wait_as_the_random_draw_says()
    {
        var policy = new RetryPolicy(9, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), backoffJitter: 0.5);

        Assert.Equal(TimeSpan.FromSeconds(4), policy.Delay(3, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(3), policy.Delay(3, random: 0.5));
        Assert.Equal(TimeSpan.FromSeconds(2), policy.Delay(3, random: 1));
        Assert.Equal(TimeSpan.FromSeconds(4), policy.Delay(30, random: 1));
    }

    [Fact]
    public void A_multiplier_of_one_keeps_every_wait_at_the_min_and_a_huge_attempt_stays_at_the_max()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), new RetryPolicy(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), 1).Delay(50, 0));
        Assert.Equal(TimeSpan.FromSeconds(5), Defaults.Delay(int.MaxValue, 0));
    }

    [Fact]
    public void Out_of_range_parts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(1, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), backoffMultiplier: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), backoffJitter: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), attemptTimeout: TimeSpan.Zero));
    }

    [Fact]
    public void Exceptions_listed_and_their_subtypes_are_never_retried_and_others_are()
    {
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), nonRetryable: ["System.ArgumentException"]);

        Assert.False(policy.IsRetryable(new ArgumentException("bad")));
        Assert.False(policy.IsRetryable(new ArgumentOutOfRangeException("n")));
        Assert.True(policy.IsRetryable(new InvalidOperationException("flaky")));
    }

    [Fact]
    public void Configured_parts_win_over_code_parts_which_win_over_the_defaults()
    {
        var configured = new TaskOptions { Attempts = 7 };
        var code = new TaskOptions { Attempts = 5, BackoffMax = TimeSpan.FromSeconds(9), AttemptTimeout = TimeSpan.FromSeconds(2) };

        var policy = RetryPolicy.Resolve("t", configured, code, Defaults);

        Assert.Equal((7, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(2)), (policy.Attempts, policy.BackoffMin, policy.BackoffMax, policy.AttemptTimeout));
        Assert.Same(Defaults, RetryPolicy.Resolve("t", null, null, Defaults));
    }

    [Fact]
    public void Parts_that_do_not_fit_together_name_the_task()
    {
        var error = Assert.Throws<ArgumentException>(() => RetryPolicy.Resolve("fetch", null, new TaskOptions { BackoffMax = TimeSpan.FromMilliseconds(10) }, Defaults));

        Assert.Contains("'fetch'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Task_policies_resolve_a_task_by_its_name_and_own_options()
    {
        var task = BrrrTask.Create<int, int>("slow", (_, a) => Task.FromResult(a), TaskOptions.NeverRetry(typeof(FormatException)) with { Attempts = 2 });
        var policies = new TaskPolicies(Defaults, new Dictionary<string, TaskOptions> { ["slow"] = new() { Attempts = 4 } });

        var policy = policies.For(task);

        Assert.Equal(4, policy.Attempts);
        Assert.False(policy.IsRetryable(new FormatException()));
        Assert.Same(policy, policies.For(task));
        Assert.Same(Defaults, policies.For(BrrrTask.Create<int, int>("plain", (_, a) => Task.FromResult(a))));
    }

    [Fact]
    public async Task In_memory_attempt_counts_expire_and_clear_apart_from_the_spawn_counters()
    {
        var clock = new ManualClock(1_000);
        var cache = new InMemoryCache(clock);
        var expiry = TimeSpan.FromSeconds(60);

        Assert.Equal(1, await cache.IncrAttemptsAsync("h", expiry));
        Assert.Equal(2, await cache.IncrAttemptsAsync("h", expiry));
        Assert.Equal(1, await cache.IncrAsync("h"));
        clock.Now += 61;
        Assert.Equal(1, await cache.IncrAttemptsAsync("h", expiry));
        await cache.ClearAttemptsAsync("h");
        Assert.Equal(1, await cache.IncrAttemptsAsync("h", expiry));
    }
}
