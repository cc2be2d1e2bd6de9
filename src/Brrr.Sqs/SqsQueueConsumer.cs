using System.Globalization;
using Amazon.SQS.Model;
using Brrr.Backends;
using Microsoft.Extensions.Logging;

namespace Brrr.Sqs;

/// <summary>
/// One consumer of one topic's SQS queue (<see cref="SqsQueue.CreateConsumer"/>). It receives up to 10 messages per
/// long poll, keeps each one's receipt handle while it holds it, and every third of the visibility timeout extends the
/// visibility of all it holds, so a long call is not delivered to another consumer meanwhile. Disposing it gives back
/// what it still holds; a consumer that dies without that gives its messages back once their visibility runs out.
/// </summary>
internal sealed class SqsQueueConsumer : IDelayedQueueConsumer
{
    private static readonly TimeSpan ShortPollPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongPollSlack = TimeSpan.FromMilliseconds(50);

    private readonly SqsQueue _queue;
    private readonly Lock _gate = new();
    private readonly Dictionary<QueueDelivery, Held> _held = new(ReferenceEqualityComparer.Instance);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _extending;
    private string? _url;

    public SqsQueueConsumer(SqsQueue queue, string topic)
    {
        _queue = queue;
        Topic = topic;
        _extending = ExtendLoopAsync(_stop.Token);
    }

    public string Topic { get; }

    private TimeSpan Visibility => _queue.Settings.VisibilityTimeout;

    public async Task<QueueDelivery?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (await ReceiveManyAsync(1, timeout, cancellationToken).ConfigureAwait(false)) is [var delivery, ..] ? delivery : null;

