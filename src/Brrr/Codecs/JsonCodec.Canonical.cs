using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Brrr.Codecs;

public sealed partial class JsonCodec
{
    private static readonly Comparison<KeyValuePair<string, JsonNode?>> ByKey = static (a, b) => string.CompareOrdinal(a.Key, b.Key);

    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                var properties = new KeyValuePair<string, JsonNode?>[obj.Count];
                ((ICollection<KeyValuePair<string, JsonNode?>>)obj).CopyTo(properties, 0);
                Array.Sort(properties, ByKey);
                writer.WriteStartObject();
                foreach (var (key, value) in properties)
                {
                    writer.WritePropertyName(key);
                    WriteCanonical(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    /// <summary>
    /// Decides once per argument type whether the serializer's own output is canonical when object properties are
    /// written in ordinal order of their JSON names, and holds the contracts that write them in that order.
    /// </summary>
    private sealed class CanonicalContracts
    {
        // Plain values whose built-in converters write one JSON string, number or literal.
        private static readonly HashSet<Type> PlainValues =
        [
            typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
            typeof(long), typeof(ulong), typeof(Int128), typeof(UInt128), typeof(Half), typeof(float), typeof(double),
            typeof(decimal), typeof(char), typeof(string), typeof(byte[]), typeof(Guid), typeof(DateTime),
            typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly), typeof(TimeSpan), typeof(Uri), typeof(Version),
        ];

        private readonly JsonSerializerOptions _sorted;
        private readonly ConcurrentDictionary<Type, JsonTypeInfo?> _byType = new();

        public CanonicalContracts(JsonSerializerOptions options)
        {
            // Frozen first (as their first use would), so the copy cannot drift from what the slow path uses.
            if (!options.IsReadOnly)
            {
                options.MakeReadOnly(populateMissingResolver: true);
            }

            _sorted = new JsonSerializerOptions(options)
            {
                TypeInfoResolver = options.TypeInfoResolver!.WithAddedModifier(SortProperties),
                // The canonical writer's escaping; property names are escaped ahead of time with this encoder.
                Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            };
            _sorted.MakeReadOnly();
        }

        /// <summary>The sorted contract of <typeparamref name="T"/>, or null when its output may not be canonical.</summary>
        public JsonTypeInfo<T>? Of<T>() =>
            (JsonTypeInfo<T>?)_byType.GetOrAdd(typeof(T), static (type, self) => self.Resolve(type), this);

        private static void SortProperties(JsonTypeInfo info)
        {
            if (info.Kind != JsonTypeInfoKind.Object || info.Properties.Count < 2)
            {
                return;
            }

            var properties = new JsonPropertyInfo[info.Properties.Count];
            info.Properties.CopyTo(properties, 0);
            Array.Sort(properties, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            info.Properties.Clear();
            for (var i = 0; i < properties.Length; i++)
            {
                // The serializer orders properties by Order when it configures the contract: [JsonPropertyOrder] must not win.
                properties[i].Order = i;
                info.Properties.Add(properties[i]);
            }
        }

        private JsonTypeInfo? Resolve(Type type)
        {
            if (_sorted.ReferenceHandler is not null)
            {
                return null;
            }

            try
            {
                var info = _sorted.GetTypeInfo(type);
                return IsCanonical(info, []) ? info : null;
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
            {
                // The slow path raises the same error where it belongs: when the arguments are serialized.
                return null;
            }
        }

        private bool IsCanonical(JsonTypeInfo info, HashSet<Type> seen)
        {
            if (!seen.Add(info.Type))
            {
                return true;
            }

            if (info.PolymorphismOptions is not null)
            {
                return false;
            }

            switch (info.Kind)
            {
                case JsonTypeInfoKind.Object:
                    foreach (var property in info.Properties)
                    {
                        if (property.IsExtensionData || property.CustomConverter is not null
                            || !IsCanonical(_sorted.GetTypeInfo(property.PropertyType), seen))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonTypeInfoKind.Enumerable:
                    return info.ElementType is { } element && IsCanonical(_sorted.GetTypeInfo(element), seen);
                case JsonTypeInfoKind.None:
                    return IsPlainValue(info, seen);
                default:
                    return false;
            }
        }

        private bool IsPlainValue(JsonTypeInfo info, HashSet<Type> seen)
        {
            if (info.Type == typeof(BigInteger))
            {
                return info.Converter is BigIntegerJsonConverter;
            }

            if (info.Converter.GetType().Assembly != typeof(JsonSerializer).Assembly)
            {
                return false;
            }

            return Nullable.GetUnderlyingType(info.Type) is { } underlying
                ? IsCanonical(_sorted.GetTypeInfo(underlying), seen)
                : info.Type.IsEnum || PlainValues.Contains(info.Type);
        }
    }
}
