using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Brrr.Codecs;

/// <summary>
/// The demo JSON codec of PROTOCOL.md §6, shared with the Python and TypeScript demos, for typed C# arguments
/// as well as raw <see cref="JsonObject"/> keyword arguments:
/// payload = compact JSON <c>[args]</c> with object keys sorted recursively; call hash = lowercase hex SHA-256 of
/// the compact JSON <c>[task_name,[args]]</c>; return value = JSON of the result. C# property names become
/// snake_case (<c>Greetee</c> → <c>greetee</c>); <see cref="System.Numerics.BigInteger"/> is a plain JSON number.
/// Decoding is tolerant: spaces, any key order and any property-name case are accepted. Non-ASCII text is written
/// as raw UTF-8 (as JavaScript's JSON.stringify does). Thread safe.
/// </summary>
/// <remarks>
/// Arguments whose contract holds only objects with fixed properties, lists and plain values are written directly
/// by the serializer with the properties in ordinal order of their JSON names, which is already canonical.
/// Anything else (dictionaries, JSON nodes and elements, <see cref="object"/> members, polymorphic types, custom
/// converters) is serialized to a <see cref="JsonNode"/> first and written with its keys sorted. Both give the
/// same bytes.
/// </remarks>
public sealed class JsonCodec : ICodec
{
    private static readonly JsonWriterOptions CompactWriter = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    // The default depth limit of JsonDocumentOptions and JsonReaderOptions, spelled out for the stack of open objects.
    private const int MaxPayloadDepth = 64;

    // Duplicate keys would make a JsonObject that throws when enumerated, and hash differently from Python's dict.
    private static readonly JsonDocumentOptions StrictDocument = new() { AllowDuplicateProperties = false, MaxDepth = MaxPayloadDepth };

    // The reader settings of StrictDocument: no comments, no trailing commas, the same depth limit.
    private static readonly JsonReaderOptions StrictReader = new()
    {
        CommentHandling = StrictDocument.CommentHandling,
        AllowTrailingCommas = StrictDocument.AllowTrailingCommas,
        MaxDepth = MaxPayloadDepth,
    };

    private readonly Lazy<CanonicalContracts> _contracts;

    /// <summary>The shared default instance.</summary>
    public static JsonCodec Default { get; } = new();

    /// <summary>Creates the codec with the default options (snake_case names, big integers, relaxed escaping).</summary>
    public JsonCodec() : this(CreateDefaultOptions()) { }

    /// <summary>Creates the codec with custom serializer options (they must be deterministic for the same arguments).</summary>
    public JsonCodec(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _contracts = new Lazy<CanonicalContracts>(() => new CanonicalContracts(options));
    }

    /// <summary>The serializer options used for arguments and return values.</summary>
    public JsonSerializerOptions Options { get; }

    /// <summary>The default options: snake_case property names, case-insensitive reads, big integers as numbers, relaxed escaping.</summary>
    public static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            PropertyNameCaseInsensitive = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new BigIntegerJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <inheritdoc />
    public Call EncodeCall<TArgs>(string taskName, TArgs args)
    {
        ArgumentNullException.ThrowIfNull(taskName);
        var contract = _contracts.Value.Of<TArgs>();
        var scratch = WriteScratch.Rent();
        try
        {
            if (contract is not null)
            {
                JsonSerializer.Serialize(scratch.StartCall(taskName), args, contract);
                if (scratch.EndCall(taskName, fastPath: true) is { } call)
                {
                    return call;
                }
            }

            var node = JsonSerializer.SerializeToNode(args, Options);
            WriteCanonical(scratch.StartCall(taskName), node);
            return scratch.EndCall(taskName, fastPath: false)!;
        }
        finally
        {
            WriteScratch.Return(scratch);
        }
    }

    /// <summary>True when arguments of type <typeparamref name="TArgs"/> are written by the serializer directly, without a node.</summary>
    internal bool WritesDirectly<TArgs>() => _contracts.Value.Of<TArgs>() is not null;

