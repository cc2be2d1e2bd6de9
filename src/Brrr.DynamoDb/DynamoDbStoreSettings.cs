using Amazon.Runtime;

namespace Brrr.DynamoDb;

/// <summary>
/// Immutable settings of <see cref="DynamoDbStore"/> and <see cref="DynamoDbCache"/>, with their defaults (the one place they are written: the HOCON
/// section <c>brrr.dynamodb</c> of Brrr.DynamoDb.Hosting and the <c>Brrr:DynamoDb</c> configuration section only
/// override them); start from <see cref="Default"/> or <see cref="FromEnvironment()"/> and change values with a
/// <c>with</c> expression. Every property checks its value
/// and throws <see cref="ArgumentException"/> when it is out of range. Holds no credentials.
/// </summary>
public sealed record DynamoDbStoreSettings
{
    /// <summary>The HOCON path of the section these settings are read from.</summary>
    public const string ConfigPath = "brrr.dynamodb";

    private DynamoDbStoreSettings() { }

    /// <summary>The defaults: table <c>brrr</c> in the region of the AWS chain, consistent and coalesced reads.</summary>
    public static DynamoDbStoreSettings Default { get; } = new();

    /// <summary>The table holding every record (<c>brrr.dynamodb.table-name</c>); 3 to 255 characters of <c>[A-Za-z0-9_.-]</c>.</summary>
    public string TableName
    {
        get;
        init => field = SettingChecks.TableName(value, nameof(TableName));
    } = "brrr";

    /// <summary>The AWS region name, or <c>null</c> to resolve it from the standard AWS chain (<c>brrr.dynamodb.region</c>).</summary>
    public string? Region
    {
        get;
        init => field = SettingChecks.OptionalText(value);
    }

    /// <summary>The endpoint of a local server such as dynalite, or <c>null</c> for the AWS endpoint of the region (<c>brrr.dynamodb.service-url</c>).</summary>
    public Uri? ServiceUrl
    {
        get;
        init => field = SettingChecks.ServiceUrl(value, nameof(ServiceUrl));
    }

    /// <summary>Whether reads are strongly consistent (<c>brrr.dynamodb.consistent-reads</c>).</summary>
    public bool ConsistentReads { get; init; } = true;

    /// <summary>
    /// Whether concurrent reads are sent together as one BatchGetItem and concurrent unconditional writes as one
    /// BatchWriteItem (<c>brrr.dynamodb.coalesce</c>); off sends one GetItem or PutItem per operation.
    /// </summary>
    public bool Coalesce { get; init; } = true;

    /// <summary>How many times the AWS SDK retries a throttled or transiently failed request, &gt;= 0 (<c>brrr.dynamodb.max-error-retries</c>).</summary>
    public int MaxErrorRetries
    {
        get;
        init => field = SettingChecks.AtLeast(value, 0, nameof(MaxErrorRetries));
    } = 8;

    /// <summary>The AWS SDK retry mode (<c>brrr.dynamodb.retry-mode</c>): standard or adaptive.</summary>
    public RequestRetryMode RetryMode { get; init; } = RequestRetryMode.Standard;

    /// <summary>Time limit of one HTTP request (one attempt of the AWS SDK), &gt; 0 (<c>brrr.dynamodb.request-timeout</c>).</summary>
    public TimeSpan RequestTimeout
    {
        get;
        init => field = SettingChecks.Positive(value, nameof(RequestTimeout));
    } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time limit of one store or cache operation, &gt; 0 (<c>brrr.dynamodb.operation-timeout</c>): the AWS SDK's retries
    /// and the resends of a batch's unprocessed keys count against it. Past it the operation fails with a
    /// <see cref="DynamoDbTimeoutException"/> (a <see cref="TimeoutException"/> for <see cref="DynamoDbCache"/>), as it
    /// does when the SDK gives up on requests past <see cref="RequestTimeout"/>.
    /// </summary>
    public TimeSpan OperationTimeout
    {
        get;
        init => field = SettingChecks.Positive(value, nameof(OperationTimeout));
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a spawn counter and a root's trace context of <see cref="DynamoDbCache"/> live after they were created,
    /// &gt; 0 (<c>brrr.dynamodb.counter-expiry</c>), as Redis's <c>brrr.redis.counter-expiry</c>.
    /// </summary>
    public TimeSpan CounterExpiry
    {
        get;
        init => field = SettingChecks.Positive(value, nameof(CounterExpiry));
    } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a root's cancel mark of <see cref="DynamoDbCache"/> lives after its last cancel, &gt; 0
    /// (<c>brrr.dynamodb.cancel-expiry</c>), as Redis's <c>brrr.redis.cancel-expiry</c>.
    /// </summary>
    public TimeSpan CancelExpiry
    {
        get;
        init => field = SettingChecks.Positive(value, nameof(CancelExpiry));
    } = TimeSpan.FromDays(7);

    /// <summary>Billing mode of a table created by <see cref="DynamoDbStore.EnsureTableAsync"/> (<c>brrr.dynamodb.billing-mode</c>).</summary>
    public DynamoDbBillingMode BillingMode { get; init; } = DynamoDbBillingMode.PayPerRequest;

    /// <summary>Read capacity units of a created provisioned table, &gt;= 1 (<c>brrr.dynamodb.read-capacity-units</c>).</summary>
    public long ReadCapacityUnits
    {
        get;
        init => field = SettingChecks.AtLeast(value, 1, nameof(ReadCapacityUnits));
    } = 5;

    /// <summary>Write capacity units of a created provisioned table, &gt;= 1 (<c>brrr.dynamodb.write-capacity-units</c>).</summary>
    public long WriteCapacityUnits
    {
        get;
        init => field = SettingChecks.AtLeast(value, 1, nameof(WriteCapacityUnits));
    } = 5;

    /// <summary>Longest wait for a table to become ACTIVE or to disappear, &gt; 0 (<c>brrr.dynamodb.table-ready-timeout</c>).</summary>
    public TimeSpan TableReadyTimeout
    {
        get;
        init => field = SettingChecks.Positive(value, nameof(TableReadyTimeout));
    } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The settings of the reference demos' environment: <c>AWS_ENDPOINT_URL_DYNAMODB</c>, else <c>AWS_ENDPOINT_URL</c>
    /// (optional local endpoint; the service-specific one first, as the AWS SDK reads them),
    /// <c>AWS_REGION</c> (optional) and <c>DYNAMODB_TABLE_NAME</c> (default <c>brrr</c>), over <see cref="Default"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A variable holds a bad value; the message names the variable.</exception>
    public static DynamoDbStoreSettings FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    internal static DynamoDbStoreSettings FromEnvironment(Func<string, string?> variable)
    {
        var settings = Default;
        var endpointVariable = variable("AWS_ENDPOINT_URL_DYNAMODB") is { Length: > 0 } ? "AWS_ENDPOINT_URL_DYNAMODB" : "AWS_ENDPOINT_URL";
        if (variable(endpointVariable) is { Length: > 0 } endpoint)
        {
            settings = settings with { ServiceUrl = SettingChecks.ParseUri(endpoint, endpointVariable) };
        }

        if (variable("AWS_REGION") is { Length: > 0 } region)
        {
            settings = settings with { Region = region };
        }

        if (variable("DYNAMODB_TABLE_NAME") is { Length: > 0 } table)
        {
            settings = settings with { TableName = SettingChecks.TableName(table, "DYNAMODB_TABLE_NAME") };
        }

        return settings;
    }
}
