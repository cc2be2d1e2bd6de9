using Brrr;

namespace Brrr.Tests;

public sealed class BackoffTests
{
    [Fact]
    public void Retries_wait_the_first_wait_doubling_up_to_the_cap()
    {
        var waits = Enumerable.Range(1, 6).Select(r => Backoff.ForRetry(r, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000)).TotalMilliseconds);
        Assert.Equal([100, 200, 400, 800, 1000, 1000], waits);
        Assert.Equal(TimeSpan.FromSeconds(5), Backoff.ForRetry(int.MaxValue, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.ForRetry(0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void The_next_wait_doubles_until_the_cap()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(200), Backoff.Next(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(1), Backoff.Next(TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(1)));
    }
}
