using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>The fate of a failed call's message, decided without a runtime.</summary>
public sealed class FailurePolicyTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Expiry = TimeSpan.FromHours(1);
    private static readonly QueueDelivery Delivery = new("t", "li2e1:r1:he", Redelivered: false);
    private readonly InMemoryCache _cache = new();
    private readonly FailurePolicy _policy;

    public FailurePolicyTests() => _policy = PolicyOn(_cache, attempts: 3);

    private static FailurePolicy PolicyOn(ICache cache, int attempts, string suffix = ":dead-letters") =>
        new(new TaskPolicies(new RetryPolicy(attempts, Min, Max)), cache, Expiry, suffix, Min);

    private static TaskFailedException Thrown(int argument = 1, Exception? error = null, RetryPolicy? policy = null) =>
        new(JsonCodec.Default.EncodeCall("boom", argument), error ?? new InvalidOperationException("boom!")) { Policy = policy };

    [Fact]
    public async Task A_task_that_threw_goes_back_with_a_doubling_backoff_until_its_last_attempt_is_dead_lettered()
    {
        var decisions = new List<FailureDecision>();
        for (var i = 0; i < 3; i++)
        {
            decisions.Add(await _policy.DecideAsync(Delivery, Thrown()));
        }

        Assert.Equal(new FailureDecision(false, 1, Min, null), decisions[0]);
        Assert.Equal(new FailureDecision(false, 2, Min * 2, null), decisions[1]);
        Assert.Equal(new FailureDecision(true, 3, TimeSpan.Zero, "t:dead-letters"), decisions[2]);
    }

    [Fact]
    public async Task Attempts_are_counted_per_call_hash()
    {
        await _policy.DecideAsync(Delivery, Thrown(1));
        await _policy.DecideAsync(Delivery, Thrown(1));

        Assert.Equal(1, (await _policy.DecideAsync(Delivery, Thrown(2))).Attempt);
    }

    [Fact]
    public async Task Two_workers_sharing_a_cache_give_a_call_three_attempts_in_all_not_three_each()
    {
        var other = PolicyOn(_cache, attempts: 3);

        var first = await _policy.DecideAsync(Delivery, Thrown());
        var second = await other.DecideAsync(Delivery, Thrown());
        var third = await _policy.DecideAsync(Delivery, Thrown());

        Assert.Equal([(false, 1), (false, 2), (true, 3)], new[] { first, second, third }.Select(d => (d.Permanent, d.Attempt)));
    }

    [Fact]
    public async Task A_call_that_failed_for_good_starts_again_at_one_when_it_is_retried()
    {
        var once = PolicyOn(_cache, attempts: 1);
        Assert.True((await once.DecideAsync(Delivery, Thrown())).Permanent);

        Assert.Equal(1, await _cache.IncrAttemptsAsync(Thrown().CallHash, Expiry));
    }

    [Fact]
    public async Task A_non_retryable_exception_or_a_subtype_of_one_fails_for_good_at_its_first_throw()
    {
        var policy = new RetryPolicy(5, Min, Max, nonRetryable: [typeof(ArgumentException).FullName!]);

        var decision = await _policy.DecideAsync(Delivery, Thrown(error: new ArgumentNullException("x"), policy: policy));
        var retried = await _policy.DecideAsync(Delivery, Thrown(2, new InvalidOperationException("flaky"), policy));

        Assert.Equal(new FailureDecision(true, 1, TimeSpan.Zero, "t:dead-letters"), decision);
        Assert.False(retried.Permanent);
    }

    [Fact]
    public async Task A_failure_follows_the_policy_it_carries_over_the_defaults()
    {
        var patient = new RetryPolicy(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), backoffMultiplier: 3);

        var decisions = new List<FailureDecision>();
        for (var i = 0; i < 5; i++)
        {
            decisions.Add(await _policy.DecideAsync(Delivery, Thrown(policy: patient)));
        }

        Assert.Equal([1, 3, 9, 10, 0], decisions.Select(d => d.RetryAfter.TotalSeconds));
        Assert.Equal([false, false, false, false, true], decisions.Select(d => d.Permanent));
    }

    [Fact]
    public async Task A_malformed_message_an_unknown_task_a_missing_call_and_the_spawn_limit_fail_for_good_at_once()
    {
        Exception[] errors =
        [
            new ProtocolException("bad"), new TaskNotFoundException("nope", "t"), new CallNotFoundException("h"),
            new SpawnLimitException("r", 11, 10),
        ];

        foreach (var e in errors)
        {
            Assert.Equal(new FailureDecision(true, 1, TimeSpan.Zero, "t:dead-letters"), await _policy.DecideAsync(Delivery, e));
        }
    }

    [Fact]
    public async Task A_store_or_queue_failure_is_transient_and_counts_no_attempt()
    {
        Assert.Equal(new FailureDecision(false, 1, Min, null), await _policy.DecideAsync(Delivery, new IOException("connection reset")));
        Assert.Equal(new FailureDecision(false, 1, Min, null), await _policy.DecideAsync(Delivery, new TimeoutException()));
        Assert.Equal(1, (await _policy.DecideAsync(Delivery, Thrown())).Attempt);
    }

    [Fact]
    public async Task Without_a_dead_letter_suffix_a_permanent_failure_is_dropped()
    {
        var policy = PolicyOn(_cache, attempts: 1, suffix: "");

        Assert.Equal(new FailureDecision(true, 1, TimeSpan.Zero, null), await policy.DecideAsync(Delivery, Thrown()));
    }

    [Fact]
    public void Queue_errors_that_refuse_the_request_are_not_retried_and_others_are()
    {
        Assert.False(FailurePolicy.IsTransientQueueError(new ArgumentException("message too large")));
        Assert.False(FailurePolicy.IsTransientQueueError(new InvalidOperationException("not held")));
        Assert.False(FailurePolicy.IsTransientQueueError(new ObjectDisposedException("consumer")));
        Assert.True(FailurePolicy.IsTransientQueueError(new IOException("connection reset")));
        Assert.True(FailurePolicy.IsTransientQueueError(new TimeoutException()));
    }
}
