using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brrr.Codecs;

/// <summary>
/// An integer of at most 64 bits, written in plain digits and read from any JSON number that is a whole number
/// in range, in the exponent or fraction form JavaScript writes for large values (<c>1.5e+21</c>, <c>3.0</c>).
/// Honours <see cref="JsonNumberHandling.AllowReadingFromString"/> and <see cref="JsonNumberHandling.WriteAsString"/>
/// of the options.
/// </summary>
internal sealed class WholeNumberConverter<T> : JsonConverter<T>
    where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
{
    // Digits of the largest 64-bit values (ulong.MaxValue has 20).
    private const int MaxDigits = 20;

    private static readonly BigInteger Min = BigInteger.CreateChecked(T.MinValue);
    private static readonly BigInteger Max = BigInteger.CreateChecked(T.MaxValue);

    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var fromString = reader.TokenType == JsonTokenType.String && (options.NumberHandling & JsonNumberHandling.AllowReadingFromString) != 0;
        if (reader.TokenType != JsonTokenType.Number && !fromString)
        {
            throw new JsonException($"Expected a JSON number for {typeof(T).Name}, got {reader.TokenType}.");
        }

        var text = WholeNumber.TokenText(ref reader);
        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var plain))
        {
            return plain;
        }

        var outcome = WholeNumber.TryParse(text, MaxDigits, out var value);
        if (outcome == WholeNumber.Outcome.Whole && (value < Min || value > Max))
        {
            outcome = WholeNumber.Outcome.TooLarge;
        }

        return outcome == WholeNumber.Outcome.Whole ? T.CreateChecked(value) : throw WholeNumber.Problem(outcome, text, typeof(T).Name);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        if ((options.NumberHandling & JsonNumberHandling.WriteAsString) != 0)
        {
            Span<byte> digits = stackalloc byte[MaxDigits + 1];
            value.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
            writer.WriteStringValue(digits[..length]);
        }
        else if (T.IsNegative(value))
        {
            writer.WriteNumberValue(long.CreateTruncating(value));
        }
        else
        {
            writer.WriteNumberValue(ulong.CreateTruncating(value));
        }
    }
}
