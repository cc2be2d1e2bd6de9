using Brrr.Backends;
using Brrr.Contracts;

namespace Brrr.Tests;

public sealed class InMemoryStoreContract : StoreContract
{
    protected override IStore CreateStore() => new InMemoryStore();
}

public sealed class InMemoryCacheContract : CacheContract
{
    protected override ICache CreateCache() => new InMemoryCache();
}

public sealed class InMemoryQueueContract : QueueContract
{
    protected override IQueue CreateQueue() => new InMemoryQueue();
}
