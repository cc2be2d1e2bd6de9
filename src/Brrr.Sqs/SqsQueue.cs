using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Brrr.Backends;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brrr.Sqs;

/// <summary>
/// A brrr queue on Amazon SQS: one standard queue per topic (named by <see cref="SqsQueueSettings.QueueName"/>),
/// at-least-once. A consumer keeps each message's receipt handle, extends its visibility while it holds it, deletes it
/// on acknowledgement and makes it visible again on release. Concurrent pushes, acknowledgements and releases on one
/// queue leave as batch requests of up to 10. Delays use SQS's own <c>DelaySeconds</c> (up to 15 minutes; a consumer
/// re-delays a message received before a longer due time), so <see cref="PromoteDueAsync"/> has nothing to do. Thread safe.
/// </summary>
/// <remarks>
/// SQS standard queues keep no strict order and may, rarely, deliver a message twice; brrr's protocol needs neither
/// (a call is memoized by its hash, a duplicate job only re-reads its value). Queue depths come from the queue's
/// approximate attributes. The queue has no operator view of what waits or who holds it (<see cref="IQueueAdmin"/>):
/// SQS cannot read a message without receiving it.
/// </remarks>
public sealed class SqsQueue : IDelayedQueue, IAsyncDisposable
{
    /// <summary>Message attribute of a message delayed past SQS's 15 minutes: its due time in Unix milliseconds.</summary>
    internal const string NotBeforeAttribute = "brrr-not-before";

    /// <summary>Message attribute of a message given back for later (a retry waiting out its backoff): it comes back marked redelivered.</summary>
    internal const string RedeliveredAttribute = "brrr-redelivered";

    /// <summary>The most entries SQS takes in one batch request, and the most messages in one receive.</summary>
    internal const int MaxBatchEntries = 10;

    private readonly IAmazonSQS _client;
    private readonly bool _ownsClient;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _urls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SqsBatcher<SendMessageBatchRequestEntry>> _sends = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SqsBatcher<DeleteMessageBatchRequestEntry>> _deletes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SqsBatcher<ChangeMessageVisibilityBatchRequestEntry>> _visibility = new(StringComparer.Ordinal);
    private long _entryIds;

