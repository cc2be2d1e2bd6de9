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

    private readonly SqsQueue _queue;
    private readonly Lock _gate = new();
    private readonly Dictionary<QueueDelivery, string> _held = new(ReferenceEqualityComparer.Instance);
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
            var wait = remaining <= TimeSpan.Zero ? 0 : (int)Math.Min(Math.Floor(remaining.TotalSeconds), SqsQueueSettings.MaxLongPoll.TotalSeconds);
            var (admitted, full) = await ReceiveOnceAsync(url, Math.Min(max, SqsQueue.MaxBatchEntries), wait, cancellationToken).ConfigureAwait(false);
            taken.AddRange(admitted);
            if (taken.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return await TakeMoreAsync(url, taken, full, max, cancellationToken).ConfigureAwait(false);
            }

            if (wait == 0)
            {
                var pause = deadline - _queue.Time.GetUtcNow();
                await Task.Delay(pause < ShortPollPause ? pause < TimeSpan.Zero ? TimeSpan.Zero : pause : ShortPollPause, _queue.Time, cancellationToken).ConfigureAwait(false);
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

    public async Task AckAsync(QueueDelivery delivery, CancellationToken cancellationToken = default) =>
        await _queue.DeleteAsync(_url!, Take(delivery), cancellationToken).ConfigureAwait(false);

    /// <summary>Makes the message visible again at once (SQS has no head to put it back at: it is received again soon, marked redelivered by its receive count).</summary>
    public async Task ReleaseAsync(QueueDelivery delivery, CancellationToken cancellationToken = default) =>
        await _queue.ChangeVisibilityAsync(_url!, Take(delivery), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);

    /// <summary>Sends a delayed copy marked redelivered, then deletes the message: a crash between the two delivers it twice, never zero times.</summary>
    public async Task ReleaseAsync(QueueDelivery delivery, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        var receipt = Take(delivery);
        await _queue.SendAsync(Topic, delivery.Message, notBefore - _queue.Time.GetUtcNow(), notBefore, redelivered: true, cancellationToken).ConfigureAwait(false);
        await _queue.DeleteAsync(_url!, receipt, cancellationToken).ConfigureAwait(false);
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
            receipts = [.. _held.Values];
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
                _held.Add(delivery, message.ReceiptHandle);
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

    private bool StillHeld(string receipt)
    {
        lock (_gate)
        {
            return _held.ContainsValue(receipt);
        }
    }

    /// <summary>Stops holding <paramref name="delivery"/> and returns its receipt handle.</summary>
    private string Take(QueueDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        lock (_gate)
        {
            return _held.Remove(delivery, out var receipt)
                ? receipt
                : throw new InvalidOperationException($"This consumer of topic '{Topic}' does not hold that delivery (it was acknowledged or released already, or came from another consumer).");
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
                receipts = [.. _held.Values];
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
}
