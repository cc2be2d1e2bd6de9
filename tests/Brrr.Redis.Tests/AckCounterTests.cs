using Brrr.Backends;

namespace Brrr.Redis.Tests;

/// <summary>The acknowledgement history a Redis consumer carries in its heartbeat, without Redis.</summary>
public sealed class AckCounterTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Counts_land_in_epoch_aligned_ten_second_buckets_and_roll_out_after_five_minutes()
    {
        var clock = new Clock(Noon.AddSeconds(3));
        var counter = new AckCounter(clock);
        counter.Add();
        counter.Add();
        clock.Now = Noon.AddSeconds(25);
        counter.Add();

        var history = AckCounter.Parse(counter.Format())!;

        Assert.Equal(Noon.AddSeconds(20) - (AckCounter.BucketLength * (AckCounter.Buckets - 1)), history.Start);
        Assert.Equal(Noon.AddSeconds(30), history.End);
        Assert.Equal([2, 0, 1], history.Counts.Skip(AckCounter.Buckets - 3));
        Assert.Equal(3, history.CountOver(TimeSpan.FromMinutes(1)));
        Assert.Equal(1, history.CountOver(TimeSpan.FromSeconds(10)));

        // Five minutes on, the old buckets are gone even though their slots were never written again.
        clock.Now = Noon.AddMinutes(5).AddSeconds(21);
        counter.Add();
        var later = AckCounter.Parse(counter.Format())!;
        Assert.Equal(1, later.Counts.Sum());
        Assert.Equal(1, later.Counts[^1]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("acks/v1")]
    [InlineData("acks/v1 1764849600 10")]
    [InlineData("acks/v2 1764849600 10 1 2")]
    [InlineData("acks/v1 1764849600 0 1 2")]
    [InlineData("acks/v1 -5 10 1 2")]
    [InlineData("acks/v1 1764849600 10 1 -2")]
    [InlineData("acks/v1 1764849600 10 1 x")]
    [InlineData("acks/v1 99999999999999999999 10 1")]
    [InlineData("acks/v1 1764849600 10 1  2")]
    public void A_heartbeat_value_without_a_readable_history_has_none(string? value) => Assert.Null(AckCounter.Parse(value));

    [Fact]
    public void Histories_of_several_consumers_add_up_bucket_by_bucket_aligned_on_the_newest()
    {
        var ten = TimeSpan.FromSeconds(10);
        var a = new AckHistory(Noon, ten, [1, 2, 3]);
        var b = new AckHistory(Noon.AddSeconds(10), ten, [10, 20, 30]);
        var odd = new AckHistory(Noon, TimeSpan.FromSeconds(60), [100]);

        var sum = AckHistory.Sum([a, null, b, odd], 4)!;

        Assert.Equal(Noon, sum.Start);
        Assert.Equal([1, 12, 23, 30], sum.Counts);
        Assert.Equal(53, sum.CountOver(TimeSpan.FromSeconds(15)));
        Assert.Null(AckHistory.Sum([null], 4));
        Assert.Equal([23, 30], AckHistory.Sum([a, b], 2)!.Counts);
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
