using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Brrr.Codecs;

public sealed partial class JsonCodec
{
    private static readonly Comparison<KeyValuePair<string, JsonNode?>> ByKey = static (a, b) => string.CompareOrdinal(a.Key, b.Key);

    // For values of other types than the usual ones: written by their own converter, then read back.
    private static readonly JsonSerializerOptions OtherValues = new() { Encoder = JsTextEncoder.Instance };

    /// <summary>
    /// Writes <paramref name="node"/> in the canonical form: compact, object keys sorted (ordinal), strings as
    /// <see cref="JsString"/>, numbers with a fraction or an exponent as <see cref="JsNumber"/>, integers exactly.
    /// </summary>
    private static void WriteCanonical(IBufferWriter<byte> output, JsonNode? node)
    {
        switch (node)
        {
            case null:
                Append(output, "null"u8);
                break;
            case JsonObject obj:
                var properties = new KeyValuePair<string, JsonNode?>[obj.Count];
                ((ICollection<KeyValuePair<string, JsonNode?>>)obj).CopyTo(properties, 0);
                Array.Sort(properties, ByKey);
                for (var i = 0; i < properties.Length; i++)
                {
                    Append(output, i == 0 ? "{"u8 : ","u8);
                    JsString.Write(properties[i].Key, output);
                    Append(output, ":"u8);
                    WriteCanonical(output, properties[i].Value);
                }

                Append(output, properties.Length == 0 ? "{}"u8 : "}"u8);
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Append(output, i == 0 ? "["u8 : ","u8);
                    WriteCanonical(output, array[i]);
                }

                Append(output, array.Count == 0 ? "[]"u8 : "]"u8);
                break;
            default:
                WriteValue(output, node.AsValue());
                break;
        }
    }

    private static void WriteValue(IBufferWriter<byte> output, JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            WriteElement(output, element);
        }
        else if (value.TryGetValue<string>(out var text))
        {
            JsString.Write(text, output);
        }
        else if (value.TryGetValue<int>(out var small))
        {
            output.Advance(JsonNumberOf(small, output.GetSpan(11)));
        }
        else if (value.TryGetValue<long>(out var large))
        {
            output.Advance(JsonNumberOf(large, output.GetSpan(20)));
        }
        else if (value.TryGetValue<bool>(out var flag))
        {
            Append(output, flag ? "true"u8 : "false"u8);
        }
        else if (value.TryGetValue<double>(out var number))
        {
            WriteFloatingPoint(output, number);
        }
        else if (value.TryGetValue<float>(out var single))
        {
            WriteFloatingPoint(output, single);
        }
        else if (value.TryGetValue<char>(out var letter))
        {
            JsString.Write([letter], output);
        }
        else
        {
            WriteCanonical(output, JsonNode.Parse(value.ToJsonString(OtherValues)));
        }
    }

    private static void WriteElement(IBufferWriter<byte> output, JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                output.Advance(JsString.Rewrite(raw, output.GetSpan(raw.Length)));
                break;
            case JsonValueKind.Number:
                JsNumber.WriteToken(raw, output);
                break;
            case JsonValueKind.Object:
                WriteCanonical(output, JsonObject.Create(element));
                break;
            case JsonValueKind.Array:
                WriteCanonical(output, JsonArray.Create(element));
                break;
            default:
                Append(output, raw);
                break;
        }
    }

    private static void WriteFloatingPoint<T>(IBufferWriter<byte> output, T value)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(value))
        {
            throw new ArgumentException($"A JSON number cannot be {value}.", nameof(value));
        }

        output.Advance(JsNumber.Format(value, output.GetSpan(JsNumber.MaxBytes)));
    }

    private static int JsonNumberOf<T>(T value, Span<byte> destination)
        where T : IUtf8SpanFormattable
    {
        value.TryFormat(destination, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
        return length;
    }

    private static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
