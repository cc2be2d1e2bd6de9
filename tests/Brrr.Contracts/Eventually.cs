using System.Diagnostics;

namespace Brrr.Contracts;

/// <summary>The wait-until loop of the tests: polls a condition every 20 ms up to a bound, instead of a fixed sleep.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(30);

    /// <summary>Returns once <paramref name="condition"/> holds.</summary>
    /// <param name="condition">What must become true.</param>
    /// <param name="what">What the condition means, for the failure message.</param>
    /// <param name="within">The longest wait; default 30 s.</param>
    /// <param name="notYet">Errors of <paramref name="condition"/> that count as "not yet" (say, a server that is still stalled); others are thrown.</param>
    /// <exception cref="TimeoutException">The condition did not hold in time; the message names <paramref name="what"/>.</exception>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null, Func<Exception, bool>? notYet = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var bound = within ?? DefaultBound;
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (notYet?.Invoke(e) == true)
            {
                last = e;
            }

            if (clock.Elapsed > bound)
            {
                throw new TimeoutException($"Not within {bound.TotalSeconds} s: {what}{(last is null ? "" : $" (last error: {last.GetType().Name}: {last.Message})")}.");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="HoldsAsync(Func{Task{bool}}, string, TimeSpan?, Func{Exception, bool}?)"/>
    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, within);
}
