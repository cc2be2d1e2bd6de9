using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Brrr.Codecs;

/// <summary>
/// The escaping of <see cref="JsString"/> for a <see cref="System.Text.Json.Utf8JsonWriter"/>'s property names and
/// strings. The writer hands an encoder U+FFFD in place of a lone surrogate, so this one throws instead of writing
/// text other than what was given: string values with lone surrogates go through <see cref="JsString.WriteValue"/>.
/// </summary>
internal sealed class JsTextEncoder : JavaScriptEncoder
{
    private static readonly SearchValues<byte> Bytes = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    private JsTextEncoder() { }

    /// <summary>The one instance.</summary>
    public static JsTextEncoder Instance { get; } = new();

    /// <inheritdoc />
    public override int MaxOutputCharactersPerInputCharacter => 6;

    /// <inheritdoc />
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        JsString.IndexOfNotPlain(new ReadOnlySpan<char>(text, textLength));

    /// <inheritdoc />
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        var first = utf8Text.IndexOfAny(Bytes);
        var plain = first < 0 ? utf8Text : utf8Text[..first];
        if (Utf8.IsValid(plain))
        {
            return first;
        }

        // Invalid UTF-8 goes to the escaping, which refuses it.
        var at = 0;
        while (Rune.DecodeFromUtf8(plain[at..], out _, out var consumed) == OperationStatus.Done)
        {
            at += consumed;
        }

        return at;
    }

    /// <inheritdoc />
    public override bool WillEncode(int unicodeScalar) => unicodeScalar < 0x20 || unicodeScalar is '"' or '\\';

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The text held a lone surrogate or invalid UTF-8 (which the writer passes as U+FFFD).</exception>
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        if (!WillEncode(unicodeScalar))
        {
            throw new ArgumentException(
                "Text with a lone surrogate (invalid UTF-16) or invalid UTF-8 cannot be written here as JavaScript writes it (\\udxxx): "
                + "only string values and the keys of a JsonObject can hold a lone surrogate.",
                nameof(unicodeScalar));
        }

        Span<byte> escape = stackalloc byte[6];
        var length = JsString.WriteEscape((char)unicodeScalar, escape);
        numberOfCharactersWritten = 0;
        if (length > bufferLength)
        {
            return false;
        }

        for (var i = 0; i < length; i++)
        {
            buffer[i] = (char)escape[i];
        }

        numberOfCharactersWritten = length;
        return true;
    }
}
