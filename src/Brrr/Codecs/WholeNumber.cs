using System.Buffers;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Brrr.Codecs;

/// <summary>
/// Reads a JSON number as the exact whole number it writes, in any form JavaScript writes one
/// (<c>4.356677625885486e+22</c>, <c>3.0</c>, <c>1E3</c>): the decimal value as written, never through a double.
/// </summary>
internal static class WholeNumber
{
    /// <summary>An exponent form may add at most this many zeros (far beyond a double's 309 digits).</summary>
    public const int MaxShift = 10_000;

    private const int OnStack = 128;

    /// <summary>What reading a number gave.</summary>
    public enum Outcome
    {
        /// <summary>A whole number.</summary>
        Whole,

        /// <summary>Not a JSON number.</summary>
        NotANumber,

        /// <summary>A number with a fractional part.</summary>
        NotWhole,

        /// <summary>A whole number of more than the allowed digits.</summary>
        TooLarge,
    }

    /// <summary>Reads <paramref name="text"/> (JSON number syntax) as a whole number of at most <paramref name="maxDigits"/> digits.</summary>
    public static Outcome TryParse(ReadOnlySpan<byte> text, int maxDigits, out BigInteger value)
    {
        value = BigInteger.Zero;
        var i = 0;
        var negative = i < text.Length && text[i] == (byte)'-';
        i += negative ? 1 : 0;
        var whole = Digits(text, ref i);
        if (whole.IsEmpty || (whole.Length > 1 && whole[0] == (byte)'0'))
        {
            return Outcome.NotANumber;
        }

        var fraction = ReadOnlySpan<byte>.Empty;
        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            fraction = Digits(text, ref i);
            if (fraction.IsEmpty)
            {
                return Outcome.NotANumber;
            }
        }

        long exponent = 0;
        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            i++;
            var negativeExponent = i < text.Length && text[i] == (byte)'-';
            i += i < text.Length && text[i] is (byte)'-' or (byte)'+' ? 1 : 0;
            var digits = Digits(text, ref i);
            if (digits.IsEmpty)
            {
                return Outcome.NotANumber;
            }

            foreach (var d in digits)
            {
                // Saturates: anything past this is too large or not whole either way.
                exponent = Math.Min((exponent * 10) + (d - '0'), int.MaxValue);
            }

            exponent = negativeExponent ? -exponent : exponent;
        }

        if (i != text.Length)
        {
            return Outcome.NotANumber;
        }

        return Build(whole, fraction, exponent, negative, maxDigits, out value);
    }

    /// <summary>The error of a number that did not read as a <paramref name="typeName"/>.</summary>
    public static JsonException Problem(Outcome outcome, ReadOnlySpan<byte> text, string typeName)
    {
        const int Shown = 40;
        var number = text.Length > Shown ? Encoding.UTF8.GetString(text[..Shown]) + "…" : Encoding.UTF8.GetString(text);
        return new JsonException(outcome switch
        {
            Outcome.NotWhole => $"The number {number} is not a whole number, so it cannot be read as {typeName}.",
            Outcome.TooLarge => $"The number {number} is out of the range of {typeName}.",
            _ => $"'{number}' is not a JSON number, so it cannot be read as {typeName}.",
        });
    }

    /// <summary>The text of the number or string token at <paramref name="reader"/>, unescaped; copied only when it has to be.</summary>
    public static ReadOnlySpan<byte> TokenText(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!)
        : reader.HasValueSequence ? reader.ValueSequence.ToArray()
        : reader.ValueSpan;

    private static ReadOnlySpan<byte> Digits(ReadOnlySpan<byte> text, scoped ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit((char)text[i]))
        {
            i++;
        }

        return text[start..i];
    }

    // The value is the digits of whole and fraction together × 10^(exponent − fraction length).
    private static Outcome Build(ReadOnlySpan<byte> whole, ReadOnlySpan<byte> fraction, long exponent, bool negative, int maxDigits, out BigInteger value)
    {
        value = BigInteger.Zero;
        var total = whole.Length + fraction.Length;
        var rented = total > OnStack ? ArrayPool<char>.Shared.Rent(total) : null;
        var digits = (rented ?? stackalloc char[OnStack])[..total];
        try
        {
            for (var j = 0; j < total; j++)
            {
                digits[j] = (char)(j < whole.Length ? whole[j] : fraction[j - whole.Length]);
            }

            var first = digits.IndexOfAnyExcept('0');
            if (first < 0)
            {
                return Outcome.Whole;
            }

            var last = digits.LastIndexOfAnyExcept('0');
            var shift = exponent - fraction.Length + (total - 1 - last);
            var significant = digits[first..(last + 1)];
            if (shift < 0)
            {
                return Outcome.NotWhole;
            }

            if (shift > MaxShift || significant.Length + shift > maxDigits)
            {
                return Outcome.TooLarge;
            }

            value = BigInteger.Parse(significant, provider: System.Globalization.CultureInfo.InvariantCulture);
            value = shift == 0 ? value : value * BigInteger.Pow(10, (int)shift);
            value = negative ? -value : value;
            return Outcome.Whole;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
