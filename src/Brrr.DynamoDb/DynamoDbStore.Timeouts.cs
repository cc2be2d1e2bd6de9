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
        OperationLimits.RunInto(Settings, error, deadline, caller);

    private DynamoDbTimeoutException TimedOut(string operation, MemKey key, string limit, Exception error) =>
        new(operation, TableName, key, OperationLimits.Endpoint(Settings), limit, error);
}
