using Brrr.Backends;
using Brrr.Contracts;

namespace Brrr.Redis.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisStoreContract(RedisFixture redis) : StoreContract
{
    protected override IStore CreateStore() => redis.Brrr.Store;
}

[Collection(RedisCollection.Name)]
public sealed class RedisCacheContract(RedisFixture redis) : CacheContract
{
    protected override ICache CreateCache() => redis.Brrr.Cache;
}

[Collection(RedisCollection.Name)]
public sealed class RedisQueueContract(RedisFixture redis) : QueueContract
{
    protected override IQueue CreateQueue() => redis.Brrr.Queue;
}

[Collection(RedisCollection.Name)]
public sealed class RedisLegacyLayoutCacheContract(RedisFixture redis) : CacheContract
{
    protected override ICache CreateCache() => redis.Legacy.Cache;
}

[Collection(RedisCollection.Name)]
public sealed class RedisLegacyLayoutQueueContract(RedisFixture redis) : QueueContract
{
    protected override IQueue CreateQueue() => redis.Legacy.Queue;
}

[Collection(RedisCollection.Name)]
public sealed class RedisQueueAdminContract(RedisFixture redis) : QueueAdminContract
{
    protected override IQueue CreateQueue() => redis.Brrr.Queue;
}

[Collection(RedisCollection.Name)]
public sealed class RedisLegacyLayoutQueueAdminContract(RedisFixture redis) : QueueAdminContract
{
    protected override IQueue CreateQueue() => redis.Legacy.Queue;
}
