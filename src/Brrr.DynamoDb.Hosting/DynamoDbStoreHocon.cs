using Akka.Configuration;
using Amazon.Runtime;

namespace Brrr.DynamoDb.Hosting;

/// <summary>Reads <see cref="DynamoDbStoreSettings"/> from the HOCON section <c>brrr.dynamodb</c>.</summary>
public static class DynamoDbStoreHocon
{
    /// <summary>
    /// The settings of the <c>brrr.dynamodb</c> section of <paramref name="config"/> (a root config, such as an actor
    /// system's): each key present overrides <see cref="DynamoDbStoreSettings.Default"/>, missing keys keep it
    /// (<c>reference.conf</c> of this package lists the keys).
    /// </summary>
    /// <exception cref="ConfigurationException">A key has a bad value; the message names the key.</exception>
    public static DynamoDbStoreSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = DynamoDbStoreSettings.Default;
        var section = config.GetConfig(DynamoDbStoreSettings.ConfigPath);
        if (section is null || section.IsEmpty)
        {
            return defaults;
        }

        var reader = new SettingsReader(section, DynamoDbStoreSettings.ConfigPath);
        return reader.Read(() => defaults with
        {
            TableName = reader.String("table-name", defaults.TableName),
            Region = reader.OptionalText("region", defaults.Region),
            ServiceUrl = reader.OptionalUri("service-url", defaults.ServiceUrl),
            ConsistentReads = reader.Boolean("consistent-reads", defaults.ConsistentReads),
            Coalesce = reader.Boolean("coalesce", defaults.Coalesce),
            MaxErrorRetries = reader.Int("max-error-retries", defaults.MaxErrorRetries),
            RetryMode = reader.Enum("retry-mode", defaults.RetryMode, RequestRetryMode.Standard, RequestRetryMode.Adaptive),
            RequestTimeout = reader.Duration("request-timeout", defaults.RequestTimeout),
            OperationTimeout = reader.Duration("operation-timeout", defaults.OperationTimeout),
            CounterExpiry = reader.Duration("counter-expiry", defaults.CounterExpiry),
            CancelExpiry = reader.Duration("cancel-expiry", defaults.CancelExpiry),
            BillingMode = reader.Enum("billing-mode", defaults.BillingMode, DynamoDbBillingMode.PayPerRequest, DynamoDbBillingMode.Provisioned),
            ReadCapacityUnits = reader.Long("read-capacity-units", defaults.ReadCapacityUnits),
            WriteCapacityUnits = reader.Long("write-capacity-units", defaults.WriteCapacityUnits),
            TableReadyTimeout = reader.Duration("table-ready-timeout", defaults.TableReadyTimeout),
        });
    }
}
