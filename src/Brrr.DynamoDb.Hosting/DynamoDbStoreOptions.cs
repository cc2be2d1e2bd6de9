using Akka.Actor;
using Akka.Configuration;
using Amazon.Runtime;
using Brrr.Akka;
using Brrr.Akka.Hosting;

namespace Brrr.DynamoDb.Hosting;

/// <summary>
/// Code-side DynamoDB settings for Akka.Hosting. Only the properties set are written as HOCON under
/// <c>brrr.dynamodb</c> (see <see cref="ToConfig"/>); the rest come from the application's HOCON, else the defaults.
/// Credentials always come from the standard AWS credential chain.
/// </summary>
public sealed class DynamoDbStoreOptions
{
    /// <summary><c>brrr.dynamodb.table-name</c>: the shared table.</summary>
    public string? TableName { get; set; }

    /// <summary><c>brrr.dynamodb.region</c>: the AWS region.</summary>
    public string? Region { get; set; }

    /// <summary><c>brrr.dynamodb.service-url</c>: the endpoint of a local server (dynalite, DynamoDB Local).</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary><c>brrr.dynamodb.consistent-reads</c>: strongly consistent reads.</summary>
    public bool? ConsistentReads { get; set; }

    /// <summary><c>brrr.dynamodb.coalesce</c>: concurrent reads and unconditional writes sent as batch requests.</summary>
    public bool? Coalesce { get; set; }

    /// <summary><c>brrr.dynamodb.max-error-retries</c>: how many times the AWS SDK retries a throttled or transiently failed request.</summary>
    public int? MaxErrorRetries { get; set; }

    /// <summary><c>brrr.dynamodb.retry-mode</c>: the AWS SDK's retry mode (standard or adaptive).</summary>
    public RequestRetryMode? RetryMode { get; set; }

    /// <summary><c>brrr.dynamodb.request-timeout</c>: time limit of one HTTP request (one attempt of the AWS SDK).</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary><c>brrr.dynamodb.operation-timeout</c>: time limit of one store operation, retries included.</summary>
    public TimeSpan? OperationTimeout { get; set; }

    /// <summary><c>brrr.dynamodb.counter-expiry</c>: how long a spawn counter and a root's trace context of the DynamoDB cache live.</summary>
    public TimeSpan? CounterExpiry { get; set; }

    /// <summary><c>brrr.dynamodb.cancel-expiry</c>: how long a root's cancel mark of the DynamoDB cache lives after its last cancel.</summary>
    public TimeSpan? CancelExpiry { get; set; }

    /// <summary>The HOCON of the properties that are set (and nothing else).</summary>
    public Config ToConfig() => new HoconBuilder()
        .Set("brrr.dynamodb.table-name", TableName)
        .Set("brrr.dynamodb.region", Region)
        .Set("brrr.dynamodb.service-url", ServiceUrl?.ToString())
        .Set("brrr.dynamodb.consistent-reads", ConsistentReads)
        .Set("brrr.dynamodb.coalesce", Coalesce)
        .Set("brrr.dynamodb.max-error-retries", MaxErrorRetries)
        .Set("brrr.dynamodb.retry-mode", RetryMode?.ToString().ToLowerInvariant())
        .Set("brrr.dynamodb.request-timeout", RequestTimeout)
        .Set("brrr.dynamodb.operation-timeout", OperationTimeout)
        .Set("brrr.dynamodb.counter-expiry", CounterExpiry)
        .Set("brrr.dynamodb.cancel-expiry", CancelExpiry)
        .ToConfig();
}

/// <summary>Puts the store of a brrr worker of Akka.Hosting on DynamoDB, and its cache too if asked.</summary>
public static class DynamoDbHostingExtensions
{
    /// <summary>
    /// Uses the DynamoDB store, read from <c>brrr.dynamodb</c> when the ActorSystem starts (with
    /// <paramref name="configure"/>'s settings on top); the table is created when missing. Combine with a queue
    /// backend, e.g. <c>options.UseRedis(store: false).UseDynamoDbStore()</c>. With <paramref name="cache"/> on, the
    /// cache is a <see cref="DynamoDbCache"/> on the same table and client too (no Redis at all with a queue such as
    /// SQS); a later backend step that sets a cache (<c>UseRedis</c>) replaces it.
    /// </summary>
    public static BrrrOptions UseDynamoDbStore(this BrrrOptions options, Action<DynamoDbStoreOptions>? configure = null, bool cache = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storeOptions = new DynamoDbStoreOptions();
        configure?.Invoke(storeOptions);
        options.BackendConfig.Add(storeOptions.ToConfig());
        options.BackendSteps.Add(async (system, backends) =>
        {
            var settings = DynamoDbStoreHocon.Create(system.Settings.Config);
            var client = DynamoDbClientFactory.CreateClient(settings);
            var store = new DynamoDbStore(client, settings);
            await store.EnsureTableAsync().ConfigureAwait(false);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "brrr-dynamodb-close", () =>
            {
                client.Dispose();
                return Task.FromResult(global::Akka.Done.Instance);
            });
            return backends with { Store = store, Cache = cache ? new DynamoDbCache(client, settings) : backends.Cache };
        });
        return options;
    }
}
