using Brrr.Backends;
using Brrr.Contracts;

namespace Brrr.Redis.Tests;

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterStoreContract(RedisClusterFixture redis) : StoreContract
{
    protected override IStore CreateStore() => redis.Brrr.Store;
}

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterCacheContract(RedisClusterFixture redis) : CacheContract
{
    protected override ICache CreateCache() => redis.Brrr.Cache;
}

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterQueueContract(RedisClusterFixture redis) : QueueContract
{
    protected override IQueue CreateQueue() => redis.Brrr.Queue;
}

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterQueueAdminContract(RedisClusterFixture redis) : QueueAdminContract
{
    protected override IQueue CreateQueue() => redis.Brrr.Queue;
}

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterLegacyLayoutCacheContract(RedisClusterFixture redis) : CacheContract
{
    protected override ICache CreateCache() => redis.Legacy.Cache;
}

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterLegacyLayoutQueueContract(RedisClusterFixture redis) : QueueContract
{
    protected override IQueue CreateQueue() => redis.Legacy.Queue;
}

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterLegacyLayoutQueueAdminContract(RedisClusterFixture redis) : QueueAdminContract
{
    protected override IQueue CreateQueue() => redis.Legacy.Queue;
}
