using Amazon.DynamoDBv2.Model;

namespace Brrr.DynamoDb;

/// <summary>
/// The item layout of PROTOCOL.md §3, shared with the Python and TypeScript workers: partition key <c>pk</c> (S) =
/// call hash, sort key <c>sk</c> (S) = type word, one binary attribute <c>value</c> (B). All naming lives here.
/// </summary>
internal static class ItemLayout
{
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";
    public const string ValueAttribute = "value";

    // "value" is a DynamoDB reserved word: expressions must go through a placeholder.
    public const string ValueName = "#value";
    public const string NewValue = ":v";
    public const string ExpectedValue = ":expected";

    // BrrrAkka's own attribute, which the reference workers neither read nor write: when the item expires, in Unix
    // seconds (a number, as the table's TTL setting needs). Readers treat an item past it as absent, since DynamoDB
    // deletes expired items only eventually (within days), and dynalite never.
    public const string ExpiresAtAttribute = "expires_at";
    public const string ExpiresAtName = "#expires";
    public const string Now = ":now";
    public const string ExpiresAt = ":expires";

    public const string SetValueAndKeep = "SET #value = :v REMOVE #expires";
    public const string SetExpiry = "SET #expires = :expires";
    public const string RemoveExpiry = "REMOVE #expires";
    public const string NotExpired = "(attribute_not_exists(#expires) OR #expires > :now)";
    public const string ValueIsAbsentOrExpired = "attribute_not_exists(#value) OR #expires <= :now";
    public const string ValueIsExpectedAndLive = "#value = :expected AND " + NotExpired;
    public const string ValueExistsAndIsExpectedAndLive = "attribute_exists(#value) AND #value = :expected AND " + NotExpired;
    public const string ValueExistsAndLive = "attribute_exists(#value) AND " + NotExpired;

    public static Dictionary<string, string> ValueAndExpiryNames() => new() { [ValueName] = ValueAttribute, [ExpiresAtName] = ExpiresAtAttribute };

    public static AttributeValue Number(long value) => new() { N = value.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary><paramref name="item"/>, or <c>null</c> when its <c>expires_at</c> is at or before <paramref name="now"/> (Unix seconds).</summary>
    public static Dictionary<string, AttributeValue>? Live(Dictionary<string, AttributeValue>? item, long now) =>
        item is not null
        && item.TryGetValue(ExpiresAtAttribute, out var expires)
        && expires?.N is { } text
        && long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var at)
        && at <= now
            ? null
            : item;

    public static Dictionary<string, AttributeValue> Key(MemKey key) => KeyOf(Id(key));

    /// <summary>The identity of an item in a batch request or response: its (pk, sk) strings.</summary>
    public static (string Pk, string Sk) Id(MemKey key) => (key.CallHash, key.TypeWord);

    /// <summary>The (pk, sk) of a key or item DynamoDB returned.</summary>
    public static (string Pk, string Sk) Id(Dictionary<string, AttributeValue> keyOrItem) =>
        (keyOrItem[PartitionKey].S, keyOrItem[SortKey].S);

    public static Dictionary<string, AttributeValue> KeyOf((string Pk, string Sk) id) => new()
    {
        [PartitionKey] = new AttributeValue { S = id.Pk },
        [SortKey] = new AttributeValue { S = id.Sk },
    };

    public static Dictionary<string, AttributeValue> Item(MemKey key, byte[] value)
    {
        var item = Key(key);
        item[ValueAttribute] = Binary(value);
        return item;
    }

    // The SDK copies the stream when it marshals the request, so retries resend the same bytes.
    public static AttributeValue Binary(byte[] value) => new() { B = new MemoryStream(value, writable: false) };

    /// <summary>The bytes of a read item, <c>null</c> for no item; a malformed item is a <see cref="ProtocolException"/>.</summary>
    public static byte[]? ValueOf(Dictionary<string, AttributeValue>? item, MemKey key, string table)
    {
        if (item is null || item.Count == 0)
        {
            return null;
        }

        if (!item.TryGetValue(ValueAttribute, out var value) || value is null)
        {
            throw Malformed(key, table, "has no 'value' attribute");
        }

        return BinaryOf(value, key, table).ToArray();
    }

    /// <summary>
    /// Whether a read item holds a value: an item without a <c>value</c> attribute counts as absent, one of another
    /// type than binary is a <see cref="ProtocolException"/>.
    /// </summary>
    public static bool HasValue(Dictionary<string, AttributeValue>? item, MemKey key, string table) =>
        item is not null
        && item.TryGetValue(ValueAttribute, out var value)
        && value is not null
        && BinaryOf(value, key, table) is not null;

    private static MemoryStream BinaryOf(AttributeValue value, MemKey key, string table) =>
        value.B ?? throw Malformed(key, table, $"has a 'value' attribute of type {TypeOf(value)} instead of B (binary)");

    private static ProtocolException Malformed(MemKey key, string table, string problem) =>
        new($"The item pk='{key.CallHash}', sk='{key.TypeWord}' of DynamoDB table '{table}' {problem}: " +
            "PROTOCOL.md §3 stores the record bytes in a binary attribute 'value'. Something other than a brrr worker wrote this item; delete or rewrite it.");

    private static string TypeOf(AttributeValue value) =>
        value.S is not null ? "S (string)"
        : value.N is not null ? "N (number)"
        : value.BOOL is not null ? "BOOL"
        : value.NULL is true ? "NULL"
        : value.L is not null ? "L (list)"
        : value.M is not null ? "M (map)"
        : value.SS is not null ? "SS (string set)"
        : value.NS is not null ? "NS (number set)"
        : value.BS is not null ? "BS (binary set)"
        : "unknown";
}
