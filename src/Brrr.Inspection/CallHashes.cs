namespace Brrr.Inspection;

/// <summary>Checks call hashes, dead-letter ids and root ids that come from outside (a command line, an HTTP request).</summary>
public static class CallHashes
{
    /// <summary>The most characters of a call hash.</summary>
    public const int MaxLength = 256;

    /// <summary>Returns <paramref name="hash"/> when it can be a call hash: 1 to 256 letters, digits, '-' or '_'.</summary>
    /// <exception cref="ArgumentException">It cannot.</exception>
    public static string Check(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return hash.Length is > 0 and <= MaxLength && hash.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? hash
            : throw new ArgumentException($"bad call hash '{(hash.Length > 40 ? hash[..40] + "…" : hash)}': a call hash is letters and digits, as status --json prints it");
    }

    /// <summary>Returns <paramref name="rootId"/> when it can be a workflow root id: 1 to 256 characters, no control characters.</summary>
    /// <exception cref="ArgumentException">It cannot.</exception>
    public static string CheckRootId(string rootId)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return rootId.Length is > 0 and <= MaxLength && !rootId.Any(char.IsControl)
            ? rootId
            : throw new ArgumentException($"bad root id '{(rootId.Length > 40 ? rootId[..40] + "…" : rootId)}': pass the root id schedule printed");
    }
}
