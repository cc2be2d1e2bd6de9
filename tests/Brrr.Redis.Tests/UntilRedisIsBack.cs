using System.Diagnostics;
using StackExchange.Redis;

namespace Brrr.Redis.Tests;

/// <summary>Retries a step while a restarted redis-server comes back, as the worker runtime does: back off and try again.</summary>
internal static class UntilRedisIsBack
{
    /// <summary>How long a restarted server may take to answer again.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="action"/> until it completes without a Redis error.</summary>
    public static Task RetryAsync(Func<Task> action) => RetryAsync(
        async () =>
        {
            await action();
            return true;
        },
        _ => true);

    /// <summary>Runs <paramref name="action"/> until it answers without a Redis error and <paramref name="done"/> holds.</summary>
    /// <exception cref="TimeoutException">Not within <see cref="Patience"/>.</exception>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> action, Func<T, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var result = await action();
                if (done(result))
                {
                    return result;
                }
            }
            catch (Exception e) when ((e is RedisException or TimeoutException) && clock.Elapsed < Patience)
            {
                // Redis is still coming back.
            }

            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"Redis did not come back within {Patience.TotalSeconds} s.");
            }

            await Task.Delay(100);
        }
    }
}
