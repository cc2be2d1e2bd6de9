using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brrr.Codecs;

/// <summary>
/// Writes a <see cref="BigInteger"/> as a plain JSON number of any length (as Python's json does) and reads a
/// JSON number or a numeric string back exactly, also in the exponent or fraction form JavaScript writes for a
/// large whole number (<c>4.356677625885486e+22</c> is 43566776258854860000000).
/// </summary>
public sealed class BigIntegerJsonConverter : JsonConverter<BigInteger>
{
    /// <inheritdoc />
    /// <exception cref="JsonException">The value is not a number, not whole, or its exponent adds more than 10 000 digits.</exception>
    public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType is not (JsonTokenType.Number or JsonTokenType.String))
        {
            throw new JsonException($"Expected a JSON number for a big integer, got {reader.TokenType}.");
        }

        var text = WholeNumber.TokenText(ref reader);
        var outcome = WholeNumber.TryParse(text, int.MaxValue, out var value);
        return outcome == WholeNumber.Outcome.Whole ? value : throw WholeNumber.Problem(outcome, text, nameof(BigInteger));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteRawValue(value.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
    }
}
