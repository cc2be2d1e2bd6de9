// README.md, "Failures a workflow can see" and "What may run twice: idempotency rules".
using Brrr.Tasks;

namespace Brrr.ReadmeSamples;

/// <summary>The README's failure snippets, in methods that give them the names they use.</summary>
public static class Failures
{
    /// <summary>A parent with a fallback, then status, wait and retry from a client.</summary>
    public static async Task CarefulAsync(BrrrClient client, BrrrTask<int, int> fib)
    {
        var careful = BrrrTask.Create<int, int>("careful", async (ctx, n) =>
        {
            try
            {
                return await ctx.Call(fib, n);
            }
            catch (ChildFailedException)
            {
                return -1;
            }
        });

        // No ActorSystem needed: status, wait (polls with backoff, stops at once on an error record), retry.
        var status = await client.GetStatusAsync(careful, 10);   // CallState.Completed / Failed (status.Error.Causes) / Pending
        var value = await client.WaitAsync(careful, 10, TimeSpan.FromSeconds(30));  // or throws CallFailedException
        var rootId = await client.RetryAsync(careful, 10, "my-topic");  // deletes the failed chain's error records, new root
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
