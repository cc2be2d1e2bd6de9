using System.Collections.Concurrent;
using Brrr.ReadmeSamples;
using Brrr.TestKit;

namespace MyApp.Tests;

/// <summary>README.md, "What may run twice: idempotency rules": the notify task (samples/Brrr.ReadmeSamples/Failures.cs) run twice for one order.</summary>
public sealed class NotifySpec : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Notify_run_again_after_a_lost_answer_sends_the_same_key_and_charges_once()
    {
        var payments = new Payments();
        var notify = Failures.Notify(payments);
        await using var brrr = new LocalBrrr(Sys, "orders", notify);
        var order = new Order("order-7", 12.50m);

        Assert.True(await brrr.RunAsync(notify, order));

        var callHash = brrr.Backends.Codec.EncodeCall(notify.Name, order).CallHash;
        Assert.Equal(2, brrr.Executions["notify"]);
        Assert.Equal([callHash, callHash], payments.Keys);
        Assert.Equal([("order-7", 12.50m)], payments.Charged);
    }

    /// <summary>
    /// A provider that drops a second request with the same key, and whose first answer is lost on the way back: the
    /// charge is made, but the caller sees a timeout, so the task throws and runs again.
    /// </summary>
    private sealed class Payments : IPayments
    {
        private readonly ConcurrentQueue<string> _keys = new();
        private readonly ConcurrentDictionary<string, (string, decimal)> _charges = new(StringComparer.Ordinal);

        public IReadOnlyList<string> Keys => [.. _keys];

        public IReadOnlyList<(string OrderId, decimal Amount)> Charged => [.. _charges.Values];

        public Task ChargeAsync(string orderId, decimal amount, string idempotencyKey, CancellationToken cancellationToken)
        {
            _keys.Enqueue(idempotencyKey);
            var first = _charges.TryAdd(idempotencyKey, (orderId, amount));
            return first ? Task.FromException(new TimeoutException("the provider's answer was lost")) : Task.CompletedTask;
        }
    }
}
