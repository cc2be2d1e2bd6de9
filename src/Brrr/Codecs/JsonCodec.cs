using System.Buffers;
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
/// The text is exactly what JavaScript's <c>JSON.stringify</c> writes: strings escape only <c>"</c>, <c>\</c>, the
/// controls (<c>\n</c>, <c>\u001f</c>) and lone surrogates (<c>\ud800</c>), all else is raw UTF-8; floating-point
/// numbers are in JavaScript's form (<c>1.5e+21</c>, <c>1e-7</c>, <c>-0</c> as <c>0</c>); integers are exact digits.
/// Decoding is tolerant: spaces, <c>\uXXXX</c> escapes, any key order and any property-name case are accepted,
/// and integers in exponent or fraction form (<c>4.356677625885486e+22</c>) read as the whole number written.
/// Thread safe.
/// </summary>
/// <remarks>
/// Arguments whose contract holds only objects with fixed properties, lists and plain values are written directly
/// by the serializer with the properties in ordinal order of their JSON names, which is already canonical.
/// Anything else (dictionaries, JSON nodes and elements, <see cref="object"/> members, polymorphic types, custom
/// converters, <see cref="decimal"/>) is serialized to a <see cref="JsonNode"/> first and written with its keys
/// sorted. Both give the same bytes. Lone surrogates cannot be written in the keys of a dictionary or in a
/// <see cref="JsonNode"/> held by typed arguments (the serializer's writer cannot escape them): that throws an
/// <see cref="ArgumentException"/> rather than write other text.
/// </remarks>
public sealed partial class JsonCodec : ICodec
{
    private static readonly JsonWriterOptions CompactWriter = new()
    {
        Encoder = JsTextEncoder.Instance,
        Indented = false,
        SkipValidation = false,
    };

    private readonly Lazy<CanonicalContracts> _contracts;

    /// <summary>The shared default instance.</summary>
    public static JsonCodec Default { get; } = new();

    /// <summary>Creates the codec with the default options (snake_case names, big integers, JavaScript's escaping).</summary>
    public JsonCodec() : this(CreateDefaultOptions()) { }

    /// <summary>
    /// Creates the codec with custom serializer options (they must be deterministic for the same arguments). It
    /// writes with a copy of them that has JavaScript's escaping, strings and floating-point numbers, and reads with
    /// a copy that reads integers of 8 to 64 bits from any whole JSON number (<c>1.5e+21</c>, <c>3.0</c>) exactly;
    /// converters of the options for those types come first.
    /// </summary>
    public JsonCodec(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _contracts = new Lazy<CanonicalContracts>(() => new CanonicalContracts(options));
    }

    /// <summary>The serializer options of arguments and return values, which the codec reads and writes with copies of.</summary>
    public JsonSerializerOptions Options { get; }

    /// <summary>The default options: snake_case property names, case-insensitive reads, big integers as numbers, JavaScript's escaping.</summary>
    public static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            PropertyNameCaseInsensitive = true,
            Encoder = JsTextEncoder.Instance,
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
            if (contract is null)
            {
                return scratch.CanonicalCall(taskName, ToNode(args));
            }

            JsonSerializer.Serialize(scratch.StartCall(taskName), args, contract);
            return scratch.EndCall(taskName);
        }
        finally
        {
            WriteScratch.Return(scratch);
        }
    }

    /// <summary>The options the codec writes with (see <see cref="JsonCodec(JsonSerializerOptions)"/>).</summary>
    internal JsonSerializerOptions WritingOptions => _contracts.Value.Writing;

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

            var args = JsonSerializer.Deserialize<TArgs>(call.Payload.AsSpan(shape.Start, shape.Length), _contracts.Value.Reading);
            return args ?? throw new ProtocolException($"The arguments of {call} are null: the payload must be [args] with one JSON object.");
        }
        catch (JsonException e)
        {
            throw new ProtocolException($"The arguments of {call} are not valid for {typeof(TArgs).Name}: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    /// <remarks>The value is written as arguments are (JavaScript's text, object keys sorted), without the array around them.</remarks>
    public byte[] EncodeReturn<TResult>(TResult value)
    {
        var contract = _contracts.Value.Of<TResult>();
        var scratch = WriteScratch.Rent();
        try
        {
            if (contract is null)
            {
                return scratch.CanonicalValue(ToNode(value));
            }

            JsonSerializer.Serialize(scratch.StartValue(), value, contract);
            return scratch.EndValue();
        }
        finally
        {
            WriteScratch.Return(scratch);
        }
    }

    /// <inheritdoc />
    public TResult DecodeReturn<TResult>(string taskName, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        try
        {
            return JsonSerializer.Deserialize<TResult>(payload, _contracts.Value.Reading)!;
        }
        catch (JsonException e)
        {
            throw new ProtocolException($"The stored value of a '{taskName}' call is not valid for {typeof(TResult).Name}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The compact JSON of <paramref name="node"/> with object keys sorted recursively (ordinal), as the codec writes
    /// arguments: strings as JavaScript escapes them, numbers with a fraction or an exponent as JavaScript writes
    /// the double they read as (<c>1.5E21</c> as <c>1.5e+21</c>, <c>3.0</c> as <c>3</c>), integers as they are.
    /// </summary>
    /// <exception cref="ArgumentException">A number is beyond the range of a double, or a string is not valid UTF-8.</exception>
    public static byte[] ToCanonicalJson(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        WriteCanonical(buffer, node);
        return buffer.WrittenSpan.ToArray();
    }

    // A node is written as it is (a lone surrogate it holds would not survive the serializer's writer).
    private JsonNode? ToNode<T>(T value) =>
        value as JsonNode ?? JsonSerializer.SerializeToNode(value, _contracts.Value.Writing);
}