    /// <summary>A queue over <paramref name="client"/>, which the caller keeps and disposes.</summary>
    /// <param name="client">The SQS client.</param>
    /// <param name="settings">Names, visibility and limits; <see cref="SqsQueueSettings.Default"/> when null.</param>
    /// <param name="loggerFactory">Where consumers log what they could not do (extend a visibility, give messages back).</param>
    /// <param name="timeProvider">The clock for due times; the system clock when null.</param>
    public SqsQueue(IAmazonSQS client, SqsQueueSettings? settings = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(client, ownsClient: false, settings, loggerFactory, timeProvider)
    {
    }

    private SqsQueue(IAmazonSQS client, bool ownsClient, SqsQueueSettings? settings, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        Settings = settings ?? SqsQueueSettings.Default;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqsQueue>();
        Time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The queue's settings.</summary>
    public SqsQueueSettings Settings { get; }

    internal IAmazonSQS Client => _client;

    internal ILogger Logger { get; }

    internal TimeProvider Time { get; }

    /// <summary>
    /// A queue with its own SQS client for <paramref name="settings"/> (region or local endpoint, retries, timeouts),
    /// disposed with the queue. Without <paramref name="credentials"/> the standard AWS credential chain is used
    /// (environment, profile, container or instance role).
    /// </summary>
    /// <param name="settings">Where to connect and how.</param>
    /// <param name="credentials">Explicit credentials (e.g. dummy <see cref="BasicAWSCredentials"/> for a local server), or <c>null</c>.</param>
    /// <param name="loggerFactory">Where consumers log.</param>
    public static SqsQueue Create(SqsQueueSettings settings, AWSCredentials? credentials = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = new AmazonSQSConfig
        {
            MaxErrorRetry = settings.MaxErrorRetries,
            RetryMode = settings.RetryMode,
            Timeout = settings.RequestTimeout + SqsQueueSettings.MaxLongPoll,
        };
        if (settings.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            // Requests to a local server are still signed; any region name does when none is configured.
            config.AuthenticationRegion = settings.Region ?? "us-east-1";
        }
        else if (settings.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        var client = credentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(credentials, config);
        return new SqsQueue(client, ownsClient: true, settings, loggerFactory, timeProvider: null);
    }

    /// <inheritdoc />
    public Task PushAsync(string topic, string message, CancellationToken cancellationToken = default) =>
        SendAsync(topic, message, delay: TimeSpan.Zero, notBefore: null, redelivered: false, cancellationToken);

    /// <inheritdoc />
    public Task PushAsync(string topic, string message, DateTimeOffset notBefore, CancellationToken cancellationToken = default) =>
        SendAsync(topic, message, notBefore - Time.GetUtcNow(), notBefore, redelivered: false, cancellationToken);

    /// <inheritdoc />
    public IQueueConsumer CreateConsumer(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        return new SqsQueueConsumer(this, topic);
    }

    /// <summary>
    /// The topic's approximate depth from its queue's attributes: waiting is <c>ApproximateNumberOfMessages</c>, in flight
    /// <c>ApproximateNumberOfMessagesNotVisible</c>. A topic whose queue does not exist has neither (and is not created).
    /// </summary>
    public async Task<QueueStats> GetStatsAsync(string topic, CancellationToken cancellationToken = default)
    {
        var attributes = await AttributesAsync(topic, cancellationToken).ConfigureAwait(false);
        return new QueueStats(topic, Count(attributes, "ApproximateNumberOfMessages"), Count(attributes, "ApproximateNumberOfMessagesNotVisible"));
    }

    /// <summary>Nothing to promote: SQS delivers delayed messages itself. Always 0.</summary>
    public Task<int> PromoteDueAsync(string topic, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return Task.FromResult(0);
    }

    /// <summary>The topic's <c>ApproximateNumberOfMessagesDelayed</c> (a message re-delayed past 15 minutes counts once it is sent again).</summary>
    public async Task<long> CountDelayedAsync(string topic, CancellationToken cancellationToken = default) =>
        Count(await AttributesAsync(topic, cancellationToken).ConfigureAwait(false), "ApproximateNumberOfMessagesDelayed");

    /// <summary>Disposes the SQS client when the queue made it (<see cref="Create"/>).</summary>
    public ValueTask DisposeAsync()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="topic"/>'s queue after <paramref name="delay"/> (SQS's own delay,
    /// rounded up to whole seconds and at most 15 minutes; the due time <paramref name="notBefore"/> travels with a longer one).
    /// </summary>
    internal async Task SendAsync(string topic, string message, TimeSpan delay, DateTimeOffset? notBefore, bool redelivered, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        var entry = new SendMessageBatchRequestEntry { MessageBody = message };
        if (delay > TimeSpan.Zero)
        {
            entry.DelaySeconds = (int)Math.Ceiling(Math.Min(delay.TotalSeconds, SqsQueueSettings.MaxNativeDelay.TotalSeconds));
            if (delay > SqsQueueSettings.MaxNativeDelay && notBefore is { } due)
            {
                Attribute(entry, NotBeforeAttribute, "Number", due.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            }
        }

        if (redelivered)
        {
            Attribute(entry, RedeliveredAttribute, "String", "1");
        }

        var bytes = CheckMessage(topic, entry);
        var url = await UrlAsync(topic, cancellationToken).ConfigureAwait(false);
        var sends = _sends.GetOrAdd(url, u => new SqsBatcher<SendMessageBatchRequestEntry>(4, batch => SendBatchAsync(u, batch)));
        await sends.AddAsync(entry, bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a received message (its acknowledgement), batched with the other deletes on its queue.</summary>
    internal Task DeleteAsync(string url, string receiptHandle, CancellationToken cancellationToken)
    {
        var deletes = _deletes.GetOrAdd(url, u => new SqsBatcher<DeleteMessageBatchRequestEntry>(4, async batch =>
        {
            var request = new DeleteMessageBatchRequest { QueueUrl = u, Entries = Numbered(batch, (e, id) => e.Id = id) };
            var response = await WithinRequestTimeoutAsync("DeleteMessageBatch", u, token => _client.DeleteMessageBatchAsync(request, token)).ConfigureAwait(false);
            return Outcomes(u, batch.Select(e => e.Id), response.Failed);
        }));
        return deletes.AddAsync(new DeleteMessageBatchRequestEntry { ReceiptHandle = receiptHandle }, 0, cancellationToken);
    }

    /// <summary>Sets the visibility of a received message (0: give it back now), batched with the others on its queue.</summary>
    internal Task ChangeVisibilityAsync(string url, string receiptHandle, TimeSpan visibility, CancellationToken cancellationToken)
    {
        var changes = _visibility.GetOrAdd(url, u => new SqsBatcher<ChangeMessageVisibilityBatchRequestEntry>(4, async batch =>
        {
            var request = new ChangeMessageVisibilityBatchRequest { QueueUrl = u, Entries = Numbered(batch, (e, id) => e.Id = id) };
            var response = await WithinRequestTimeoutAsync("ChangeMessageVisibilityBatch", u, token => _client.ChangeMessageVisibilityBatchAsync(request, token)).ConfigureAwait(false);
            return Outcomes(u, batch.Select(e => e.Id), response.Failed);
        }));
        var entry = new ChangeMessageVisibilityBatchRequestEntry { ReceiptHandle = receiptHandle, VisibilityTimeout = (int)visibility.TotalSeconds };
        return changes.AddAsync(entry, 0, cancellationToken);
    }

    /// <summary>The URL of <paramref name="topic"/>'s queue, created first when it is missing and <see cref="SqsQueueSettings.CreateQueues"/> is on; cached.</summary>
    internal async Task<string> UrlAsync(string topic, CancellationToken cancellationToken)
    {
        var lazy = _urls.GetOrAdd(topic, t => new Lazy<Task<string>>(() => FindOrCreateAsync(t)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted)
        {
            // Look it up again next time (the queue may be created meanwhile, or the server was down).
            _urls.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(topic, lazy));
            throw;
        }
    }

    private async Task<string> FindOrCreateAsync(string topic)
    {
        var name = Settings.QueueName(topic);
        try
        {
            return (await _client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name }).ConfigureAwait(false)).QueueUrl;
        }
        catch (QueueDoesNotExistException) when (Settings.CreateQueues)
        {
            // Creating an existing queue with the same attributes is a no-op, so workers racing to create it agree.
            return (await _client.CreateQueueAsync(new CreateQueueRequest { QueueName = name }).ConfigureAwait(false)).QueueUrl;
        }
        catch (QueueDoesNotExistException e)
        {
            throw new InvalidOperationException(
                $"The SQS queue '{name}' of topic '{topic}' does not exist, and brrr.sqs.create-queues is off: create it, or choose another in brrr.sqs.queue-names.", e);
        }
    }

    private async Task<Dictionary<string, string>> AttributesAsync(string topic, CancellationToken cancellationToken)
    {
        string url;
        if (_urls.TryGetValue(topic, out var known) && known.Value.IsCompletedSuccessfully)
        {
            url = known.Value.Result;
        }
        else
        {
            try
            {
                url = (await _client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = Settings.QueueName(topic) }, cancellationToken).ConfigureAwait(false)).QueueUrl;
            }
            catch (QueueDoesNotExistException)
            {
                return [];
            }
        }

        var request = new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
        };
        return (await _client.GetQueueAttributesAsync(request, cancellationToken).ConfigureAwait(false)).Attributes ?? [];
    }

    private static long Count(Dictionary<string, string> attributes, string name) =>
        attributes.TryGetValue(name, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : 0;

    /// <summary>
    /// A batch request that gets no answer within <see cref="SqsQueueSettings.RequestTimeout"/> fails with a
    /// <see cref="TimeoutException"/> (the client's own timeout is longer, to fit the 20 s long polls of receives), so a
    /// stalled request cannot hold up a visibility extension past the visibility timeout.
    /// </summary>
    private async Task<T> WithinRequestTimeoutAsync<T>(string operation, string url, Func<CancellationToken, Task<T>> send)
    {
        using var timeout = new CancellationTokenSource(Settings.RequestTimeout);
        try
        {
            return await send(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"SQS {operation} to {url} got no answer within brrr.sqs.request-timeout ({Settings.RequestTimeout.TotalSeconds} s).", e);
        }
    }

    /// <summary>The entry's size as SQS counts it (body and message attributes), checked against the limit, and its body's characters.</summary>
    private int CheckMessage(string topic, SendMessageBatchRequestEntry entry)
    {
        var message = entry.MessageBody;
        var bytes = Encoding.UTF8.GetByteCount(message)
            + (entry.MessageAttributes ?? []).Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value.DataType) + Encoding.UTF8.GetByteCount(a.Value.StringValue));
        if (bytes > Settings.MaxMessageBytes)
        {
            throw new ArgumentException(
                $"A message of {bytes} bytes (attributes included) for topic '{topic}' is over brrr.sqs.max-message-bytes ({Settings.MaxMessageBytes}); it was not sent.", nameof(entry));
        }

        // SQS takes only #x9, #xA, #xD, #x20 to #xD7FF, #xE000 to #xFFFD and #x10000 and above, and refuses the whole request otherwise.
        for (var i = 0; i < message.Length; i++)
        {
            var c = message[i];
            if (char.IsHighSurrogate(c) && i + 1 < message.Length && char.IsLowSurrogate(message[i + 1]))
            {
                i++;
            }
            else if ((c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is '\uFFFE' or '\uFFFF' || char.IsSurrogate(c))
            {
                throw new ArgumentException(
                    $"A message for topic '{topic}' holds the character U+{(int)c:X4} at position {i}, which SQS cannot carry; it was not sent.", nameof(entry));
            }
        }

        return bytes;
    }

    private async Task<Exception?[]> SendBatchAsync(string url, IReadOnlyList<SendMessageBatchRequestEntry> batch)
    {
        var request = new SendMessageBatchRequest { QueueUrl = url, Entries = Numbered(batch, (e, id) => e.Id = id) };
        var response = await WithinRequestTimeoutAsync("SendMessageBatch", url, token => _client.SendMessageBatchAsync(request, token)).ConfigureAwait(false);
        return Outcomes(url, batch.Select(e => e.Id), response.Failed);
    }

    /// <summary>The entries as a list, each with an id unique within its request (SQS matches results by id).</summary>
    private List<T> Numbered<T>(IReadOnlyList<T> batch, Action<T, string> setId)
    {
        var first = Interlocked.Add(ref _entryIds, batch.Count) - batch.Count;
        var list = new List<T>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            setId(batch[i], (first + i).ToString(CultureInfo.InvariantCulture));
            list.Add(batch[i]);
        }

        return list;
    }

