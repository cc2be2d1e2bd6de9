using System.Runtime.CompilerServices;
using System.Text;
using Brrr.Backends;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// The brrr store on Redis strings: key <c>&lt;prefix&gt;{&lt;call_hash&gt;}:&lt;type&gt;</c>; set-new-value is
/// <c>SET NX</c>, compare-and-set and compare-and-delete are Lua scripts comparing the exact bytes. With a
/// <see cref="RedisCache"/> and a <see cref="RedisQueue"/> on the same multiplexer, database and layout, with the same
/// counter expiry (and no cluster), a child's first registration, its call record and its job are one script, and so
/// are a value's returns with the removal of their record (<see cref="ISchedulingStore"/>). Thread safe.
/// Redis errors surface as <see cref="RedisException"/> (outcome unknown).
/// </summary>
public sealed class RedisStore : IStore, IStoreScan, ISchedulingStore
{
    private const int ScanPageSize = 1000;
    private const int ReadBatch = 256;
    private readonly IConnectionMultiplexer _redis;
    private readonly int _database;
    private readonly RedisKeys _keys;
    private readonly TimeSpan _counterExpiry;

    /// <summary>Creates the store over a shared multiplexer (which the caller keeps owning).</summary>
    public RedisStore(IConnectionMultiplexer redis, RedisBrrrSettings settings)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _redis = redis;
        _database = settings.Database;
        _keys = new RedisKeys(settings.KeyPrefix, settings.Layout);
        _counterExpiry = settings.CounterExpiry;
    }

    private IDatabase Db => _redis.GetDatabase(_database);

    /// <inheritdoc />
    /// <remarks>
    /// Yes for a <see cref="RedisCache"/> with this store's multiplexer, database, layout and counter expiry that can
    /// push to <paramref name="queue"/> (<see cref="RedisCache.CanPushTo"/>: a <see cref="RedisQueue"/> on them, no cluster).
    /// </remarks>
    public bool CanScheduleWith(ICache cache, IQueue queue) =>
        cache is RedisCache redisCache && redisCache.CountsLike(_redis, _database, _keys.Layout, _counterExpiry) && redisCache.CanPushTo(queue);

    /// <inheritdoc />
    /// <remarks>One script: <c>GET</c>, then only on a missing record two <c>SET</c>s, <c>INCR</c> and <c>RPUSH</c>.</remarks>
    public async Task<(byte[]? Current, long Count)> SetNewAndPushAsync(
        MemKey key, byte[] value, MemKey companion, byte[] companionValue, string rootId, long limit, string topic, string message,
        CancellationToken cancellationToken = default)
    {
        var result = await TwoRecordsAndJobAsync(Scripts.SetNewAndPush, key, value, companion, companionValue, rootId, limit, topic, message).ConfigureAwait(false);
        return result.Length == 1 ? ((byte[]?)result[0], 0) : (null, (long)result[1]);
    }

    /// <inheritdoc />
    /// <remarks>One script: <c>SET</c> and <c>GET</c>, then only on the expected record <c>INCR</c>, <c>RPUSH</c> and <c>DEL</c>.</remarks>
    public async Task<(bool Sent, byte[]? Current, long Count)> SetThenPushIfAsync(
        MemKey valueKey, byte[] value, MemKey returnsKey, byte[] expected, string rootId, long limit, string topic, string message,
        CancellationToken cancellationToken = default)
    {
        var result = await TwoRecordsAndJobAsync(Scripts.SetThenPushIf, valueKey, value, returnsKey, expected, rootId, limit, topic, message).ConfigureAwait(false);
        return (long)result[0] == 1 ? (true, null, (long)result[1]) : (false, result.Length == 1 ? null : (byte[]?)result[1], 0);
    }

    /// <summary>
    /// Runs <paramref name="script"/> over two records of a call, a root's spawn counter and a topic: KEYS the two records,
    /// the counter, the topic; ARGV the two records' bytes, the spawn limit, the message, the counter's expiry (ms).
    /// </summary>
    private async Task<RedisResult[]> TwoRecordsAndJobAsync(
        RedisScript script, MemKey first, byte[] firstBytes, MemKey second, byte[] secondBytes, string rootId, long limit, string topic, string message)
    {
        ArgumentNullException.ThrowIfNull(firstBytes);
        ArgumentNullException.ThrowIfNull(secondBytes);
        ArgumentNullException.ThrowIfNull(rootId);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        return (RedisResult[])(await script.EvaluateAsync(
                Db,
                [_keys.Store(first), _keys.Store(second), _keys.Counter(rootId), _keys.Topic(topic)],
                [firstBytes, secondBytes, limit, message, (long)_counterExpiry.TotalMilliseconds])
            .ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    /// <remarks>One script: per job <c>INCR</c> and <c>RPUSH</c>, then <c>GET</c> and, on the expected bytes, <c>DEL</c>.</remarks>
    public async Task<(long[] Counts, bool Deleted)> PushThenDeleteIfAsync(
        IReadOnlyList<(string RootId, string Topic, string Message)> jobs, long limit, MemKey key, byte[] expected,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(expected);
        var keys = new RedisKey[1 + (2 * jobs.Count)];
        var values = new RedisValue[3 + jobs.Count];
        keys[0] = _keys.Store(key);
        values[0] = expected;
        values[1] = limit;
        values[2] = (long)_counterExpiry.TotalMilliseconds;
        for (var i = 0; i < jobs.Count; i++)
        {
            var (rootId, topic, message) = jobs[i];
            keys[1 + (2 * i)] = _keys.Counter(rootId);
            keys[2 + (2 * i)] = _keys.Topic(topic);
            values[3 + i] = message;
        }

        var result = (long[])(await Scripts.PushThenDeleteIf.EvaluateAsync(Db, keys, values).ConfigureAwait(false))!;
        return (result[..^1], result[^1] == 1);
    }

    /// <inheritdoc />
    public Task<bool> HasAsync(MemKey key, CancellationToken cancellationToken = default) =>
        Db.KeyExistsAsync(_keys.Store(key));

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(MemKey key, CancellationToken cancellationToken = default) =>
        await Db.StringGetAsync(_keys.Store(key)).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>One <c>MGET</c>: the records of one call share its hash tag, so the two keys are in one cluster slot.</remarks>
    public async Task<(byte[]? Value, byte[]? Otherwise)> GetOrOtherwiseAsync(MemKey key, MemKey otherwise, CancellationToken cancellationToken = default)
    {
        var both = await Db.StringGetAsync([_keys.Store(key), _keys.Store(otherwise)]).ConfigureAwait(false);
        return both[0].IsNull ? (null, (byte[]?)both[1]) : ((byte[]?)both[0], null);
    }

    /// <inheritdoc />
    public bool ReadsManyAtOnce => true;

    /// <inheritdoc />
    /// <remarks>One <c>MGET</c>: the records of one call share its hash tag, so the keys are in one cluster slot.</remarks>
    public async Task<byte[]?[]> GetManyAsync(IReadOnlyList<MemKey> keys, CancellationToken cancellationToken = default)
    {
        StoreSteps.CheckOneCall(keys);
        var redisKeys = new RedisKey[keys.Count];
        for (var i = 0; i < redisKeys.Length; i++)
        {
            redisKeys[i] = _keys.Store(keys[i]);
        }

        var values = await Db.StringGetAsync(redisKeys).ConfigureAwait(false);
        return Array.ConvertAll(values, value => (byte[]?)value);
    }

    /// <inheritdoc />
    public Task SetAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Db.StringSetAsync(_keys.Store(key), value);
    }

    /// <inheritdoc />
    public Task DeleteAsync(MemKey key, CancellationToken cancellationToken = default) =>
        Db.KeyDeleteAsync(_keys.Store(key));

    /// <inheritdoc />
    public bool CanExpire => true;

    /// <inheritdoc />
    /// <remarks><c>PEXPIRE</c>; every write of the store (a <c>SET</c> without <c>KEEPTTL</c>) clears it again.</remarks>
    public Task ExpireAsync(MemKey key, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        return Db.KeyExpireAsync(_keys.Store(key), ttl);
    }

    /// <inheritdoc />
    /// <remarks><c>PERSIST</c>.</remarks>
    public Task PersistAsync(MemKey key, CancellationToken cancellationToken = default) =>
        Db.KeyPersistAsync(_keys.Store(key));

    /// <inheritdoc />
    public Task<bool> SetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Db.StringSetAsync(_keys.Store(key), value, when: When.NotExists);
    }

    /// <inheritdoc />
    /// <remarks>One <c>SET key value NX GET</c> (Redis 7).</remarks>
    public async Task<byte[]?> GetOrSetNewValueAsync(MemKey key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return await Db.StringSetAndGetAsync(_keys.Store(key), value, expiry: null, keepTtl: false, when: When.NotExists).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Both commands go out back to back on the one connection, which runs them in order: one round trip.</remarks>
    public async Task<byte[]?> SetThenGetAsync(MemKey setKey, byte[] value, MemKey getKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var db = Db;
        var set = db.StringSetAsync(_keys.Store(setKey), value);
        var get = db.StringGetAsync(_keys.Store(getKey));
        await set.ConfigureAwait(false);
        return await get.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> CompareAndSetAsync(MemKey key, byte[] value, byte[] expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(expected);
        var result = await Scripts.CompareAndSet.EvaluateAsync(Db, [_keys.Store(key)], [value, expected]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc />
    public async Task<bool> CompareAndDeleteAsync(MemKey key, byte[] expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var result = await Scripts.CompareAndDelete.EvaluateAsync(Db, [_keys.Store(key)], [expected]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>SCAN</c> with the pattern <c>&lt;prefix&gt;{*}:&lt;type&gt;</c> on every primary (never <c>KEYS</c>), then the
    /// records read in batches of pipelined <c>GET</c>s (each key in its own slot, so a cluster serves them too). A record
    /// removed between the two is left out.
    /// </remarks>
    /// <exception cref="RedisConnectionException">A primary is not connected: a scan of the others would miss records.</exception>
    public async IAsyncEnumerable<StoredRecord> ScanAsync(MemKeyType type, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var suffix = "}:" + new MemKey(type, "").TypeWord;
        var head = _keys.Prefix + "{";
        var pattern = EscapeGlob(head) + "*" + EscapeGlob(suffix);
        var primaries = RedisPrimaries.All(_redis, "scan the store");
        var batch = new List<(RedisKey Key, MemKey MemKey)>(ReadBatch);
        foreach (var server in primaries)
        {
            await foreach (var key in server.KeysAsync(_database, pattern, ScanPageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var text = key.ToString();
                if (text.Length > head.Length + suffix.Length && text.StartsWith(head, StringComparison.Ordinal) && text.EndsWith(suffix, StringComparison.Ordinal))
                {
                    batch.Add((key, new MemKey(type, text[head.Length..^suffix.Length])));
                }

                if (batch.Count == ReadBatch)
                {
                    foreach (var record in await ReadAsync(batch).ConfigureAwait(false))
                    {
                        yield return record;
                    }

                    batch.Clear();
                }
            }
        }

        foreach (var record in await ReadAsync(batch).ConfigureAwait(false))
        {
            yield return record;
        }
    }

    private async Task<IEnumerable<StoredRecord>> ReadAsync(List<(RedisKey Key, MemKey MemKey)> keys)
    {
        var db = Db;
        var values = await Task.WhenAll(keys.Select(k => db.StringGetAsync(k.Key))).ConfigureAwait(false);
        return keys.Zip(values).Where(p => !p.Second.IsNull).Select(p => new StoredRecord(p.First.MemKey, (byte[])p.Second!)).ToArray();
    }

    /// <summary>Text that a Redis glob pattern matches literally.</summary>
    private static string EscapeGlob(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
