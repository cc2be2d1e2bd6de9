using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Brrr.Backends;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// One consumer of one Redis topic. Receiving moves a message from the topic into this consumer's in-flight list
/// (a Lua LMOVE when the topic has messages, else a BLMOVE into its landing list on a connection of its own, with the
/// script that moves it on into the in-flight list sent right behind it: no round trip between the two); acknowledging removes it
/// there; releasing and disposing move it back to the head of the topic, marked redelivered; releasing for later moves
/// it to the topic's delayed set in the same script.
/// Liveness (heartbeat, recovery of dead consumers) lives in the other part of this class.
/// A message that is not valid UTF-8 (written by a foreign or broken producer) reads with replacement characters,
/// but the consumer keeps its exact bytes: acknowledging or releasing it finds it in the in-flight list.
/// </summary>
internal sealed partial class RedisQueueConsumer : IDelayedQueueConsumer
{
    // Redis rounds blocking timeouts to milliseconds and reads 0 as "forever": never block for less.
    private static readonly TimeSpan MinimumBlock = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan PollWhileReconnecting = TimeSpan.FromMilliseconds(50);

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisBrrrSettings _settings;
    private readonly ILogger _logger;
    private readonly string _id = Guid.NewGuid().ToString("N");
    private readonly RedisKey _topicKey;
    private readonly RedisKey _inFlightKey;
    private readonly RedisKey _landingKey;
    private readonly RedisKey _heartbeatKey;
    private readonly RedisKey _consumersKey;
    private readonly RedisKey _redeliveredKey;
    private readonly RedisKey _delayedKey;
    private readonly Action<RedisQueueConsumer> _onDisposed;
    // Each held delivery with the exact bytes of its message, which Redis compares when it is settled.
    private readonly ConcurrentDictionary<QueueDelivery, byte[]> _held = new(ReferenceEqualityComparer.Instance);

    private ConnectionMultiplexer? _blocking;

    // A blocking receive whose caller gave up (cancelled): it may still move a message into the in-flight list,
    // so the next receive waits for it first.
    private Task<(byte[] Message, bool Redelivered)?>? _pendingBlock;

    // Set when a command failed without a reply: a message may sit in the landing or in-flight list that nobody holds.
    private volatile bool _needsReconcile;

    public RedisQueueConsumer(IConnectionMultiplexer redis, RedisBrrrSettings settings, RedisKeys keys, string topic, ILogger logger, Action<RedisQueueConsumer> onDisposed)
    {
        _onDisposed = onDisposed;
        _redis = redis;
        _settings = settings;
        _logger = logger;
        Topic = topic;
        _keys = keys;
        _topicKey = keys.Topic(topic);
        _inFlightKey = keys.InFlight(topic, _id);
        _landingKey = keys.Landing(topic, _id);
        _heartbeatKey = keys.Heartbeat(topic, _id);
        _consumersKey = keys.Consumers(topic);
        _redeliveredKey = keys.Redelivered(topic);
        _delayedKey = keys.Delayed(topic);
    }

    public string Topic { get; }

    /// <summary>This consumer's id in the topic's consumers set.</summary>
    internal string Id => _id;

    private IDatabase Db => _redis.GetDatabase(_settings.Database);

