using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Brrr.Codecs;

/// <summary>Writes a string as <see cref="JsString"/> does, lone surrogates as <c>\udxxx</c>; reads as the serializer's own converter.</summary>
internal sealed class JsStringConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonMetadataServices.StringConverter.Read(ref reader, typeToConvert, options);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => JsString.WriteValue(writer, value);
}

/// <summary>Writes a char as a one-character string as <see cref="JsString"/> does, a lone surrogate as <c>\udxxx</c>; reads as the serializer's own converter.</summary>
internal sealed class JsCharConverter : JsonConverter<char>
{
    /// <inheritdoc />
    public override char Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonMetadataServices.CharConverter.Read(ref reader, typeToConvert, options);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, char value, JsonSerializerOptions options) => JsString.WriteValue(writer, [value]);
}

/// <summary>
/// Writes a <see cref="double"/>, <see cref="float"/> or <see cref="Half"/> as <see cref="JsNumber"/> does
/// (<c>1.5e+21</c>, not <c>1.5E+21</c>), honouring <see cref="JsonNumberHandling.WriteAsString"/> and
/// <see cref="JsonNumberHandling.AllowNamedFloatingPointLiterals"/> as the serializer's own converter does.
/// Only the codec's writing options hold it: it reads a JSON number token as the serializer's own converter.
/// </summary>
internal sealed class JsFloatingPointConverter<T>(JsonConverter<T> own) : JsonConverter<T>
    where T : struct, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        own.Read(ref reader, typeToConvert, options);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        if (!T.IsFinite(value))
        {
            if ((options.NumberHandling & JsonNumberHandling.AllowNamedFloatingPointLiterals) == 0)
            {
                // Throws, as the serializer does for a value that JSON cannot hold.
                own.Write(writer, value, options);
                return;
            }

            writer.WriteStringValue(T.IsNaN(value) ? "NaN" : T.IsPositive(value) ? "Infinity" : "-Infinity");
            return;
        }

        Span<byte> text = stackalloc byte[JsNumber.MaxBytes];
        var length = JsNumber.Format(value, text);
        if ((options.NumberHandling & JsonNumberHandling.WriteAsString) != 0)
        {
            writer.WriteStringValue(text[..length]);
        }
        else
        {
            writer.WriteRawValue(text[..length], skipInputValidation: true);
        }
    }
}
