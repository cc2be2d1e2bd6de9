namespace Brrr.DynamoDb;

/// <summary>
/// A store operation got no answer from DynamoDB in time: the endpoint is unreachable, stalled or overloaded. A
/// <see cref="TimeoutException"/>, which a brrr worker treats as transient (the call's message goes back to the
/// queue). A write that timed out may or may not have been applied. <see cref="Exception.InnerException"/> holds the
/// AWS SDK's error.
/// </summary>
public sealed class DynamoDbTimeoutException : TimeoutException
{
    internal DynamoDbTimeoutException(string operation, string tableName, MemKey key, string endpoint, string limit, Exception innerException)
        : base(
            $"DynamoDB {operation} of pk='{key.CallHash}', sk='{key.TypeWord}' on table '{tableName}' at {endpoint} timed out: {limit}. " +
            $"The endpoint is unreachable, stalled or overloaded{(IsRead(operation) ? "" : "; the write may or may not have been applied")}: " +
            "check it, or raise brrr.dynamodb.operation-timeout or request-timeout if it is only slow.",
            innerException)
    {
        Operation = operation;
        TableName = tableName;
        Key = key;
        Endpoint = endpoint;
    }

    /// <summary>The DynamoDB operation that timed out, such as <c>GetItem</c> or <c>BatchWriteItem</c>.</summary>
    public string Operation { get; }

    /// <summary>The table of the operation.</summary>
    public string TableName { get; }

    /// <summary>The key of the store operation (pk = call hash, sk = type word).</summary>
    public MemKey Key { get; }

    /// <summary>The endpoint the store talks to: its service URL, or the AWS endpoint of its region.</summary>
    public string Endpoint { get; }

    private static bool IsRead(string operation) => operation is "GetItem" or "BatchGetItem";
}