    private string MarkExpiryMilliseconds => ((long)_settings.RedeliveredMarkExpiry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    public async Task<QueueDelivery?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        await ReceiveManyAsync(1, timeout, cancellationToken).ConfigureAwait(false) is [var delivery] ? delivery : null;

    public async Task<IReadOnlyList<QueueDelivery>> ReceiveManyAsync(int max, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var started = Stopwatch.GetTimestamp();
        TimeSpan Remaining() => timeout - Stopwatch.GetElapsedTime(started);
        try
        {
            await EnsureRegisteredAsync().ConfigureAwait(false);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_pendingBlock is { } pending)
                {
                    if (!await CompletesWithinAsync(pending, Remaining(), cancellationToken).ConfigureAwait(false))
                    {
                        return [];
                    }

                    _pendingBlock = null;
                    if (await pending.ConfigureAwait(false) is var (moved, movedRedelivered))
                    {
                        return [Hold(moved, movedRedelivered)];
                    }
                }

                if (_needsReconcile)
                {
                    await ReconcileAsync().ConfigureAwait(false);
                }

                var result = await Scripts.Receive.EvaluateAsync(Db, [_topicKey, _inFlightKey, _redeliveredKey, _consumersKey], [_id, max]).ConfigureAwait(false);
                if (!result.IsNull)
                {
                    var parts = (RedisResult[])result!;
                    var deliveries = new QueueDelivery[parts.Length / 2];
                    for (var i = 0; i < deliveries.Length; i++)
                    {
                        deliveries[i] = Hold((byte[])parts[2 * i]!, (long)parts[(2 * i) + 1] == 1);
                    }

                    return deliveries;
                }

                var remaining = Remaining();
                if (remaining < MinimumBlock)
                {
                    return [];
                }

                var slice = remaining < _settings.BlockTimeout ? remaining : _settings.BlockTimeout;
                _blocking ??= await ConnectBlockingAsync().ConfigureAwait(false);
                if (!_blocking.IsConnected)
                {
                    // Redis answers the shared connection but this one is still reconnecting (it does so on its own
                    // schedule after an outage): poll rather than fail while it catches up.
                    await Task.Delay(slice < PollWhileReconnecting ? slice : PollWhileReconnecting, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var block = BlockingReceiveAsync(_blocking, slice);
                _pendingBlock = block;
                await block.WaitAsync(cancellationToken).ConfigureAwait(false);
                _pendingBlock = null;
                if (await block.ConfigureAwait(false) is var (message, redelivered))
                {
                    return [Hold(message, redelivered)];
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up: a blocking move still under way stays in _pendingBlock for the next receive.
            throw;
        }
        catch (Exception e) when (RedisErrors.IsCommandFailure(e))
        {
            // The command may have run without us hearing back: check the landing and in-flight lists before the next receive.
            _needsReconcile = true;
            _pendingBlock = null;
            throw;
        }
    }

    public async Task AckAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
    {
        var message = EnsureHeld(delivery);

        // Remove from Redis before forgetting it here: reconciliation must never see it in neither place.
        var removed = await Db.ListRemoveAsync(_inFlightKey, message, -1).ConfigureAwait(false);
        _held.TryRemove(delivery, out _);
        _acks.Add();
        if (removed == 0)
        {
            _logger.LogWarning("Acknowledged message {Message} of topic {Topic} was no longer held by consumer {Consumer} (its heartbeat lapsed and another consumer gave it back): it will be delivered again.", LogText.Excerpt(delivery.Message), Topic, _id);
        }
    }

    public async Task ReleaseAsync(QueueDelivery delivery, CancellationToken cancellationToken = default)
    {
        var message = EnsureHeld(delivery);
        var released = await ReleaseInRedisAsync(message).ConfigureAwait(false);
        _held.TryRemove(delivery, out _);
        if (!released)
        {
            _logger.LogInformation("Released message {Message} of topic {Topic} had already been given back by another consumer (consumer {Consumer} looked dead).", LogText.Excerpt(delivery.Message), Topic, _id);
        }
    }

    public async Task ReleaseAsync(QueueDelivery delivery, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        var message = EnsureHeld(delivery);
        var member = RedisKeys.DelayedMember(message, redelivered: true);
        var released = (long)await Scripts.ReleaseLater.EvaluateAsync(Db, [_inFlightKey, _delayedKey], [message, member, notBefore.ToUnixTimeMilliseconds()]).ConfigureAwait(false) == 1;
        _held.TryRemove(delivery, out _);
        if (!released)
        {
            _logger.LogInformation("Released message {Message} of topic {Topic} had already been given back by another consumer (consumer {Consumer} looked dead): it is not delayed.", LogText.Excerpt(delivery.Message), Topic, _id);
        }
    }

    private async Task<bool> ReleaseInRedisAsync(byte[] message)
    {
        var result = await Scripts.Release.EvaluateAsync(Db, [_inFlightKey, _topicKey, _redeliveredKey], [message, MarkExpiryMilliseconds]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>The exact bytes of a held delivery's message.</summary>
    private byte[] EnsureHeld(QueueDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return _held.TryGetValue(delivery, out var message)
            ? message
            : throw new InvalidOperationException($"The delivery of '{delivery.Message}' on topic '{delivery.Topic}' is not held by this consumer (already settled, or received by another consumer?).");
    }

    private QueueDelivery Hold(byte[] message, bool redelivered)
    {
        var delivery = new QueueDelivery(Topic, Encoding.UTF8.GetString(message), redelivered);
        _held.TryAdd(delivery, message);
        return delivery;
    }

    /// <summary>
    /// A blocking move from the topic into the landing list, and the script that takes what landed into the in-flight
    /// list (<see cref="Scripts.Land"/>), sent back to back on the blocking connection: Redis runs the script once the
    /// move returns, with no round trip to this process between. A reply lost between the two leaves the message in the landing list, where reconciliation
    /// and the recovery of a dead consumer find it.
    /// </summary>
    private async Task<(byte[] Message, bool Redelivered)?> BlockingReceiveAsync(ConnectionMultiplexer connection, TimeSpan block)
    {
        var seconds = Math.Max(block.TotalSeconds, MinimumBlock.TotalSeconds).ToString("0.000", CultureInfo.InvariantCulture);
        var db = connection.GetDatabase(_settings.Database);
        var move = db.ExecuteAsync("BLMOVE", _topicKey, _landingKey, "LEFT", "RIGHT", seconds);
        var land = Scripts.Land.EvaluateAsync(db, [_landingKey, _inFlightKey, _redeliveredKey, _consumersKey], [_id]);
        await Task.WhenAll(move, land).ConfigureAwait(false);
        var result = await land.ConfigureAwait(false);
        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        return ((byte[])parts[0]!, (long)parts[1] == 1);
    }

    private async Task<ConnectionMultiplexer> ConnectBlockingAsync()
    {
        var options = ConfigurationOptions.Parse(_settings.Configuration);
        options.AbortOnConnectFail = false;

        // A blocking command occupies the connection until it returns: keep it well within the command timeout,
        // and fail at once while disconnected instead of queueing behind a dead socket.
        var slack = _settings.BlockTimeout > TimeSpan.FromSeconds(5) ? _settings.BlockTimeout : TimeSpan.FromSeconds(5);
        options.AsyncTimeout = (int)(_settings.BlockTimeout + slack).TotalMilliseconds;
        options.SyncTimeout = options.AsyncTimeout;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName = $"brrr-consumer-{_id}";
        _settings.ApplyIoTo(options);
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        if (timeout <= TimeSpan.Zero)
        {
            return false;
        }

        try
        {
            await task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// Gives back messages that sit in the in-flight list (or the landing list, moved into it first) without being held
    /// here (a move whose reply was lost).
    /// Safe against concurrent acks and releases: those change Redis before they forget the delivery here, and
    /// this reads what is held here before it reads Redis.
    /// </summary>
    private async Task ReconcileAsync()
    {
        // A message that landed without its move into the in-flight list (the reply of the pair was lost) is held by nobody either.
        RedisValue landed;
        do
        {
            landed = await Db.ListMoveAsync(_landingKey, _inFlightKey, ListSide.Left, ListSide.Right).ConfigureAwait(false);
        }
        while (!landed.IsNull);

        // Messages are told apart by their exact bytes (base64 as the dictionary key), not by their text.
        var held = _held.Values.GroupBy(Convert.ToBase64String, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var inFlight = await Db.ListRangeAsync(_inFlightKey).ConfigureAwait(false);
        foreach (var value in inFlight)
        {
            var message = (byte[])value!;
            var key = Convert.ToBase64String(message);
            if (held.TryGetValue(key, out var count) && count > 0)
            {
                held[key] = count - 1;
                continue;
            }

            await ReleaseInRedisAsync(message).ConfigureAwait(false);
            _logger.LogInformation("Gave back message {Message} of topic {Topic}: consumer {Consumer} lost the reply of the command that moved it.", LogText.Excerpt(value.ToString()), Topic, _id);
        }

        _needsReconcile = false;
    }
}
