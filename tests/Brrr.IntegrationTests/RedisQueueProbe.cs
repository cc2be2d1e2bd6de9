using Brrr.Redis;
using StackExchange.Redis;

namespace Brrr.IntegrationTests;

/// <summary>Reads the Redis queue's bookkeeping of one topic (its consumers and what each holds) under the queue's own key names.</summary>
internal sealed class RedisQueueProbe(IDatabase database, string topic)
{
    private readonly RedisKeys _keys = new(RedisBrrrSettings.Default.KeyPrefix, RedisBrrrSettings.Default.Layout);

    /// <summary>The ids of the consumers registered on the topic (a worker registers one per topic on its first receive).</summary>
    public async Task<string[]> ConsumersAsync() =>
        (await database.SetMembersAsync(_keys.Consumers(topic))).Select(id => id.ToString()).ToArray();

    /// <summary>How many messages consumer <paramref name="consumerId"/> holds in flight.</summary>
    public Task<long> InFlightAsync(string consumerId) => database.ListLengthAsync(_keys.InFlight(topic, consumerId));
}
