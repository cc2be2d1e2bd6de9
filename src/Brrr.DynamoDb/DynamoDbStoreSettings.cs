using Akka.Configuration;
using Amazon.Runtime;

namespace Brrr.DynamoDb;

/// <summary>
/// Immutable settings of <see cref="DynamoDbStore"/>. Defaults come from the embedded <c>reference.conf</c>
/// (section <c>brrr.dynamodb</c>); start from <see cref="Default"/>, <see cref="Create(Config)"/> or
/// <see cref="FromEnvironment()"/> and change values with a <c>with</c> expression. Every property checks its value
/// and throws <see cref="ArgumentException"/> when it is out of range. Holds no credentials.
/// </summary>
public sealed record DynamoDbStoreSettings
{
    /// <summary>The HOCON path of the section these settings are read from.</summary>
    public const string ConfigPath = "brrr.dynamodb";

    private static readonly Lazy<Config> s_defaultConfig = new(() =>
        ConfigurationFactory.FromResource("Brrr.DynamoDb.reference.conf", typeof(DynamoDbStoreSettings).Assembly));

    private static readonly Lazy<DynamoDbStoreSettings> s_default = new(() => Create(DefaultConfig));

    private DynamoDbStoreSettings() { }

    /// <summary>The embedded <c>reference.conf</c> of this module: use it as a fallback of your own config.</summary>
    public static Config DefaultConfig => s_defaultConfig.Value;

    /// <summary>The settings of <c>reference.conf</c>: table <c>brrr</c> in the region of the AWS chain, consistent and coalesced reads.</summary>
    public static DynamoDbStoreSettings Default => s_default.Value;

    /// <summary>The table holding every record (<c>brrr.dynamodb.table-name</c>); 3 to 255 characters of <c>[A-Za-z0-9_.-]</c>.</summary>
    public string TableName
    {
        get;
        init => field = SettingChecks.TableName(value, nameof(TableName));
    } = "";

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
    public bool ConsistentReads { get; init; }

    /// <summary>
    /// Whether concurrent reads are sent together as one BatchGetItem and concurrent unconditional writes as one
    /// BatchWriteItem (<c>brrr.dynamodb.coalesce</c>); off sends one GetItem or PutItem per operation.
    /// </summary>
    public bool Coalesce { get; init; }

    /// <summary>How many times the AWS SDK retries a throttled or transiently failed request, &gt;= 0 (<c>brrr.dynamodb.max-error-retries</c>).</summary>
    public int MaxErrorRetries
    {
        get;
        init => field = SettingChecks.AtLeast(value, 0, nameof(MaxErrorRetries));
    }

    /// <summary>The AWS SDK retry mode (<c>brrr.dynamodb.retry-mode</c>): standard or adaptive.</summary>
    public RequestRetryMode RetryMode { get; init; }

    /// <summary>Time limit of one HTTP request (one attempt of the AWS SDK), &gt; 0 (<c>brrr.dynamodb.request-timeout</c>).</summary>
    public TimeSpan RequestTimeout
    {
        get;
        init => field = SettingChecks.Positive(value, nameof(RequestTimeout));
    }

    /// <summary>
    /// Time limit of one store operation, &gt; 0 (<c>brrr.dynamodb.operation-timeout</c>): the AWS SDK's retries and
    /// the resends of a batch's unprocessed keys count against it. Past it the operation fails with a
    /// <see cref="DynamoDbTimeoutException"/>, as it does when the SDK gives up on requests past <see cref="RequestTimeout"/>.
    /// </summary>
    public TimeSpan OperationTimeout
    {
        get;
        init => field = SettingChecks.Positive(value, nameof(OperationTimeout));
    }

    /// <summary>Billing mode of a table created by <see cref="DynamoDbStore.EnsureTableAsync"/> (<c>brrr.dynamodb.billing-mode</c>).</summary>
    public DynamoDbBillingMode BillingMode { get; init; }

    /// <summary>Read capacity units of a created provisioned table, &gt;= 1 (<c>brrr.dynamodb.read-capacity-units</c>).</summary>
    public long ReadCapacityUnits
    {
        get;
        init => field = SettingChecks.AtLeast(value, 1, nameof(ReadCapacityUnits));
    }

    /// <summary>Write capacity units of a created provisioned table, &gt;= 1 (<c>brrr.dynamodb.write-capacity-units</c>).</summary>
    public long WriteCapacityUnits
    {
        get;
        init => field = SettingChecks.AtLeast(value, 1, nameof(WriteCapacityUnits));
    }

    /// <summary>Longest wait for a table to become ACTIVE or to disappear, &gt; 0 (<c>brrr.dynamodb.table-ready-timeout</c>).</summary>
    public TimeSpan TableReadyTimeout
    {
        get;
        init => field = SettingChecks.Positive(value, nameof(TableReadyTimeout));
    }

    /// <summary>
    /// Reads the <c>brrr.dynamodb</c> section of <paramref name="config"/> (a root config, such as an actor system's),
    /// with <see cref="DefaultConfig"/> as the fallback for missing keys.
    /// </summary>
    /// <exception cref="ConfigurationException">A key has a bad value; the message names the key.</exception>
    public static DynamoDbStoreSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var withDefaults = ReferenceEquals(config, DefaultConfig) ? config : config.WithFallback(DefaultConfig);
        var section = withDefaults.GetConfig(ConfigPath);
        var reader = new SettingsReader(section, ConfigPath);
        return reader.Read(() => new DynamoDbStoreSettings
        {
            TableName = reader.String("table-name"),
            Region = reader.String("region"),
            ServiceUrl = reader.OptionalUri("service-url"),
            ConsistentReads = reader.Boolean("consistent-reads"),
            Coalesce = reader.Boolean("coalesce"),
            MaxErrorRetries = reader.Int("max-error-retries"),
            RetryMode = reader.Enum("retry-mode", RequestRetryMode.Standard, RequestRetryMode.Adaptive),
            RequestTimeout = reader.Duration("request-timeout"),
            OperationTimeout = reader.Duration("operation-timeout"),
            BillingMode = reader.Enum("billing-mode", DynamoDbBillingMode.PayPerRequest, DynamoDbBillingMode.Provisioned),
            ReadCapacityUnits = reader.Long("read-capacity-units"),
            WriteCapacityUnits = reader.Long("write-capacity-units"),
            TableReadyTimeout = reader.Duration("table-ready-timeout"),
        });
    }

    /// <summary>
    /// The settings of the reference demos' environment: <c>AWS_ENDPOINT_URL</c> (optional local endpoint),
    /// <c>AWS_REGION</c> (optional) and <c>DYNAMODB_TABLE_NAME</c> (default <c>brrr</c>), over <see cref="Default"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A variable holds a bad value; the message names the variable.</exception>
    public static DynamoDbStoreSettings FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    internal static DynamoDbStoreSettings FromEnvironment(Func<string, string?> variable)
    {
        var settings = Default;
        if (variable("AWS_ENDPOINT_URL") is { Length: > 0 } endpoint)
        {
            settings = settings with { ServiceUrl = SettingChecks.ParseUri(endpoint, "AWS_ENDPOINT_URL") };
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
