using Brrr.Backends;
using Brrr.Codecs;

namespace Brrr.Akka;

/// <summary>The shared queue, store and cache a worker talks to, and the codec its tasks use.</summary>
/// <param name="Store">The key/value store with compare-and-set.</param>
/// <param name="Cache">The counter cache (spawn limit).</param>
/// <param name="Queue">The queue with topics.</param>
/// <param name="Codec">The codec of arguments and values.</param>
public sealed record BrrrBackends(IStore Store, ICache Cache, IQueue Queue, ICodec Codec)
{
    /// <summary>Fresh in-memory backends (the embedded default) with the JSON codec.</summary>
    public static BrrrBackends InMemory() => new(new InMemoryStore(), new InMemoryCache(), new InMemoryQueue(), JsonCodec.Default);

    /// <summary>A client for these backends with <paramref name="spawnLimit"/> and <paramref name="limits"/> (default: <see cref="BrrrLimits.Default"/>).</summary>
    public BrrrClient CreateClient(long spawnLimit = BrrrClient.DefaultSpawnLimit, BrrrLimits? limits = null) => new(Store, Cache, Queue, Codec, spawnLimit, limits);
}
