using System.Text.RegularExpressions;

namespace Brrr.Redis;

/// <summary>
/// Masks credentials in text a brrr tool prints: the userinfo of URLs (<c>redis://user:password@host</c> becomes
/// <c>redis://user:***@host</c>), <c>password=...</c> options of configuration strings, and given secrets anywhere.
/// </summary>
public static partial class Redaction
{
    /// <summary>What stands for a masked secret.</summary>
    public const string Mask = "***";

    // Shorter secrets are masked only where a pattern finds them: masking every "ab" of the output would garble it.
    private const int MinLiteralLength = 4;

    /// <summary>
    /// <paramref name="text"/> with URL passwords and <c>password=</c> values masked, and every secret of
    /// <paramref name="secrets"/> at least four characters long masked wherever it appears.
    /// </summary>
    public static string Redact(string text, IEnumerable<string>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var redacted = PasswordOption().Replace(UrlUserInfo().Replace(text, MaskUserInfo), $"${{key}}{Mask}");
        foreach (var secret in secrets ?? [])
        {
            if (secret.Length >= MinLiteralLength)
            {
                redacted = redacted.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return redacted;
    }

    /// <summary>The secrets of a Redis URL (its password, decoded and as written), to mask wherever they appear.</summary>
    public static IReadOnlyList<string> SecretsOf(string? redisUrl)
    {
        // By hand rather than with Uri, which rewrites some escapes of the userinfo: the text as written is wanted too.
        var start = redisUrl?.IndexOf("://", StringComparison.Ordinal) + 3 ?? 2;
        if (redisUrl is null || start < 3)
        {
            return [];
        }

        var end = redisUrl.IndexOfAny(['/', '?', '#'], start) is var slash and >= 0 ? slash : redisUrl.Length;
        var at = redisUrl.LastIndexOf('@', end - 1, end - start);
        if (at < 0)
        {
            return [];
        }

        var info = redisUrl[start..at];
        var written = info.Split(':', 2) is [_, var p] ? p : info;
        return new[] { written, Uri.UnescapeDataString(written) }.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
    }

    private static string MaskUserInfo(Match match)
    {
        var info = match.Groups["info"].Value;
        var colon = info.IndexOf(':', StringComparison.Ordinal);

        // Without a colon the userinfo of a redis:// URL is a password.
        return $"{match.Groups["scheme"].Value}{(colon < 0 ? "" : info[..colon] + ":")}{Mask}@";
    }

    [GeneratedRegex(@"(?<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?<info>[^\s/?#]*)@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInfo();

    [GeneratedRegex(@"(?<key>\b(?:password|pwd)\s*=\s*)[^,;\s]*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PasswordOption();
}
