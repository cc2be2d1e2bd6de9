namespace Brrr.DynamoDb;

/// <summary>How a table created by <see cref="DynamoDbStore.EnsureTableAsync"/> is billed.</summary>
public enum DynamoDbBillingMode
{
    /// <summary>On-demand capacity (<c>PAY_PER_REQUEST</c>): no capacity planning, pay per request.</summary>
    PayPerRequest,

    /// <summary>Provisioned capacity (<c>PROVISIONED</c>) with the read and write units of the settings.</summary>
    Provisioned,
}
