using System.Globalization;

namespace Brrr.DynamoDb;

public sealed partial class DynamoDbStore
{
    // One request of a store operation (the SDK's retries included) under the operation timeout.
    private async Task<TResponse> SendAsync<TResponse>(
        string operation, MemKey key, Func<CancellationToken, Task<TResponse>> send, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Settings.OperationTimeout);
        try
        {
            return await send(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (LimitRunInto(e, deadline.Token, cancellationToken) is { } limit)
        {
            throw TimedOut(operation, key, limit, e);
        }
    }

    // The time limit a failed request ran into, or null when it failed for another reason or its caller cancelled it.
    private string? LimitRunInto(Exception error, CancellationToken deadline, CancellationToken caller) =>
        caller.IsCancellationRequested ? null
        : error is OperationCanceledException && deadline.IsCancellationRequested
            ? $"no answer within brrr.dynamodb.operation-timeout = {Seconds(Settings.OperationTimeout)}"
        : error is TimeoutException
            ? $"the last of the AWS SDK's attempts (at most {Settings.MaxErrorRetries + 1}, brrr.dynamodb.max-error-retries + 1) " +
              $"got no answer within brrr.dynamodb.request-timeout = {Seconds(Settings.RequestTimeout)}"
        : null;

    private DynamoDbTimeoutException TimedOut(string operation, MemKey key, string limit, Exception error) =>
        new(operation, TableName, key, Endpoint(), limit, error);

    private string Endpoint() =>
        Settings.ServiceUrl?.ToString()
        ?? (Settings.Region is { } region ? $"the AWS endpoint of region {region}" : "the AWS endpoint of the region of the AWS chain");

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
