using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Brrr.Codecs;
using static Brrr.Tests.TestSupport;

namespace Brrr.Tests;

/// <summary>The demo JSON codec of PROTOCOL.md §6: canonical bytes, tolerant reads, typed and big-integer values.</summary>
public sealed class JsonCodecTests
{
    private const string Fib1000 =
        "43466557686937456435688527675040625802564660517371780402481729089536555417949051890403879840079255169295922593080322634775209689623239873322471161642996440906533187938298969649928516003704476137795166849228875";

    private static readonly JsonCodec Codec = JsonCodec.Default;

    public sealed record FibArgs(int N, string Salt);

    public sealed record SnakeArgs(string FirstName, int RetryCount, bool IsEnabled);

    public sealed record Inner(int Zeta, string Alpha);

    public sealed record NestedArgs(Inner Second, int[] Items, Inner? First);

    public sealed record BigArgs(BigInteger N);

    private static Call CallOf(string payload, string taskName = "fib") => new(taskName, Utf8(payload), "h");

    [Fact]
    public void Payload_sorts_keys_recursively_and_is_compact()
    {
        var args = new JsonObject
        {
            ["zeta"] = new JsonObject { ["y"] = 1, ["b"] = new JsonArray(new JsonObject { ["d"] = true, ["c"] = null }, 2, "s") },
            ["alpha"] = new JsonArray(),
            ["Mid"] = "x y",
        };
        var call = Codec.EncodeCall("t", args);
        Assert.Equal("""[{"Mid":"x y","alpha":[],"zeta":{"b":[{"c":null,"d":true},2,"s"],"y":1}}]""", Text(call.Payload));
    }

    [Fact]
    public void Canonical_json_orders_keys_by_ordinal_code_units()
    {
        var node = JsonNode.Parse("""{"b":1,"B":2,"a":3,"é":4,"_":5}""");
        Assert.Equal("""{"B":2,"_":5,"a":3,"b":1,"é":4}""", Text(JsonCodec.ToCanonicalJson(node)));
    }

    [Fact]
    public void Typed_records_use_snake_case_names_sorted()
    {
        var call = Codec.EncodeCall("t", new SnakeArgs("Ada", 3, true));
        Assert.Equal("""[{"first_name":"Ada","is_enabled":true,"retry_count":3}]""", Text(call.Payload));
        Assert.Equal(new SnakeArgs("Ada", 3, true), Codec.DecodeArgs<SnakeArgs>(call));
    }

    [Fact]
    public void Nested_typed_records_are_sorted_at_every_level()
    {
        var call = Codec.EncodeCall("t", new NestedArgs(new Inner(1, "a"), [3, 1, 2], null));
        Assert.Equal("""[{"first":null,"items":[3,1,2],"second":{"alpha":"a","zeta":1}}]""", Text(call.Payload));
        var decoded = Codec.DecodeArgs<NestedArgs>(call);
        Assert.Equal(new Inner(1, "a"), decoded.Second);
        Assert.Equal([3, 1, 2], decoded.Items);
        Assert.Null(decoded.First);
    }

    [Fact]
    public void Equal_argument_objects_with_different_key_order_have_the_same_hash_and_payload()
    {
        var first = Codec.EncodeCall("t", JsonNode.Parse("""{"a":1,"b":{"x":[1,{"q":2,"p":3}],"w":"v"}}""")!.AsObject());
        var second = Codec.EncodeCall("t", JsonNode.Parse("""{"b":{"w":"v","x":[1,{"p":3,"q":2}]},"a":1}""")!.AsObject());
        Assert.Equal(first.CallHash, second.CallHash);
        Assert.Equal(first.Payload, second.Payload);
    }

    [Fact]
    public void Different_arguments_or_task_names_have_different_hashes()
    {
        var hashes = new[]
        {
            Codec.EncodeCall("fib", new FibArgs(10, "abcd")).CallHash,
            Codec.EncodeCall("fib", new FibArgs(11, "abcd")).CallHash,
            Codec.EncodeCall("fib", new FibArgs(10, "abce")).CallHash,
            Codec.EncodeCall("fob", new FibArgs(10, "abcd")).CallHash,
        };
        Assert.Equal(hashes.Length, hashes.Distinct().Count());
        Assert.All(hashes, h => Assert.Matches("^[0-9a-f]{64}$", h));
    }

