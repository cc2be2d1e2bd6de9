using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace Brrr.DynamoDb;

/// <summary>Builds the AWS SDK client a <see cref="DynamoDbStore"/> talks through.</summary>
public static class DynamoDbClientFactory
{
    // Requests to a local server are still signed; any region name does when none is configured.
    private const string LocalSigningRegion = "us-east-1";

    /// <summary>
    /// A DynamoDB client for <paramref name="settings"/>: its region or local endpoint, retry count and mode, and
    /// request timeout. Without <paramref name="credentials"/> the standard AWS credential chain is used
    /// (environment, profile, container or instance role). The caller owns and disposes the client.
    /// </summary>
    /// <param name="settings">Where to connect and how to retry.</param>
    /// <param name="credentials">Explicit credentials (e.g. dummy <see cref="BasicAWSCredentials"/> for a local server), or <c>null</c>.</param>
    public static AmazonDynamoDBClient CreateClient(DynamoDbStoreSettings settings, AWSCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = CreateConfig(settings);
        return credentials is null ? new AmazonDynamoDBClient(config) : new AmazonDynamoDBClient(credentials, config);
    }

    internal static AmazonDynamoDBConfig CreateConfig(DynamoDbStoreSettings settings)
    {
        var config = new AmazonDynamoDBConfig
        {
            MaxErrorRetry = settings.MaxErrorRetries,
            RetryMode = settings.RetryMode,
            Timeout = settings.RequestTimeout,
        };
        if (settings.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = settings.Region ?? LocalSigningRegion;
        }
        else if (settings.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return config;
    }
}
