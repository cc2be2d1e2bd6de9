using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Brrr.Codecs;

public sealed partial class JsonCodec
{
    /// <summary>
    /// Decides once per argument type whether the serializer's own output is canonical when object properties are
    /// written in ordinal order of their JSON names, and holds the contracts that write them in that order; holds
    /// the options the codec writes and reads with.
    /// </summary>
    private sealed class CanonicalContracts
    {
        // Plain values whose built-in converters (or the codec's own) write one JSON string, number or literal.
        // Not decimal: it writes "1.50", where the canonical form (and JavaScript) has 1.5.
        private static readonly HashSet<Type> PlainValues =
        [
            typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
            typeof(long), typeof(ulong), typeof(Int128), typeof(UInt128), typeof(Half), typeof(float), typeof(double),
            typeof(char), typeof(string), typeof(byte[]), typeof(Guid), typeof(DateTime),
            typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly), typeof(TimeSpan), typeof(Uri), typeof(Version),
        ];

        // What the writing options add, unless the options convert the type already: JavaScript's text and numbers.
        private static readonly JsonConverter[] JavaScriptWriters =
        [
            new JsStringConverter(),
            new JsCharConverter(),
            new JsFloatingPointConverter<double>(JsonMetadataServices.DoubleConverter),
            new JsFloatingPointConverter<float>(JsonMetadataServices.SingleConverter),
            new JsFloatingPointConverter<Half>(JsonMetadataServices.HalfConverter),
        ];

        // What the reading options add, unless the options convert the type already: whole numbers in any form.
        private static readonly JsonConverter[] WholeNumberReaders =
        [
            new WholeNumberConverter<int>(), new WholeNumberConverter<long>(), new WholeNumberConverter<short>(),
            new WholeNumberConverter<sbyte>(), new WholeNumberConverter<byte>(), new WholeNumberConverter<uint>(),
            new WholeNumberConverter<ulong>(), new WholeNumberConverter<ushort>(),
        ];

        private readonly JsonSerializerOptions _sorted;
        private readonly ConcurrentDictionary<Type, JsonTypeInfo?> _byType = new();

        public CanonicalContracts(JsonSerializerOptions options)
        {
            // Frozen first (as their first use would), so the copy cannot drift from the options the codec reads with.
            if (!options.IsReadOnly)
            {
                options.MakeReadOnly(populateMissingResolver: true);
            }

            _sorted = new JsonSerializerOptions(options)
            {
                TypeInfoResolver = options.TypeInfoResolver!.WithAddedModifier(SortProperties),
                // JavaScript's escaping; property names are escaped ahead of time with this encoder.
                Encoder = JsTextEncoder.Instance,
            };
            AddMissing(_sorted, JavaScriptWriters);
            _sorted.MakeReadOnly();
            Reading = new JsonSerializerOptions(options);
            AddMissing(Reading, WholeNumberReaders);
            Reading.MakeReadOnly();
        }

        /// <summary>
        /// The options that write arguments and return values: the codec's options with properties in ordinal order,
        /// JavaScript's escaping and JavaScript's numbers.
        /// </summary>
        public JsonSerializerOptions Writing => _sorted;

        /// <summary>The options that read arguments and return values: the codec's options, reading whole numbers in any form.</summary>
        public JsonSerializerOptions Reading { get; }

        /// <summary>The sorted contract of <typeparamref name="T"/>, or null when its output may not be canonical.</summary>
        public JsonTypeInfo<T>? Of<T>() =>
            (JsonTypeInfo<T>?)_byType.GetOrAdd(typeof(T), static (type, self) => self.Resolve(type), this);

        // After the options' own converters, which come first: a type they convert keeps their converter.
        private static void AddMissing(JsonSerializerOptions options, JsonConverter[] converters)
        {
            foreach (var converter in converters)
            {
                if (!options.Converters.Any(c => c.CanConvert(converter.Type!)))
                {
                    options.Converters.Add(converter);
                }
            }
        }

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

            // The serializer's own converters, or this codec's (the only ones in its assembly).
            var assembly = info.Converter.GetType().Assembly;
            if (assembly != typeof(JsonSerializer).Assembly && assembly != typeof(JsonCodec).Assembly)
            {
                return false;
            }

            return Nullable.GetUnderlyingType(info.Type) is { } underlying
                ? IsCanonical(_sorted.GetTypeInfo(underlying), seen)
                : info.Type.IsEnum || PlainValues.Contains(info.Type);
        }
    }
}