    /// <inheritdoc />
    public TArgs DecodeArgs<TArgs>(Call call)
    {
        ArgumentNullException.ThrowIfNull(call);
        // The JSON reader replaces invalid UTF-8 silently, which would decode different arguments than were sent.
        if (!System.Text.Unicode.Utf8.IsValid(call.Payload))
        {
            throw new ProtocolException($"The payload of {call} is not valid UTF-8.");
        }

        try
        {
            var shape = PayloadShape.Read(call.Payload);
            if (!shape.IsArray)
            {
                throw new ProtocolException($"The payload of {call} is not a JSON array [args].");
            }

            if (shape.Count != 1)
            {
                throw new ProtocolException($"The payload of {call} must hold exactly one argument object, found {shape.Count}.");
            }

            var args = JsonSerializer.Deserialize<TArgs>(call.Payload.AsSpan(shape.Start, shape.Length), Options);
            return args ?? throw new ProtocolException($"The arguments of {call} are null: the payload must be [args] with one JSON object.");
        }
        catch (JsonException e)
        {
            throw new ProtocolException($"The arguments of {call} are not valid for {typeof(TArgs).Name}: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public byte[] EncodeReturn<TResult>(TResult value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <inheritdoc />
    public TResult DecodeReturn<TResult>(string taskName, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        try
        {
            return JsonSerializer.Deserialize<TResult>(payload, Options)!;
        }
        catch (JsonException e)
        {
            throw new ProtocolException($"The stored value of a '{taskName}' call is not valid for {typeof(TResult).Name}: {e.Message}", e);
        }
    }

    // One hasher per thread: the one-shot API fetches the algorithm from OpenSSL on every call, which contends.
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    private static void Sha256(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        var hasher = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hasher.AppendData(data);
        hasher.GetHashAndReset(hash);
    }

    /// <summary>The compact JSON of <paramref name="node"/> with object keys sorted recursively (ordinal).</summary>
    public static byte[] ToCanonicalJson(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            WriteCanonical(writer, node);
        }

        return buffer.WrittenSpan.ToArray();
    }

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
    /// A compact writer and its buffer, kept per thread between calls, that writes <c>["task_name",[args]]</c> once,
    /// hashes it and takes the payload <c>[args]</c> from its middle.
    /// </summary>
    private sealed class WriteScratch
    {
        // A buffer that grew past this for unusually large arguments is dropped rather than kept by the thread.
        private const int MaxKeptCapacity = 64 * 1024;

        [ThreadStatic]
        private static WriteScratch? t_kept;

        private readonly ArrayBufferWriter<byte> _buffer = new(256);
        private readonly Utf8JsonWriter _writer;
        private int _payloadStart;

        private WriteScratch() => _writer = new Utf8JsonWriter(_buffer, CompactWriter);

        private int Position => checked((int)(_writer.BytesCommitted + _writer.BytesPending));

        // Taken off the thread while in use, so an encode nested in a serializer callback gets its own.
        public static WriteScratch Rent()
        {
            var scratch = t_kept ?? new WriteScratch();
            t_kept = null;
            return scratch;
        }

        public static void Return(WriteScratch scratch)
        {
            if (scratch._buffer.Capacity > MaxKeptCapacity)
            {
                scratch._writer.Dispose();
                return;
            }

            t_kept = scratch;
        }

        /// <summary>Starts over and writes <c>["task_name",[</c>; the caller writes the arguments next.</summary>
        public Utf8JsonWriter StartCall(string taskName)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStartArray();
            _writer.WriteStringValue(taskName);
            _writer.WriteStartArray();
            _payloadStart = Position - 1;
            return _writer;
        }

        /// <summary>
        /// Writes <c>]]</c> and makes the call. Null for the fast path when the payload holds an escaped U+FFFD:
        /// the writer puts one in place of invalid UTF-16, where the canonical form (which reads the serializer's
        /// output back) holds the character itself, so only the slow path gives those bytes.
        /// </summary>
        public Call? EndCall(string taskName, bool fastPath)
        {
            _writer.WriteEndArray();
            var payloadEnd = Position;
            _writer.WriteEndArray();
            _writer.Flush();

            var hashed = _buffer.WrittenSpan;
            var payload = hashed[_payloadStart..payloadEnd];
            if (fastPath && payload.IndexOf(@"\uFFFD"u8) >= 0)
            {
                return null;
            }

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            Sha256(hashed, hash);
            return new Call(taskName, payload.ToArray(), Convert.ToHexStringLower(hash));
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

    /// <summary>Where the elements of a payload are: <see cref="Count"/> of them if it is an array, the first one at <see cref="Start"/>.</summary>
    private readonly record struct PayloadShape(bool IsArray, int Count, int Start, int Length)
    {
        // Duplicate keys are checked here for up to this many names in one object and this many names in all
        // open objects, each written without escapes; past that a JsonDocument checks them.
        private const int MaxNamesPerObject = 32;
        private const int MaxOpenNames = 128;

        /// <summary>Reads the whole payload once, as strictly as <see cref="StrictDocument"/> (syntax, depth, duplicate keys), without building a document.</summary>
        /// <exception cref="JsonException">The payload is not one valid JSON value, or an object repeats a key.</exception>
        public static PayloadShape Read(byte[] json)
        {
            var reader = new Utf8JsonReader(json, StrictReader);
            // The names of the open objects as offsets into json, innermost last, and where each object's names begin.
            Span<int> nameStarts = stackalloc int[MaxOpenNames];
            Span<int> nameLengths = stackalloc int[MaxOpenNames];
            Span<int> firstNames = stackalloc int[MaxPayloadDepth];
            int names = 0, objects = 0;
            var checkingNames = true;
            string? problem = null;

            var isArray = false;
            int count = 0, start = 0, end = 0;
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (reader.CurrentDepth == 0)
                {
                    isArray |= token == JsonTokenType.StartArray;
                }
                else if (isArray && reader.CurrentDepth == 1)
                {
                    if (token is not (JsonTokenType.EndObject or JsonTokenType.EndArray) && ++count == 1)
                    {
                        start = checked((int)reader.TokenStartIndex);
                    }

                    if (count == 1 && token is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                    {
                        end = checked((int)reader.BytesConsumed);
                    }
                }

                if (problem is null && reader.ValueIsEscaped && token is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    problem = UnreadableText(ref reader);
                }

                if (!checkingNames)
                {
                    continue;
                }

                switch (token)
                {
                    case JsonTokenType.StartObject:
                        firstNames[objects++] = names;
                        break;
                    case JsonTokenType.EndObject:
                        names = firstNames[--objects];
                        break;
                    case JsonTokenType.PropertyName:
                        var first = firstNames[objects - 1];
                        if (reader.ValueIsEscaped || names - first >= MaxNamesPerObject || names >= MaxOpenNames)
                        {
                            checkingNames = false;
                            break;
                        }

                        var name = reader.ValueSpan;
                        for (var i = first; problem is null && i < names; i++)
                        {
                            if (name.SequenceEqual(json.AsSpan(nameStarts[i], nameLengths[i])))
                            {
                                problem = $"Duplicate property '{reader.GetString()}' in an object of the payload.";
                            }
                        }

                        // A name's token starts at its opening quote.
                        nameStarts[names] = checked((int)reader.TokenStartIndex) + 1;
                        nameLengths[names] = name.Length;
                        names++;
                        break;
                }
            }

            // Only now that the whole payload was read: a syntax error anywhere comes first, as with a JsonDocument.
            if (problem is not null)
            {
                throw new JsonException(problem);
            }

            if (!checkingNames)
            {
                using var document = JsonDocument.Parse(json, StrictDocument);
            }

            return new PayloadShape(isArray, count, start, end - start);
        }

        // Escapes of a lone surrogate are valid JSON but no text: reading them as a string throws.
        private static string? UnreadableText(ref Utf8JsonReader reader)
        {
            const int OnStack = 256;
            var length = reader.ValueSpan.Length;
            var rented = length > OnStack ? ArrayPool<byte>.Shared.Rent(length) : null;
            var unescaped = rented ?? stackalloc byte[OnStack];
            try
            {
                reader.CopyString(unescaped);
                return null;
            }
            catch (InvalidOperationException e)
            {
                return $"The payload has a string that is not valid UTF-16: {e.Message}";
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
    }
}
