using System.Globalization;

namespace Brrr.DynamoDb;

/// <summary>The time limits of one operation of the store or the cache (<see cref="DynamoDbStoreSettings"/>), named for error messages.</summary>
internal static class OperationLimits
{
    /// <summary>The time limit a failed request ran into, or <c>null</c> when it failed for another reason or its caller cancelled it.</summary>
    public static string? RunInto(DynamoDbStoreSettings settings, Exception error, CancellationToken deadline, CancellationToken caller) =>
        caller.IsCancellationRequested ? null
        : error is OperationCanceledException && deadline.IsCancellationRequested
            ? $"no answer within brrr.dynamodb.operation-timeout = {Seconds(settings.OperationTimeout)}"
        : error is TimeoutException
            ? $"the last of the AWS SDK's attempts (at most {settings.MaxErrorRetries + 1}, brrr.dynamodb.max-error-retries + 1) " +
              $"got no answer within brrr.dynamodb.request-timeout = {Seconds(settings.RequestTimeout)}"
        : null;

    /// <summary>The endpoint of <paramref name="settings"/>: its service URL, or the AWS endpoint of its region.</summary>
    public static string Endpoint(DynamoDbStoreSettings settings) =>
        settings.ServiceUrl?.ToString()
        ?? (settings.Region is { } region ? $"the AWS endpoint of region {region}" : "the AWS endpoint of the region of the AWS chain");

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
