using Brrr.Backends;

namespace Brrr.Tests;

/// <summary>The step-by-step get-or-set-new-value over a store whose reads lag its writes, as eventually consistent ones may.</summary>
public sealed class StoreStepsTests
{
    private static readonly MemKey s_key = MemKey.PendingReturnsOf("lagging-child");

    [Fact]
    public async Task Get_or_set_new_value_reads_again_while_the_reads_miss_a_value_that_is_there()
    {
        var inner = new InMemoryStore();
        await inner.SetAsync(s_key, [1, 2, 3]);
        var lagging = new LaggingStore(inner, misses: 3);

        var current = await StoreSteps.GetOrSetNewValueAsync(lagging, s_key, [9]);

        Assert.Equal(new byte[] { 1, 2, 3 }, current);
        Assert.Equal(4, lagging.Reads);
        Assert.Equal(new byte[] { 1, 2, 3 }, await inner.GetAsync(s_key));
    }

    [Fact]
    public async Task Get_or_set_new_value_gives_up_after_ten_rounds_when_its_reads_never_see_the_value_its_set_finds()
    {
        var inner = new InMemoryStore();
        await inner.SetAsync(s_key, [1]);
        var lagging = new LaggingStore(inner, misses: int.MaxValue);

        var error = await Assert.ThrowsAsync<BrrrException>(() => StoreSteps.GetOrSetNewValueAsync(lagging, s_key, [9]));

        Assert.Equal(StoreSteps.GetOrSetNewValueRounds, lagging.Reads);
        Assert.Contains($"Get-or-set-new-value of {s_key} read no value yet found one when setting, 10 times in a row", error.Message, StringComparison.Ordinal);
        Assert.Contains("consistent-reads", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_waits_between_rounds_start_at_10_ms_double_and_are_capped_at_500_ms()
    {
        Assert.Equal(
            new[] { 10.0, 20, 40, 80, 160, 320, 500, 500 },
            Enumerable.Range(1, StoreSteps.GetOrSetNewValueRounds - 2).Select(wait => StoreSteps.LaggingReadDelay(wait).TotalMilliseconds));
    }
}
