using Brrr.Backends;
using Brrr.Codecs;

namespace Brrr.Tests;

/// <summary>The fate of a failed call's message, decided without a runtime.</summary>
public sealed class FailurePolicyTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromMilliseconds(300);
    private static readonly QueueDelivery Delivery = new("t", "li2e1:r1:he", Redelivered: false);
    private readonly FailurePolicy _policy = new(taskAttempts: 3, ":dead-letters", Min, Max);

    private static TaskFailedException Thrown() =>
        new(JsonCodec.Default.EncodeCall("boom", 1), new InvalidOperationException("boom!"));

    [Fact]
    public void A_task_that_threw_goes_back_with_a_doubling_backoff_until_its_last_attempt_is_dead_lettered()
    {
        var decisions = Enumerable.Range(0, 3).Select(_ => _policy.Decide(Delivery, Thrown())).ToArray();

        Assert.Equal(new FailureDecision(false, 1, Min, null), decisions[0]);
        Assert.Equal(new FailureDecision(false, 2, Min * 2, null), decisions[1]);
        Assert.Equal(new FailureDecision(true, 3, TimeSpan.Zero, "t:dead-letters"), decisions[2]);
    }

    [Fact]
    public void Attempts_are_counted_per_message()
    {
        _policy.Decide(Delivery, Thrown());
        _policy.Decide(Delivery, Thrown());

        Assert.Equal(1, _policy.Decide(Delivery with { Message = "li2e1:r1:ge" }, Thrown()).Attempt);
    }

    [Fact]
    public void A_malformed_message_an_unknown_task_a_missing_call_and_the_spawn_limit_fail_for_good_at_once()
    {
        Exception[] errors =
        [
            new ProtocolException("bad"), new TaskNotFoundException("nope", "t"), new CallNotFoundException("h"),
            new SpawnLimitException("r", 11, 10),
        ];

        Assert.All(errors, e => Assert.Equal(new FailureDecision(true, 1, TimeSpan.Zero, "t:dead-letters"), _policy.Decide(Delivery, e)));
    }

    [Fact]
    public void A_store_or_queue_failure_is_transient_and_backs_off_up_to_the_cap()
    {
        Assert.Equal(new FailureDecision(false, 1, Min, null), _policy.Decide(Delivery, new IOException("connection reset")));
        Assert.Equal(new FailureDecision(false, 1, Min, null), _policy.Decide(Delivery, new TimeoutException()));
        var patient = new FailurePolicy(9, "", Min, Max);
        var waits = Enumerable.Range(0, 4).Select(_ => patient.Decide(Delivery, Thrown()).RetryAfter).ToArray();
        Assert.Equal([Min, Min * 2, Max, Max], waits);
    }

    [Fact]
    public void Without_a_dead_letter_suffix_a_permanent_failure_is_dropped()
    {
        var policy = new FailurePolicy(1, "", Min, Max);

        Assert.Equal(new FailureDecision(true, 1, TimeSpan.Zero, null), policy.Decide(Delivery, Thrown()));
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
