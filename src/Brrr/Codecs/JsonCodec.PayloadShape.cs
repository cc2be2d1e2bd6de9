using System.Buffers;
using System.Text.Json;

namespace Brrr.Codecs;

public sealed partial class JsonCodec
{
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