    [Fact]
    public void Python_style_json_with_spaces_decodes_to_the_same_arguments()
    {
        var spaced = CallOf("""[{"n": 10, "salt": "abcd"}]""");
        var compact = CallOf("""[{"n":10,"salt":"abcd"}]""");
        Assert.Equal(new FibArgs(10, "abcd"), Codec.DecodeArgs<FibArgs>(spaced));
        Assert.Equal(Codec.DecodeArgs<FibArgs>(compact), Codec.DecodeArgs<FibArgs>(spaced));
        Assert.Equal(
            Text(JsonCodec.ToCanonicalJson(Codec.DecodeArgs<JsonObject>(compact))),
            Text(JsonCodec.ToCanonicalJson(Codec.DecodeArgs<JsonObject>(spaced))));
    }

    [Fact]
    public void Any_key_order_and_pretty_printing_decode_the_same_typed_arguments()
    {
        var call = CallOf("[\n  {\n    \"salt\" : \"abcd\" ,\n    \"n\" : 10\n  }\n]\n");
        Assert.Equal(new FibArgs(10, "abcd"), Codec.DecodeArgs<FibArgs>(call));
    }

    [Fact]
    public void Re_encoding_decoded_python_arguments_gives_the_demo_hash()
    {
        var args = Codec.DecodeArgs<JsonObject>(CallOf("""[{"salt": "abcd", "n": 10}]"""));
        Assert.Equal("5d460ecda1ca2397e5254c417c88fac37f684ce4b346d8e7c11cdfde98ebd70f", Codec.EncodeCall("fib", args).CallHash);
    }

    [Fact]
    public void Non_ascii_text_is_written_as_raw_utf8_whether_built_or_parsed_from_escapes()
    {
        var built = Codec.EncodeCall("hello", new JsonObject { ["greetee"] = "Jörg 日本" });
        var parsed = Codec.EncodeCall("hello", JsonNode.Parse("""{"greetee":"J\u00f6rg \u65e5\u672c"}""")!.AsObject());
        Assert.Equal("""[{"greetee":"Jörg 日本"}]""", Text(built.Payload));
        Assert.Equal(Text(built.Payload), Text(parsed.Payload));
        Assert.Equal(built.CallHash, parsed.CallHash);
    }

