using System.Buffers;
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
/// <remarks>
/// Arguments whose contract holds only objects with fixed properties, lists and plain values are written directly
/// by the serializer with the properties in ordinal order of their JSON names, which is already canonical.
/// Anything else (dictionaries, JSON nodes and elements, <see cref="object"/> members, polymorphic types, custom
/// converters) is serialized to a <see cref="JsonNode"/> first and written with its keys sorted. Both give the
/// same bytes.
/// </remarks>
public sealed partial class JsonCodec : ICodec
{
    private static readonly JsonWriterOptions CompactWriter = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
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
}
