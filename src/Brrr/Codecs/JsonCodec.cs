using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

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
public sealed class JsonCodec : ICodec
{
    private static readonly JsonWriterOptions CompactWriter = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    // Duplicate keys would make a JsonObject that throws when enumerated, and hash differently from Python's dict.
    private static readonly JsonDocumentOptions StrictDocument = new() { AllowDuplicateProperties = false };

    /// <summary>The shared default instance.</summary>
    public static JsonCodec Default { get; } = new();

    /// <summary>Creates the codec with the default options (snake_case names, big integers, relaxed escaping).</summary>
    public JsonCodec() : this(CreateDefaultOptions()) { }

    /// <summary>Creates the codec with custom serializer options (they must be deterministic for the same arguments).</summary>
    public JsonCodec(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
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
        var node = JsonSerializer.SerializeToNode(args, Options);
        var payload = Canonical(w =>
        {
            w.WriteStartArray();
            WriteCanonical(w, node);
            w.WriteEndArray();
        });
        var hashed = Canonical(w =>
        {
            w.WriteStartArray();
            w.WriteStringValue(taskName);
            w.WriteStartArray();
            WriteCanonical(w, node);
            w.WriteEndArray();
            w.WriteEndArray();
        });
        return new Call(taskName, payload, Convert.ToHexStringLower(Sha256(hashed)));
    }

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
            var array = JsonNode.Parse(call.Payload, documentOptions: StrictDocument) as JsonArray
                ?? throw new ProtocolException($"The payload of {call} is not a JSON array [args].");
            if (array.Count != 1)
            {
                throw new ProtocolException($"The payload of {call} must hold exactly one argument object, found {array.Count}.");
            }

            var args = array[0].Deserialize<TArgs>(Options);
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

    private static byte[] Sha256(byte[] data)
    {
        var hasher = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hasher.AppendData(data);
        return hasher.GetHashAndReset();
    }

    /// <summary>The compact JSON of <paramref name="node"/> with object keys sorted recursively (ordinal).</summary>
    public static byte[] ToCanonicalJson(JsonNode? node) => Canonical(w => WriteCanonical(w, node));

    private static byte[] Canonical(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
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
}