    [Fact]
    public void Big_integer_return_values_round_trip_exactly()
    {
        var fib1000 = BigInteger.Parse(Fib1000, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(209, Fib1000.Length);
        var bytes = Codec.EncodeReturn(fib1000);
        Assert.Equal(Fib1000, Text(bytes));
        Assert.Equal(fib1000, Codec.DecodeReturn<BigInteger>("fib", bytes));
        Assert.Equal(-fib1000, Codec.DecodeReturn<BigInteger>("fib", Codec.EncodeReturn(-fib1000)));
    }

    [Fact]
    public void Big_integer_arguments_round_trip_exactly_as_plain_json_numbers()
    {
        var fib1000 = BigInteger.Parse(Fib1000, System.Globalization.CultureInfo.InvariantCulture);
        var call = Codec.EncodeCall("big", new BigArgs(fib1000));
        Assert.Equal($$"""[{"n":{{Fib1000}}}]""", Text(call.Payload));
        Assert.Equal(fib1000, Codec.DecodeArgs<BigArgs>(call).N);
        Assert.Equal(fib1000, Codec.DecodeArgs<BigArgs>(CallOf($$"""[{"n": {{Fib1000}}}]""")).N);
    }

    [Fact]
    public void Reference_results_under_two_to_the_53_survive_as_longs_and_doubles()
    {
        var bytes = Codec.EncodeReturn(8944394323791464L);
        Assert.Equal("8944394323791464", Text(bytes));
        Assert.Equal(8944394323791464L, Codec.DecodeReturn<long>("fib", bytes));
        Assert.Equal(8944394323791464L, (long)Codec.DecodeReturn<double>("fib", bytes));
    }

    [Fact]
    public void Json_object_arguments_round_trip_through_the_payload()
    {
        var args = new JsonObject { ["op"] = "fib", ["n"] = "11", ["nested"] = new JsonObject { ["k"] = new JsonArray(1, 2) } };
        var call = Codec.EncodeCall("calc_and_print", args);
        var decoded = Codec.DecodeArgs<JsonObject>(call);
        Assert.True(JsonNode.DeepEquals(args, decoded));
    }

    public static TheoryData<string, string> MalformedPayloads => new()
    {
        { "empty", "" },
        { "whitespace", "   " },
        { "unterminated array", "[" },
        { "unterminated object", "[{\"n\":10" },
        { "a bare object", "{\"n\":10,\"salt\":\"abcd\"}" },
        { "a number", "10" },
        { "null", "null" },
        { "an empty array", "[]" },
        { "two argument objects", "[{\"n\":1},{\"n\":2}]" },
        { "a null argument", "[null]" },
        { "a number argument", "[1]" },
        { "a string argument", "[\"n\"]" },
        { "an array argument", "[[1]]" },
        { "a string where a number goes", "[{\"n\":\"ten\",\"salt\":\"abcd\"}]" },
        { "a number too big for int", "[{\"n\":99999999999,\"salt\":\"abcd\"}]" },
        { "a fraction for int", "[{\"n\":1.5,\"salt\":\"abcd\"}]" },
        { "an object for a string", "[{\"n\":1,\"salt\":{}}]" },
        { "single quotes", "[{'n':10}]" },
        { "a trailing comma", "[{\"n\":10,}]" },
        { "a comment", "[{\"n\":10 /* ten */}]" },
        { "trailing garbage", "[{\"n\":10}] x" },
        { "two documents", "[{\"n\":10}][{\"n\":10}]" },
        { "NaN", "[{\"n\":NaN}]" },
        { "deep nesting", "[{\"n\":" + new string('[', 5000) + new string(']', 5000) + "}]" },
        { "duplicate keys", "[{\"n\":10,\"n\":11,\"salt\":\"abcd\"}]" },
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public void Malformed_payloads_fail_typed_decoding_with_a_protocol_error(string why, string payload)
    {
        var error = Record.Exception(() => Codec.DecodeArgs<FibArgs>(CallOf(payload)));
        Assert.True(error is ProtocolException, $"{why}: expected ProtocolException, got {error?.GetType().Name ?? "arguments"}: {error?.Message}");
    }

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public void Malformed_payloads_fail_json_object_decoding_with_a_protocol_error(string why, string payload)
    {
        // Type mismatches inside the object are fine for a JsonObject; everything else must still fail.
        if (why is "a string where a number goes" or "a number too big for int" or "a fraction for int" or "an object for a string")
        {
            Assert.NotNull(Codec.DecodeArgs<JsonObject>(CallOf(payload)));
            return;
        }

        var error = Record.Exception(() => Codec.DecodeArgs<JsonObject>(CallOf(payload)));
        Assert.True(error is ProtocolException, $"{why}: expected ProtocolException, got {error?.GetType().Name ?? "arguments"}: {error?.Message}");
    }

    [Fact]
    public void Invalid_utf8_in_a_payload_fails_with_a_protocol_error()
    {
        // In a key and in a value: the JSON reader alone would replace the byte with U+FFFD and decode other arguments.
        var inKey = new Call("fib", [.. Utf8("[{\""), 0xff, .. Utf8("\":1}]")], "h");
        var inValue = new Call("fib", [.. Utf8("[{\"n\":1,\"salt\":\""), 0xff, .. Utf8("\"}]")], "h");
        foreach (var call in new[] { inKey, inValue })
        {
            Assert.Throws<ProtocolException>(() => Codec.DecodeArgs<FibArgs>(call));
            Assert.Throws<ProtocolException>(() => Codec.DecodeArgs<JsonObject>(call));
        }
    }

    [Fact]
    public void Malformed_return_values_fail_with_a_protocol_error()
    {
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<int>("fib", Utf8("\"x\"")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<int>("fib", Utf8("{")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<BigInteger>("fib", Utf8("1.5")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<BigInteger>("fib", Utf8("[]")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<int>("fib", Utf8("null")));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<int>("fib", []));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<string>("fib", [(byte)'"', 0xff, (byte)'"']));
        Assert.Throws<ProtocolException>(() => Codec.DecodeReturn<object>("fib", Utf8(new string('[', 5000))));
    }

    [Fact]
    public void Serializer_options_are_read_only_and_deterministic()
    {
        Assert.True(Codec.Options.IsReadOnly);
        Assert.Equal(JsonNamingPolicy.SnakeCaseLower, Codec.Options.PropertyNamingPolicy);
    }

    public enum Mood
    {
        Calm,
        Angry,
    }

    public sealed record Unordered(string Zulu, int Alpha, bool Mike, double Bravo, long Charlie);

    public sealed record Outer(Unordered Inner, List<Unordered> Items, Unordered? Missing, int[][] Grid);

    public sealed record Ordered([property: JsonPropertyOrder(-1)] int Zulu, int Alpha, [property: JsonPropertyName("Émile")] int Emile, [property: JsonPropertyName("_under")] int Under);

    public sealed record Texts(string Plain, string Escaped, string? Nothing, char Letter);

    public sealed record BigValues(BigInteger Value, BigInteger? Maybe, List<BigInteger> Many);

    public sealed record Moods(Mood Now, Mood? Later, Mood? Never, Mood[] All);

    public sealed record Counts(string Name, Dictionary<string, int> ByKey);

    public sealed record Loose(object? Anything, int Zed);

    public sealed record WithNode(JsonObject Extra, int Zed);

    public sealed record Tree(int Value, Tree? Left, Tree? Right);

    /// <summary>A converter that writes a number as an object with its keys out of order.</summary>
    private sealed class UnsortedObjectConverter : JsonConverter<int>
    {
        public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteNumber("z", value);
            writer.WriteNumber("a", -value);
            writer.WriteEndObject();
        }
    }

    /// <summary>
    /// The payload and hash of <paramref name="codec"/> for <paramref name="args"/> equal those of the canonical form:
    /// the arguments serialized to a node and written with their keys sorted, then hashed as <c>["task_name",[args]]</c>.
    /// </summary>
    private static void AssertCanonical<TArgs>(TArgs args, JsonCodec? codec = null, string taskName = "task")
    {
        codec ??= Codec;
        var call = codec.EncodeCall(taskName, args);
        byte[] payload = [(byte)'[', .. JsonCodec.ToCanonicalJson(JsonSerializer.SerializeToNode(args, codec.WritingOptions)), (byte)']'];
        byte[] hashed = [(byte)'[', .. JsonCodec.ToCanonicalJson(JsonValue.Create(taskName)), (byte)',', .. payload, (byte)']'];
        Assert.Equal(Text(payload), Text(call.Payload));
        Assert.Equal(payload, call.Payload);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(hashed)), call.CallHash);
        Assert.Equal(taskName, call.TaskName);
    }

