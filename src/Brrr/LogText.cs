namespace Brrr;

/// <summary>Bounded excerpts of queue messages for logs and errors: a message of any size never becomes a log line of that size.</summary>
public static class LogText
{
    /// <summary>The most characters of a message a log line shows.</summary>
    public const int ExcerptChars = 200;

    /// <summary>
    /// <paramref name="text"/> when it has at most <paramref name="maxChars"/> characters; else its first ones followed by
    /// <c>… (N characters in all)</c>.
    /// </summary>
    public static string Excerpt(string? text, int maxChars = ExcerptChars)
    {
        if (text is null || text.Length <= maxChars)
        {
            return text ?? "";
        }

        return $"{Prefix(text, maxChars)}… ({text.Length} characters in all)";
    }

    /// <summary>The first at most <paramref name="maxChars"/> characters of <paramref name="text"/>, never half a surrogate pair.</summary>
    internal static string Prefix(string text, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        if (text.Length <= maxChars)
        {
            return text;
        }

        var length = char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return text[..length];
    }
}
