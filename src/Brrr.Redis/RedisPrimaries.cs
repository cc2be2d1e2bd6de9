using System.Net;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>The primaries a scan must visit (every one of them: a scan of only those that answer would miss keys).</summary>
internal static class RedisPrimaries
{
    /// <summary>Every primary of <paramref name="redis"/>.</summary>
    /// <param name="redis">The multiplexer.</param>
    /// <param name="what">What the scan is for, for the error (e.g. "list the topics").</param>
    /// <exception cref="RedisConnectionException">No primary is known, or one is not connected.</exception>
    public static IReadOnlyList<IServer> All(IConnectionMultiplexer redis, string what)
    {
        var primaries = redis.GetServers().Where(s => !s.IsReplica).ToList();
        if (primaries.Count == 0 || primaries.Any(s => !s.IsConnected))
        {
            throw new RedisConnectionException(
                ConnectionFailureType.UnableToConnect,
                $"cannot {what}: Redis at {string.Join(", ", redis.GetEndPoints().Select(EndPointText))} is not connected");
        }

        return primaries;
    }

    private static string EndPointText(EndPoint endpoint) => endpoint is DnsEndPoint dns ? $"{dns.Host}:{dns.Port}" : endpoint.ToString() ?? "?";
}
