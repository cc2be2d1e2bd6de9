using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
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
}
