// README.md, "Failures a workflow can see" and "What may run twice: idempotency rules".
// Run by samples/Brrr.Samples.Tests (CarefulSpec, NotifySpec), which compiles this file.
using Brrr.Tasks;

namespace Brrr.ReadmeSamples;

/// <summary>The README's parent with a fallback, and the child it calls.</summary>
public static class SquareRoots
{
    // Throws for a negative n on each of its attempts (3 by default), then it fails for good.
    public static readonly BrrrTask<int, int> Sqrt = BrrrTask.Create<int, int>("sqrt", (ctx, n) =>
        Task.FromResult(n >= 0 ? (int)Math.Sqrt(n) : throw new ArgumentOutOfRangeException(nameof(n), n, "no square root")));

    public static readonly BrrrTask<int, int> Careful = BrrrTask.Create<int, int>("careful", async (ctx, n) =>
    {
        try
        {
            return await ctx.Call(Sqrt, n);
        }
        catch (ChildFailedException)
        {
            return -1;
        }
    });
}

/// <summary>The README's failure snippets, in methods that give them the names they use.</summary>
public static class Failures
{
    /// <summary>
    /// The README's client side of a failure, on a worker serving <see cref="SquareRoots"/> on <c>my-topic</c>: the value
    /// of <c>careful(-4)</c>, the status of its failed child <c>sqrt(-4)</c>, and the root id of that child's retry.
    /// </summary>
    public static async Task<(int Value, CallStatus<int> Status, string? RootId)> CarefulAsync(BrrrClient client)
    {
        // No ActorSystem needed: schedule, wait (polls with backoff, stops at once on an error record), status, retry.
        await client.ScheduleAsync(SquareRoots.Careful, -4, "my-topic");
        var value = await client.WaitAsync(SquareRoots.Careful, -4, TimeSpan.FromSeconds(30));  // -1, the fallback (a call that failed throws CallFailedException)
        var status = await client.GetStatusAsync(SquareRoots.Sqrt, -4);  // CallState.Failed, status.Error (type, message, causes); or Completed / Pending
        var rootId = await client.RetryAsync(SquareRoots.Sqrt, -4, "my-topic");  // deletes the failed chain's error records, runs it again under a new root
        return (value, status, rootId);
    }

    /// <summary>A side effect made idempotent with the call hash.</summary>
    public static BrrrTask<Order, bool> Notify(IPayments payments)
    {
        var notify = BrrrTask.Create<Order, bool>("notify", async (ctx, order) =>
        {
            // The payment provider drops a second request with the same key: a re-run cannot charge twice.
            await payments.ChargeAsync(order.Id, order.Amount, idempotencyKey: ctx.CurrentCall.CallHash, ctx.CancellationToken);
            return true;
        });
        return notify;
    }
}

/// <summary>An order, for the idempotency snippet.</summary>
public sealed record Order(string Id, decimal Amount);

/// <summary>A payment provider that drops a second request with the same idempotency key.</summary>
public interface IPayments
{
    /// <summary>Charges <paramref name="amount"/> for <paramref name="orderId"/> once per <paramref name="idempotencyKey"/>.</summary>
    Task ChargeAsync(string orderId, decimal amount, string idempotencyKey, CancellationToken cancellationToken);
}