    private static Unordered Sample(int i) => new($"z{i}", i, i % 2 == 0, i / 3.0, long.MaxValue - i);

    [Fact]
    public void Records_with_properties_out_of_alphabetical_order_encode_like_the_canonical_form()
    {
        AssertCanonical(Sample(1));
        AssertCanonical(new Ordered(1, 2, 3, 4));
        AssertCanonical(new FibArgs(10, "abcd"));
        AssertCanonical(new SnakeArgs("Ada", 3, true));
    }

    [Fact]
    public void Nested_records_and_lists_of_records_encode_like_the_canonical_form()
    {
        AssertCanonical(new Outer(Sample(1), [Sample(2), Sample(3)], null, [[1, 2], [], [3]]));
        AssertCanonical(new Outer(Sample(4), [], Sample(5), []));
        AssertCanonical(new List<Unordered> { Sample(6), Sample(7) });
        AssertCanonical(new NestedArgs(new Inner(1, "a"), [3, 1, 2], null));
        AssertCanonical(new Tree(1, new Tree(2, null, null), new Tree(3, null, new Tree(4, null, null))));
    }

    [Fact]
    public void Big_integers_encode_like_the_canonical_form()
    {
        var fib1000 = BigInteger.Parse(Fib1000, System.Globalization.CultureInfo.InvariantCulture);
        AssertCanonical(new BigArgs(fib1000));
        AssertCanonical(new BigValues(-fib1000, null, [BigInteger.Zero, BigInteger.MinusOne, fib1000]));
        AssertCanonical(new BigValues(BigInteger.One, fib1000, []));
    }

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("Jörg 日本 ключ")]
    [InlineData("emoji 😀, U+FFFD \uFFFD and its escape \\uFFFD as text")]
    [InlineData("quote \" backslash \\ slash / newline \n tab \t form feed \f")]
    [InlineData("control \u0001\u001f delete \u007f line separators \u2028\u2029")]
    [InlineData("html <b>&amp;</b> 'single' +plus `tick`")]
    [InlineData("")]
    public void Strings_with_non_ascii_text_and_characters_to_escape_encode_like_the_canonical_form(string text)
    {
        AssertCanonical(new Texts(text, text + "\"", null, text.Length > 0 ? text[0] : 'x'));
        AssertCanonical(new FibArgs(1, text));
        AssertCanonical(text);
        AssertCanonical(new FibArgs(1, "abcd"), taskName: text);
    }

    [Fact]
    public void Strings_with_lone_surrogates_encode_like_the_canonical_form()
    {
        // Built in code: attribute arguments cannot hold invalid UTF-16. JSON.stringify escapes each, in lowercase hex.
        var text = new string(['a', '\ud800', 'b', '\udc00', '\\']);
        AssertCanonical(new Texts(text, "ok", null, '\ud83d'));
        AssertCanonical(new FibArgs(1, text));
        Assert.Equal("""[{"n":1,"salt":"a\ud800b\udc00\\"}]""", Text(Codec.EncodeCall("fib", new FibArgs(1, text)).Payload));
        Assert.Equal(
            """[{"escaped":"ok","letter":"\ud83d","nothing":null,"plain":"a\ud800b\udc00\\"}]""",
            Text(Codec.EncodeCall("t", new Texts(text, "ok", null, '\ud83d')).Payload));
    }

    [Fact]
    public void Null_members_and_enums_encode_like_the_canonical_form()
    {
        AssertCanonical(new Moods(Mood.Angry, Mood.Calm, null, [Mood.Calm, Mood.Angry, (Mood)7]));
        AssertCanonical(new Texts("a", "b", null, 'c'));
        AssertCanonical(new FibArgs(0, null!));
        AssertCanonical<FibArgs?>(null);
    }

    [Fact]
    public void Dictionaries_json_objects_and_object_members_encode_like_the_canonical_form()
    {
        AssertCanonical(new Counts("c", new Dictionary<string, int> { ["zeta"] = 1, ["alpha"] = 2, ["Mid"] = 3, ["é"] = 4, ["_"] = 5 }));
        AssertCanonical(new Dictionary<string, Unordered> { ["b"] = Sample(1), ["a"] = Sample(2) });
        AssertCanonical(new JsonObject { ["zeta"] = 1, ["alpha"] = new JsonObject { ["y"] = 2, ["b"] = new JsonArray(3, "x") } });
        AssertCanonical(new WithNode(new JsonObject { ["z"] = 1, ["a"] = 2 }, 3));
        AssertCanonical(new Loose(new Dictionary<string, object> { ["z"] = 1, ["a"] = Sample(3) }, 4));
        AssertCanonical(new Loose(Sample(5), 6));
        AssertCanonical(new Loose(null, 7));
        AssertCanonical<object>(Sample(8));
    }

    [Fact]
    public void Dictionaries_and_object_members_are_written_with_sorted_keys()
    {
        var call = Codec.EncodeCall("t", new Counts("c", new Dictionary<string, int> { ["zeta"] = 1, ["alpha"] = 2 }));
        Assert.Equal("""[{"by_key":{"alpha":2,"zeta":1},"name":"c"}]""", Text(call.Payload));
        call = Codec.EncodeCall("t", new Loose(new Inner(1, "a"), 2));
        Assert.Equal("""[{"anything":{"alpha":"a","zeta":1},"zed":2}]""", Text(call.Payload));
    }

    [Fact]
    public void Custom_serializer_options_encode_like_their_canonical_form()
    {
        var plain = new JsonCodec(new JsonSerializerOptions());
        AssertCanonical(Sample(1), plain);
        AssertCanonical(new Texts("Jörg <日本>", "\"", null, 'é'), plain);
        AssertCanonical(new Ordered(1, 2, 3, 4), plain);

        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };
        web.Converters.Add(new JsonStringEnumConverter());
        var webCodec = new JsonCodec(web);
        AssertCanonical(new Moods(Mood.Angry, null, Mood.Calm, [Mood.Calm]), webCodec);
        AssertCanonical(new Outer(Sample(1), [Sample(2)], null, [[1]]), webCodec);

        var converted = new JsonSerializerOptions(JsonCodec.CreateDefaultOptions());
        converted.Converters.Add(new UnsortedObjectConverter());
        var convertedCodec = new JsonCodec(converted);
        AssertCanonical(new FibArgs(10, "abcd"), convertedCodec);
        Assert.Equal("""[{"n":{"a":-10,"z":10},"salt":"abcd"}]""", Text(convertedCodec.EncodeCall("fib", new FibArgs(10, "abcd")).Payload));
    }

    [Fact]
    public void Plain_records_are_written_directly_and_anything_with_keys_of_its_own_goes_through_a_node()
    {
        Assert.True(Codec.WritesDirectly<FibArgs>());
        Assert.True(Codec.WritesDirectly<Outer>());
        Assert.True(Codec.WritesDirectly<BigValues>());
        Assert.True(Codec.WritesDirectly<Moods>());
        Assert.True(Codec.WritesDirectly<Tree>());
        Assert.True(Codec.WritesDirectly<List<Unordered>>());
        Assert.False(Codec.WritesDirectly<Counts>());
        Assert.False(Codec.WritesDirectly<Loose>());
        Assert.False(Codec.WritesDirectly<WithNode>());
        Assert.False(Codec.WritesDirectly<JsonObject>());
        Assert.False(Codec.WritesDirectly<JsonElement>());
        Assert.False(Codec.WritesDirectly<object>());
        Assert.False(Codec.WritesDirectly<Dictionary<string, int>>());

        var converted = new JsonSerializerOptions(JsonCodec.CreateDefaultOptions());
        converted.Converters.Add(new UnsortedObjectConverter());
        Assert.False(new JsonCodec(converted).WritesDirectly<FibArgs>());
        Assert.True(new JsonCodec(converted).WritesDirectly<Texts>());
    }

    [Fact]
    public void Duplicate_keys_are_rejected_at_any_depth_however_they_are_written()
    {
        var keys = string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"k{i}\":{i}"));
        var payloads = new[]
        {
            """[{"n":10,"salt":"abcd","extra":{"a":1,"a":2}}]""",
            """[{"n":10,"salt":"abcd","extra":[{"a":1},{"b":{"c":1,"c":1}}]}]""",
            """[{"n":10,"\u006e":11,"salt":"abcd"}]""",
            $$"""[{{{keys}},"k7":1}]""",
            """[{"n":10,"salt":"abcd","extra":{""" + keys + ""","k39":1}}]""",
        };
        foreach (var payload in payloads)
        {
            Assert.Throws<ProtocolException>(() => Codec.DecodeArgs<FibArgs>(CallOf(payload)));
            Assert.Throws<ProtocolException>(() => Codec.DecodeArgs<JsonObject>(CallOf(payload)));
        }
    }

    [Fact]
    public void Keys_that_differ_only_in_case_or_sit_in_different_objects_are_not_duplicates()
    {
        var keys = string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"k{i}\":{i}"));
        var payloads = new[]
        {
            """[{"n":10,"N":11,"salt":"abcd"}]""",
            """[{"n":10,"salt":"abcd","extra":{"n":1,"salt":2},"more":[{"a":1},{"a":2}]}]""",
            """[{"\u006e":10,"salt":"\u0061bcd"}]""",
            $$"""[{"n":10,"salt":"abcd",{{keys}}}]""",
        };
        foreach (var payload in payloads)
        {
            Assert.Equal("abcd", Codec.DecodeArgs<FibArgs>(CallOf(payload)).Salt);
            Assert.NotNull(Codec.DecodeArgs<JsonObject>(CallOf(payload)));
        }

        Assert.Equal(new FibArgs(10, "abcd"), Codec.DecodeArgs<FibArgs>(CallOf("""[{"\u006e":10,"salt":"\u0061bcd"}]""")));
    }

    [Theory]
    [InlineData("""[{"n":10,"salt":"\ud800"}]""")]
    [InlineData("""[{"n":10,"salt":"abcd","other":"x\udc00"}]""")]
    [InlineData("""[{"n":10,"salt":"abcd","\ud83d":1}]""")]
    public void Escaped_lone_surrogates_fail_with_a_protocol_error(string payload)
    {
        Assert.Throws<ProtocolException>(() => Codec.DecodeArgs<FibArgs>(CallOf(payload)));
        Assert.Throws<ProtocolException>(() => Codec.DecodeArgs<JsonObject>(CallOf(payload)));
    }

    [Fact]
    public void Escaped_surrogate_pairs_decode_to_the_same_text()
    {
        Assert.Equal(new FibArgs(1, "a😀é"), Codec.DecodeArgs<FibArgs>(CallOf("""[{"n":1,"salt":"a\ud83d\ude00\u00e9"}]""")));
    }

    [Fact]
    public void Encoded_calls_decode_to_equal_arguments()
    {
        var outer = new Outer(Sample(1), [Sample(2)], null, [[1, 2]]);
        var decoded = Codec.DecodeArgs<Outer>(Codec.EncodeCall("t", outer));
        Assert.Equal(outer.Inner, decoded.Inner);
        Assert.Equal(outer.Items, decoded.Items);
        Assert.Null(decoded.Missing);
        Assert.Equal([1, 2], Assert.Single(decoded.Grid));
        var moods = new Moods(Mood.Angry, null, Mood.Calm, [Mood.Calm]);
        Assert.Equal(moods.All, Codec.DecodeArgs<Moods>(Codec.EncodeCall("t", moods)).All);
    }
}