    /// <summary>
    /// Long polls for up to <paramref name="timeout"/> (in whole seconds, as SQS waits; below a second, short polls every
    /// 100 ms), then takes more of what waits with polls that do not wait, while each comes back full, up to <paramref name="max"/>.
    /// </summary>
    public async Task<IReadOnlyList<QueueDelivery>> ReceiveManyAsync(int max, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var url = _url ??= await _queue.UrlAsync(Topic, cancellationToken).ConfigureAwait(false);
        var deadline = _queue.Time.GetUtcNow() + timeout;
        var taken = new List<QueueDelivery>();
        while (true)
        {
            var remaining = deadline - _queue.Time.GetUtcNow();
            // Whole seconds, as SQS waits; the time already spent since the deadline was set (a few ms) does not make a
            // 1 s timeout a sub-second one.
            var wait = remaining <= TimeSpan.Zero ? 0 : (int)Math.Min(Math.Floor((remaining + LongPollSlack).TotalSeconds), SqsQueueSettings.MaxLongPoll.TotalSeconds);
            var (admitted, full) = await ReceiveOnceAsync(url, Math.Min(max, SqsQueue.MaxBatchEntries), wait, cancellationToken).ConfigureAwait(false);
            taken.AddRange(admitted);
            if (taken.Count > 0)
            {
                return await TakeMoreAsync(url, taken, full, max, cancellationToken).ConfigureAwait(false);
            }

            // An empty long poll ends the wait when less than a second is left (one request per idle receive, not a
            // trailing short poll); below a second, short polls every 100 ms until the deadline.
            var left = deadline - _queue.Time.GetUtcNow();
            if (left <= TimeSpan.Zero || (wait > 0 && left < TimeSpan.FromSeconds(1)))
            {
                return taken;
            }

            if (wait == 0)
            {
                await Task.Delay(left < ShortPollPause ? left : ShortPollPause, _queue.Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Without waiting, takes more while the queue gives full batches. The messages taken are held already, so a failed
    /// or cancelled receive ends the taking and they are returned, never left held by nobody.
    /// </summary>
    private async Task<IReadOnlyList<QueueDelivery>> TakeMoreAsync(string url, List<QueueDelivery> taken, bool full, int max, CancellationToken cancellationToken)
    {
        try
        {
            while (full && taken.Count < max)
            {
                (var admitted, full) = await ReceiveOnceAsync(url, Math.Min(max - taken.Count, SqsQueue.MaxBatchEntries), 0, cancellationToken).ConfigureAwait(false);
                taken.AddRange(admitted);
            }
        }
        catch (Exception e) when (taken.Count > 0)
        {
            _queue.Logger.LogDebug(e, "A receive of consumer of topic {Topic} failed after it took {Count} message(s); they are delivered.", Topic, taken.Count);
        }

        return taken;
    }

    /// <summary>
    /// Deletes the message. The consumer holds it until SQS confirms, so a failed acknowledgement can be tried again; a
    /// receipt handle gone stale (the visibility ran out, so SQS gives the message back anyway) counts as settled.
    /// </summary>
    public async Task AckAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
    {
        var held = Find(delivery);
        await SettleAsync(delivery, held, () => _queue.DeleteAsync(_url!, held.Receipt, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the message visible again at once (SQS has no head to put it back at: it is received again soon, marked
    /// redelivered by its receive count). Held until SQS confirms, as <see cref="AckAsync"/>.
    /// </summary>
    public async Task ReleaseAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
    {
        var held = Find(delivery);
        await SettleAsync(delivery, held, () => _queue.ChangeVisibilityAsync(_url!, held.Receipt, TimeSpan.Zero, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a delayed copy marked redelivered, then deletes the message: a crash between the two delivers it twice,
    /// never zero times. A retry after a failed delete does not send a second copy.
    /// </summary>
    public async Task ReleaseAsync(QueueDelivery delivery, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        var held = Find(delivery);
        await SettleAsync(delivery, held, async () =>
        {
            if (!held.CopySent)
            {
                await _queue.SendAsync(Topic, delivery.Message, notBefore - _queue.Time.GetUtcNow(), notBefore, redelivered: true, cancellationToken).ConfigureAwait(false);
                held.CopySent = true;
            }

            await _queue.DeleteAsync(_url!, held.Receipt, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Stops extending and gives back at once what the consumer still holds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _extending.ConfigureAwait(false);
        string[] receipts;
        lock (_gate)
        {
            receipts = [.. _held.Values.Select(h => h.Receipt)];
            _held.Clear();
        }

        _stop.Dispose();
        try
        {
            await Task.WhenAll(receipts.Select(r => _queue.ChangeVisibilityAsync(_url!, r, TimeSpan.Zero, CancellationToken.None))).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _queue.Logger.LogWarning(
                "Could not give back the {Count} message(s) a disposed consumer of topic {Topic} held; they come back once their visibility ({Visibility}) runs out: {Error}: {Message}",
                receipts.Length, Topic, Visibility, e.GetType().Name, e.Message);
        }
    }

    /// <summary>One receive; the messages admitted (those not re-delayed) and whether SQS returned as many as asked for.</summary>
    private async Task<(List<QueueDelivery> Admitted, bool Full)> ReceiveOnceAsync(string url, int max, int waitSeconds, CancellationToken cancellationToken)
    {
        var request = new ReceiveMessageRequest
        {
            QueueUrl = url,
            MaxNumberOfMessages = max,
            WaitTimeSeconds = waitSeconds,
            VisibilityTimeout = (int)Visibility.TotalSeconds,
            MessageSystemAttributeNames = ["ApproximateReceiveCount"],
            MessageAttributeNames = [SqsQueue.NotBeforeAttribute, SqsQueue.RedeliveredAttribute],
        };
        var messages = (await _queue.Client.ReceiveMessageAsync(request, cancellationToken).ConfigureAwait(false)).Messages ?? [];
        var admitted = new List<QueueDelivery>(messages.Count);
        foreach (var message in messages)
        {
            if (Due(message) is { } notBefore && notBefore > _queue.Time.GetUtcNow())
            {
                await SendOnAsync(url, message, notBefore).ConfigureAwait(false);
                continue;
            }

            var receives = message.Attributes is { } system && system.TryGetValue("ApproximateReceiveCount", out var count) ? int.Parse(count, CultureInfo.InvariantCulture) : 1;
            var delivery = new QueueDelivery(Topic, message.Body, Redelivered: receives > 1 || Attribute(message, SqsQueue.RedeliveredAttribute) is not null);
            lock (_gate)
            {
                _held.Add(delivery, new Held(message.ReceiptHandle));
            }

            admitted.Add(delivery);
        }

        return (admitted, messages.Count == max);
    }

    /// <summary>
    /// A message delayed past SQS's 15 minutes and received early: sends it on for the rest, then drops this copy. Not
    /// cancelled halfway (the other messages of the receive are held already); on failure the copy stays and comes back
    /// after its visibility timeout, to be sent on then.
    /// </summary>
    private async Task SendOnAsync(string url, Message message, DateTimeOffset notBefore)
    {
        try
        {
            var redelivered = Attribute(message, SqsQueue.RedeliveredAttribute) is not null;
            await _queue.SendAsync(Topic, message.Body, notBefore - _queue.Time.GetUtcNow(), notBefore, redelivered, CancellationToken.None).ConfigureAwait(false);
            await _queue.DeleteAsync(url, message.ReceiptHandle, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _queue.Logger.LogWarning(
                "Could not send on a message of topic {Topic} due at {NotBefore:O}; it comes back after its visibility timeout ({Visibility}) and is sent on then: {Error}: {Message}",
                Topic, notBefore, Visibility, e.GetType().Name, e.Message);
        }
    }

    private static string? Attribute(Message message, string name) =>
        message.MessageAttributes is { } attributes && attributes.TryGetValue(name, out var value) ? value.StringValue : null;

    private static DateTimeOffset? Due(Message message) =>
        Attribute(message, SqsQueue.NotBeforeAttribute) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    /// <summary>Whether the message of <paramref name="receipt"/> is held and not being acknowledged or released.</summary>
    private bool StillHeld(string receipt)
    {
        lock (_gate)
        {
            return _held.Values.Any(h => h.Receipt == receipt && !h.Settling);
        }
    }

    /// <summary>What the consumer keeps of <paramref name="delivery"/> while it holds it.</summary>
    private Held Find(QueueDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        lock (_gate)
        {
            return _held.TryGetValue(delivery, out var held)
                ? held
                : throw new InvalidOperationException($"This consumer of topic '{Topic}' does not hold that delivery (it was acknowledged or released already, or came from another consumer).");
        }
    }

    /// <summary>
    /// Stops holding <paramref name="delivery"/> once <paramref name="request"/> (its delete or visibility change) went
    /// through, or SQS answered that its receipt handle is stale: the visibility ran out and SQS gives the message back
    /// by itself, so there is nothing left to settle. Any other failure leaves it held, for the caller to try again.
    /// </summary>
    private async Task SettleAsync(QueueDelivery delivery, Held held, Func<Task> request)
    {
        // No visibility extension starts for it meanwhile, and one already under way is no failure to warn about.
        held.Settling = true;
        try
        {
            await request().ConfigureAwait(false);
        }
        catch (SqsEntryException e) when (e.Code is "ReceiptHandleIsInvalid" or "MessageNotInflight")
        {
            _queue.Logger.LogDebug("A message of topic {Topic} was settled after its visibility ran out ({Code}): SQS delivers it again.", Topic, e.Code);
        }
        catch
        {
            held.Settling = false;
            throw;
        }

        lock (_gate)
        {
            _held.Remove(delivery);
        }
    }

    private async Task ExtendLoopAsync(CancellationToken stop)
    {
        var every = Visibility / 3;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, _queue.Time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            string[] receipts;
            lock (_gate)
            {
                receipts = [.. _held.Values.Where(h => !h.Settling).Select(h => h.Receipt)];
            }

            var extended = receipts.Select(async receipt =>
            {
                try
                {
                    await _queue.ChangeVisibilityAsync(_url!, receipt, Visibility, CancellationToken.None).ConfigureAwait(false);
                    return null;
                }
                catch (Exception e) when (StillHeld(receipt))
                {
                    return e;
                }
                catch (Exception)
                {
                    // Acknowledged or released while its visibility was being extended: nothing was lost.
                    return null;
                }
            });
            var failures = (await Task.WhenAll(extended).ConfigureAwait(false)).OfType<Exception>().ToList();
            if (failures.Count > 0)
            {
                _queue.Logger.LogWarning(
                    "Could not extend the visibility of {Count} of the {Held} message(s) a consumer of topic {Topic} holds; another consumer may receive them meanwhile: {Error}: {Message}",
                    failures.Count, receipts.Length, Topic, failures[0].GetType().Name, failures[0].Message);
            }
        }
    }

    /// <summary>What the consumer keeps of a message it holds.</summary>
    private sealed class Held(string receipt)
    {
        /// <summary>The receipt handle of this receive of the message.</summary>
        public string Receipt { get; } = receipt;

        /// <summary>Whether its delayed copy was sent already (<c>ReleaseAsync(delivery, notBefore)</c>), so a retry sends no second one.</summary>
        public bool CopySent { get; set; }

        /// <summary>Whether an acknowledgement or release of it is under way (its visibility is then no longer extended).</summary>
        public volatile bool Settling;
    }
}