    private static Exception?[] Outcomes(string url, IEnumerable<string> ids, List<BatchResultErrorEntry>? failed)
    {
        var failures = (failed ?? []).ToDictionary(f => f.Id, StringComparer.Ordinal);
        return ids.Select(id => failures.TryGetValue(id, out var f)
            ? new SqsEntryException(url, f.Code, f.Message, f.SenderFault ?? false)
            : (Exception?)null).ToArray();
    }

    private static void Attribute(SendMessageBatchRequestEntry entry, string name, string type, string value)
    {
        entry.MessageAttributes ??= [];
        entry.MessageAttributes[name] = new MessageAttributeValue { DataType = type, StringValue = value };
    }
}

/// <summary>SQS refused one entry of a batch request (a send, a delete or a visibility change); the others may have succeeded.</summary>
public sealed class SqsEntryException : Exception
{
    internal SqsEntryException(string queueUrl, string code, string message, bool senderFault)
        : base($"SQS refused an entry for {queueUrl}: {code}: {message}")
    {
        Code = code;
        SenderFault = senderFault;
    }

    /// <summary>SQS's error code (for example <c>ReceiptHandleIsInvalid</c>).</summary>
    public string Code { get; }

    /// <summary>Whether SQS blames the request (true) or itself (false: trying again may work).</summary>
    public bool SenderFault { get; }
}
