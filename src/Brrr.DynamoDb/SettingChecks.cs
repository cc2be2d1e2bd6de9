using System.Text.RegularExpressions;

namespace Brrr.DynamoDb;

/// <summary>A setting value out of range; <see cref="Reason"/> says why without naming the setting.</summary>
internal sealed class SettingOutOfRangeException(string name, string reason) : ArgumentException($"{name} {reason}", name)
{
    public string Reason { get; } = reason;
}

/// <summary>The checks of <see cref="DynamoDbStoreSettings"/>, shared by its properties, HOCON and environment readers.</summary>
internal static partial class SettingChecks
{
    [GeneratedRegex("^[A-Za-z0-9_.-]{3,255}$")]
    private static partial Regex TableNamePattern();

    public static string TableName(string? value, string name) =>
        value is not null && TableNamePattern().IsMatch(value)
            ? value
            : throw new SettingOutOfRangeException(name, $"must be a DynamoDB table name (3 to 255 characters of A-Z a-z 0-9 _ . -), got '{value}'");

    public static string? OptionalText(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static Uri? ServiceUrl(Uri? value, string name) =>
        value is null || (value.IsAbsoluteUri && (value.Scheme == Uri.UriSchemeHttp || value.Scheme == Uri.UriSchemeHttps))
            ? value
            : throw new SettingOutOfRangeException(name, $"must be an absolute http or https URL, got '{value}'");

    public static Uri ParseUri(string value, string name) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
            ? ServiceUrl(uri, name)!
            : throw new SettingOutOfRangeException(name, $"must be an absolute http or https URL, got '{value}'");

    public static int AtLeast(int value, int minimum, string name) =>
        value >= minimum ? value : throw new SettingOutOfRangeException(name, $"must be >= {minimum}, got {value}");

    public static long AtLeast(long value, long minimum, string name) =>
        value >= minimum ? value : throw new SettingOutOfRangeException(name, $"must be >= {minimum}, got {value}");

    public static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new SettingOutOfRangeException(name, $"must be a duration > 0, got {value}");
}
