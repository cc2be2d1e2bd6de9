using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Brrr.Codecs;

/// <summary>
/// JSON strings exactly as JavaScript's <c>JSON.stringify</c> writes them (PROTOCOL.md §6): only <c>"</c>, <c>\</c>
/// and the controls below U+0020 are escaped (<c>\b \t \n \f \r</c>, else <c>\u00xx</c> in lowercase hex), lone
/// surrogates as <c>\udxxx</c>; every other character is raw UTF-8.
/// </summary>
internal static class JsString
{
    private const int OnStack = 256;

    // The characters that are always escaped.
    private static readonly SearchValues<char> Escaped = SearchValues.Create(string.Concat(Enumerable.Range(0, 0x20).Select(c => (char)c)) + "\"\\");

    /// <summary>Where the first UTF-16 code unit of <paramref name="text"/> is that is not copied as it is (escaped, or a surrogate), or -1.</summary>
    public static int IndexOfNotPlain(ReadOnlySpan<char> text)
    {
        var escaped = text.IndexOfAny(Escaped);
        var surrogate = (escaped < 0 ? text : text[..escaped]).IndexOfAnyInRange('\ud800', '\udfff');
        return surrogate < 0 ? escaped : surrogate;
    }

    /// <summary>The most bytes <see cref="Write(ReadOnlySpan{char}, Span{byte})"/> writes for <paramref name="length"/> UTF-16 code units.</summary>
    public static int MaxBytes(int length) => checked((length * 6) + 2);

    /// <summary>Writes <paramref name="text"/> as a quoted JSON string into <paramref name="destination"/> (at least <see cref="MaxBytes"/> long).</summary>
    public static int Write(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var at = 0;
        destination[at++] = (byte)'"';
        while (true)
        {
            var next = IndexOfNotPlain(text);
            at += Encoding.UTF8.GetBytes(next < 0 ? text : text[..next], destination[at..]);
            if (next < 0)
            {
                break;
            }

            var paired = char.IsHighSurrogate(text[next]) && next + 1 < text.Length && char.IsLowSurrogate(text[next + 1]);
            at += paired ? Encoding.UTF8.GetBytes(text.Slice(next, 2), destination[at..]) : WriteEscape(text[next], destination[at..]);
            text = text[(next + (paired ? 2 : 1))..];
        }

        destination[at++] = (byte)'"';
        return at;
    }

    /// <summary>Writes <paramref name="text"/> as a quoted JSON string to <paramref name="output"/>.</summary>
    public static void Write(ReadOnlySpan<char> text, IBufferWriter<byte> output) =>
        output.Advance(Write(text, output.GetSpan(MaxBytes(text.Length))));

    /// <summary>
    /// Writes <paramref name="text"/> as a string value; the writer's own escaping (with <see cref="JsTextEncoder"/>)
    /// is used unless the text holds surrogates, which it cannot write as <c>\udxxx</c> when they are alone.
    /// </summary>
    public static void WriteValue(Utf8JsonWriter writer, ReadOnlySpan<char> text)
    {
        if (!text.ContainsAnyInRange('\ud800', '\udfff'))
        {
            writer.WriteStringValue(text);
            return;
        }

        var length = MaxBytes(text.Length);
        var rented = length > OnStack ? ArrayPool<byte>.Shared.Rent(length) : null;
        var buffer = rented ?? stackalloc byte[OnStack];
        try
        {
            writer.WriteRawValue(buffer[..Write(text, buffer)], skipInputValidation: true);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Writes a quoted JSON string token as read (<paramref name="token"/>, escapes as its writer chose them) in
    /// the form of <see cref="Write(ReadOnlySpan{char}, Span{byte})"/>, into <paramref name="destination"/> of at
    /// least the token's length (the form is never longer).
    /// </summary>
    /// <exception cref="ArgumentException">The token is not valid UTF-8.</exception>
    public static int Rewrite(ReadOnlySpan<byte> token, Span<byte> destination)
    {
        if (!Utf8.IsValid(token))
        {
            throw new ArgumentException("A JSON string of the arguments is not valid UTF-8.", nameof(token));
        }

        var text = token[1..^1];
        var at = 0;
        destination[at++] = (byte)'"';
        while (true)
        {
            var next = text.IndexOf((byte)'\\');
            (next < 0 ? text : text[..next]).CopyTo(destination[at..]);
            if (next < 0)
            {
                at += text.Length;
                break;
            }

            at += next;
            text = text[next..];
            at += RewriteEscape(ref text, destination[at..]);
        }

        destination[at++] = (byte)'"';
        return at;
    }

    /// <summary>Writes the escape of one UTF-16 code unit that <see cref="Write(ReadOnlySpan{char}, Span{byte})"/> escapes (ASCII, at most 6 bytes).</summary>
    public static int WriteEscape(char c, Span<byte> destination)
    {
        destination[0] = (byte)'\\';
        var letter = c switch
        {
            '"' => '"',
            '\\' => '\\',
            '\b' => 'b',
            '\t' => 't',
            '\n' => 'n',
            '\f' => 'f',
            '\r' => 'r',
            _ => 'u',
        };
        destination[1] = (byte)letter;
        if (letter != 'u')
        {
            return 2;
        }

        ((ushort)c).TryFormat(destination[2..6], out _, "x4", System.Globalization.CultureInfo.InvariantCulture);
        return 6;
    }

    // Rewrites the escape at the start of text (a backslash and what follows) and moves text past it.
    private static int RewriteEscape(ref ReadOnlySpan<byte> text, Span<byte> destination)
    {
        if (text[1] != (byte)'u')
        {
            var escaped = text[1] == (byte)'/' ? "/"u8 : text[..2];
            text = text[2..];
            escaped.CopyTo(destination);
            return escaped.Length;
        }

        var unit = (char)Hex(text[2..6]);
        text = text[6..];
        if (char.IsHighSurrogate(unit) && text.Length >= 6 && text[0] == (byte)'\\' && text[1] == (byte)'u'
            && char.IsLowSurrogate((char)Hex(text[2..6])))
        {
            var pair = new Rune(unit, (char)Hex(text[2..6]));
            text = text[6..];
            return pair.EncodeToUtf8(destination);
        }

        return char.IsSurrogate(unit) || unit < 0x20 || unit is '"' or '\\'
            ? WriteEscape(unit, destination)
            : new Rune(unit).EncodeToUtf8(destination);
    }

    private static int Hex(ReadOnlySpan<byte> digits) =>
        int.Parse(digits, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
}
