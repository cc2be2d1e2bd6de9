using System.Buffers;

namespace Brrr.Protocol;

/// <summary>
/// The one rule for the identifiers that end up inside store keys, counter keys and queue messages: call hashes and
/// root ids. Every type that carries one (<see cref="ScheduleMessage"/>, <see cref="PendingReturn"/>,
/// <see cref="Brrr.Call"/>) checks it here when it is made, and <see cref="Brrr.Memory"/> checks every hash it is
/// given before it makes a store key of it, so a decoder, a codec and a caller all meet the same rule. (A bare
/// <see cref="MemKey"/> is not checked: stores are byte stores, and their tests hand them any key.)
/// </summary>
/// <remarks>
/// A call hash is 1 to <see cref="MaxLength"/> characters of <c>[A-Za-z0-9._:-]</c>: the references' lowercase hex
/// SHA-256, any other hex or base64url digest, and a scheme prefix such as <c>sha256:</c>. A root id may also hold
/// non-ASCII letters and digits (PROTOCOL.md §7's vector <c>ScheduleMessage("rööt", "h")</c>); Python's base64url
/// and TypeScript's hex ids are inside the ASCII part. Braces (Redis cluster hash tags), glob characters, quotes,
/// slashes, spaces, control characters and symbols are refused.
/// </remarks>
public static class Identifiers
{
    /// <summary>The longest call hash or root id, in characters: a SHA-512 in hex fits.</summary>
    public const int MaxLength = 128;

    private static readonly SearchValues<char> AsciiAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");

    /// <summary>Returns <paramref name="callHash"/> when it is a valid call hash.</summary>
    /// <param name="callHash">The hash to check.</param>
    /// <param name="where">What holds it, for the message (e.g. <c>ScheduleMessage: field 'call_hash'</c>).</param>
    /// <exception cref="ProtocolException">It is empty, too long, or holds a character outside the alphabet.</exception>
    public static string CallHash(string callHash, string where) => Check(callHash, where, "call hash", allowNonAsciiLetters: false);

    /// <summary>Returns <paramref name="rootId"/> when it is a valid root id.</summary>
    /// <param name="rootId">The root id to check.</param>
    /// <param name="where">What holds it, for the message (e.g. <c>ScheduleMessage: field 'root_id'</c>).</param>
    /// <exception cref="ProtocolException">It is empty, too long, or holds a character outside the alphabet.</exception>
    public static string RootId(string rootId, string where) => Check(rootId, where, "root id", allowNonAsciiLetters: true);

    /// <summary>
    /// Whether <paramref name="callHash"/> is a valid call hash: the check of <see cref="CallHash"/> without its message,
    /// for a hot path that builds the message only when it has to throw.
    /// </summary>
    internal static bool IsCallHash(string? callHash) =>
        callHash is { Length: > 0 and <= MaxLength } && !callHash.AsSpan().ContainsAnyExcept(AsciiAlphabet);

    private static string Check(string value, string where, string what, bool allowNonAsciiLetters)
    {
        if (value is { Length: > 0 and <= MaxLength } && !value.AsSpan().ContainsAnyExcept(AsciiAlphabet))
        {
            return value;
        }

        ArgumentNullException.ThrowIfNull(value, what);
        if (value.Length == 0)
        {
            throw new ProtocolException($"{where}: a {what} must not be empty.");
        }

        if (value.Length > MaxLength)
        {
            throw new ProtocolException($"{where}: a {what} holds at most {MaxLength} characters, got {value.Length} (starting '{value[..16]}').");
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':') && !(allowNonAsciiLetters && c > '\u007f' && char.IsLetterOrDigit(c)))
            {
                var shown = c is > ' ' and < '\u007f' ? $"'{c}'" : $"U+{(int)c:X4}";
                throw new ProtocolException(
                    $"{where}: a {what} may hold only {(allowNonAsciiLetters ? "letters, digits" : "ASCII letters, digits")} and '-', '_', '.', ':' (it becomes part of store and queue keys), found {shown}.");
            }
        }

        return value;
    }
}
