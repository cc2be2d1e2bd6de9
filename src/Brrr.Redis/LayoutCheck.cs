using System.Globalization;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// Looks for a fleet that uses the other <see cref="RedisLayout"/>: messages waiting at the other layout's list of a
/// topic mean that some worker or producer pushes where this one never reads (and the other way round).
/// </summary>
internal static class LayoutCheck
{
    /// <summary>One line naming both keys and the setting to change, or null when the other layout's list is empty.</summary>
    public static async Task<string?> FindMismatchAsync(IDatabase db, RedisKeys keys, string topic)
    {
        var other = keys.OtherLayout;
        var otherKey = other.Topic(topic);
        if (await db.KeyTypeAsync(otherKey).ConfigureAwait(false) != RedisType.List)
        {
            return null;
        }

        var waiting = await db.ListLengthAsync(otherKey).ConfigureAwait(false);
        return waiting == 0 ? null : string.Create(
            CultureInfo.InvariantCulture,
            $"Redis layout mismatch on topic '{topic}': {waiting} message(s) wait at '{otherKey}', the {other.Layout.ConfigName()} layout's list, but brrr.redis.layout = {keys.Layout.ConfigName()} reads '{keys.Topic(topic)}'. If the fleet (or its Python and TypeScript workers) uses the {other.Layout.ConfigName()} layout, set brrr.redis.layout = {other.Layout.ConfigName()} (demo: BRRR_DEMO_REDIS_LAYOUT={other.Layout.ConfigName()}) on every C# worker and client.");
    }
}
