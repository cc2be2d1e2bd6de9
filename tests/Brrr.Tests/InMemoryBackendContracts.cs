using Brrr.Backends;
using Brrr.Contracts;

namespace Brrr.Tests;

// The contract suites create their backend lazily (`_x ??= Create()`), which is not thread safe: a test that first
// touches it from several Task.Run threads can see several instances. Returning one instance per test object keeps
// the suites unchanged and the race harmless.
public sealed class InMemoryStoreContract : StoreContract
{
    private readonly InMemoryStore _store = new();

    protected override IStore CreateStore() => _store;
}

public sealed class InMemoryCacheContract : CacheContract
{
    private readonly InMemoryCache _cache = new();

    protected override ICache CreateCache() => _cache;
}

public sealed class InMemoryQueueContract : QueueContract
{
    private readonly InMemoryQueue _queue = new();

    protected override IQueue CreateQueue() => _queue;
}

public sealed class InMemoryQueueAdminContract : QueueAdminContract
{
    private readonly InMemoryQueue _queue = new();

    protected override IQueue CreateQueue() => _queue;
}
