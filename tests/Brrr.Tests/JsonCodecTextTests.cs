using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Brrr.Codecs;
using static Brrr.Tests.TestSupport;

namespace Brrr.Tests;

/// <summary>Strings of the demo JSON codec exactly as JavaScript's JSON.stringify writes them (PROTOCOL.md §6).</summary>
public sealed class JsonCodecTextTests
{
    // Every code unit up to U+00FF, then U+00AD, U+2028, U+2029, U+FEFF, U+FFFD, U+FFFF (no surrogates).
    private static readonly string Latin = string.Concat(Enumerable.Range(0, 0x100).Select(c => (char)c)) + "\u00ad\u2028\u2029\ufeff\ufffd\uffff";

    // Made with node 20: Buffer.from(JSON.stringify(Latin)).toString('hex').
    private const string LatinJsonHex =
        "225c75303030305c75303030315c75303030325c75303030335c75303030345c75303030355c75303030365c75303030375c625c745c6e5c"
        + "75303030625c665c725c75303030655c75303030665c75303031305c75303031315c75303031325c75303031335c75303031345c75303031"
        + "355c75303031365c75303031375c75303031385c75303031395c75303031615c75303031625c75303031635c75303031645c75303031655c"
        + "753030316620215c22232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051"
        + "52535455565758595a5b5c5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7fc280c281c282c283c2"
        + "84c285c286c287c288c289c28ac28bc28cc28dc28ec28fc290c291c292c293c294c295c296c297c298c299c29ac29bc29cc29dc29ec29fc2"
        + "a0c2a1c2a2c2a3c2a4c2a5c2a6c2a7c2a8c2a9c2aac2abc2acc2adc2aec2afc2b0c2b1c2b2c2b3c2b4c2b5c2b6c2b7c2b8c2b9c2bac2bbc2"
        + "bcc2bdc2bec2bfc380c381c382c383c384c385c386c387c388c389c38ac38bc38cc38dc38ec38fc390c391c392c393c394c395c396c397c3"
        + "98c399c39ac39bc39cc39dc39ec39fc3a0c3a1c3a2c3a3c3a4c3a5c3a6c3a7c3a8c3a9c3aac3abc3acc3adc3aec3afc3b0c3b1c3b2c3b3c3"
        + "b4c3b5c3b6c3b7c3b8c3b9c3bac3bbc3bcc3bdc3bec3bfc2ade280a8e280a9efbbbfefbfbdefbfbf22";

    // Lone surrogates (high, low, high at the end of a run), a pair between them and a lone low one at the end.
    private static readonly string Lone = "a\ud800b\udc00c\udbff😀\udfff";

    private static readonly JsonCodec Codec = JsonCodec.Default;

    public sealed record TextArgs(string Text);

    public sealed record FibArgs(int N, string Salt);

    [Fact]
    public void Every_latin_character_is_escaped_or_raw_as_json_stringify_writes_it_whichever_way_it_is_written()
    {
        var expected = Text(Convert.FromHexString(LatinJsonHex));
        Assert.Equal(expected, Text(Codec.EncodeReturn(Latin)));
        Assert.Equal(expected, Text(JsonCodec.ToCanonicalJson(JsonValue.Create(Latin))));
        Assert.Equal(expected, Text(JsonCodec.ToCanonicalJson(JsonNode.Parse(JsonSerializer.Serialize(Latin)))));
        Assert.Equal($"[{{\"text\":{expected}}}]", Text(Codec.EncodeCall("t", new TextArgs(Latin)).Payload));
        Assert.Equal($"[{{\"text\":{expected}}}]", Text(Codec.EncodeCall("t", new JsonObject { ["text"] = Latin }).Payload));
    }

    [Fact]
    public void Task_names_keys_and_values_hash_as_json_stringify_writes_them()
    {
        // node: sha256(JSON.stringify([Latin, [{[Latin]: Latin, n: 1}]])) and sha256(JSON.stringify([Latin, [{text: Latin}]])).
        const string KeyedHash = "a5b8cd77da322f6f7acc6367feb574e8936f2f9c8ca86f48d68ef70deb901394";
        Assert.Equal(KeyedHash, Codec.EncodeCall(Latin, new JsonObject { [Latin] = Latin, ["n"] = 1 }).CallHash);
        Assert.Equal(KeyedHash, Codec.EncodeCall(Latin, new Dictionary<string, object> { [Latin] = Latin, ["n"] = 1 }).CallHash);
        Assert.Equal(KeyedHash, Codec.EncodeCall(Latin, JsonNode.Parse(JsonSerializer.Serialize(new Dictionary<string, object> { ["n"] = 1, [Latin] = Latin }))!.AsObject()).CallHash);
        Assert.Equal("4e91666f807b3cef75770354619a9deea21bb63abc539a13c096c17b8bbc322a", Codec.EncodeCall(Latin, new TextArgs(Latin)).CallHash);
    }

    public sealed record NamedArgs([property: JsonPropertyName("ké😀\u001f\"\u2028")] int Odd, [property: JsonPropertyName("\u007f")] int Del);

    [Fact]
    public void Property_names_and_dictionary_keys_are_escaped_as_json_stringify_escapes_them()
    {
        const string Expected = "[{\"k\u00e9😀\\u001f\\\"\u2028\":1,\"\u007f\":2}]";
        Assert.True(Codec.WritesDirectly<NamedArgs>());
        Assert.Equal(Expected, Text(Codec.EncodeCall("t", new NamedArgs(1, 2)).Payload));
        Assert.Equal(Expected, Text(Codec.EncodeCall("t", new Dictionary<string, int> { ["\u007f"] = 2, ["ké😀\u001f\"\u2028"] = 1 }).Payload));
        Assert.Equal(Expected, Text(Codec.EncodeCall("t", new JsonObject { ["\u007f"] = 2, ["ké😀\u001f\"\u2028"] = 1 }).Payload));
    }

    [Fact]
    public void Lone_surrogates_in_values_keys_and_task_names_are_written_as_lowercase_escapes()
    {
        // node: JSON.stringify([{[Lone]: Lone}]) and sha256(JSON.stringify([Lone, [{[Lone]: Lone}]])).
        const string Payload = """[{"a\ud800b\udc00c\udbff😀\udfff":"a\ud800b\udc00c\udbff😀\udfff"}]""";
        var call = Codec.EncodeCall(Lone, new JsonObject { [Lone] = Lone });
        Assert.Equal(Payload, Text(call.Payload));
        Assert.Equal("d431425ad58e3770fb793a61f1bde3f28448638537165781496e1eef8a83c7b6", call.CallHash);
        Assert.Equal("""[{"text":"a\ud800b\udc00c\udbff😀\udfff"}]""", Text(Codec.EncodeCall(Lone, new TextArgs(Lone)).Payload));
        Assert.Equal(call.CallHash, Codec.EncodeCall(Lone, new JsonObject { [Lone] = JsonValue.Create(Lone) }).CallHash);
        Assert.Equal("\"a\\ud800b\\udc00c\\udbff😀\\udfff\"", Text(Codec.EncodeReturn(Lone)));
        Assert.Equal("\"\\udbff\"", Text(Codec.EncodeReturn('\udbff')));
    }

    [Fact]
    public void Escapes_of_parsed_json_are_rewritten_the_way_json_stringify_writes_them()
    {
        var parsed = JsonNode.Parse("""{"k\u00E9\/\u0041":"\u001F\u0022\u005C\/\b\f\n\r\t\u007F\u2028\uD83D\uDE00\u00e9"}""");
        Assert.Equal("{\"ké/A\":\"\\u001f\\\"\\\\/\\b\\f\\n\\r\\t\u007f\u2028😀é\"}", Text(JsonCodec.ToCanonicalJson(parsed)));
    }

    [Fact]
    public void A_lone_surrogate_in_a_dictionary_key_is_refused_rather_than_written_as_other_text()
    {
        // The serializer's writer hands the encoder U+FFFD for it: "a\ud800" and "a\udc00" would hash alike.
        var error = Assert.Throws<ArgumentException>(() => Codec.EncodeCall("t", new Dictionary<string, int> { ["a\ud800"] = 1 }));
        Assert.Contains("lone surrogate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Python_json_dumps_payload_decodes_to_the_same_arguments_and_re_encodes_to_the_javascript_payload()
    {
        // python3 -c 'import json; print(json.dumps([{"salt": "rööt😀", "n": 10}], sort_keys=True))', pasted as printed.
        var python = new Call("fib", Utf8("""[{"n": 10, "salt": "r\u00f6\u00f6t\ud83d\ude00"}]"""), "h");
        Assert.Equal(new FibArgs(10, "rööt😀"), Codec.DecodeArgs<FibArgs>(python));
        var reEncoded = Codec.EncodeCall("fib", Codec.DecodeArgs<JsonObject>(python));
        // node: JSON.stringify([{n:10,salt:"rööt😀"}]) and the sha256 of JSON.stringify(["fib",[{n:10,salt:"rööt😀"}]]).
        Assert.Equal("5b7b226e223a31302c2273616c74223a2272c3b6c3b674f09f9880227d5d", Convert.ToHexStringLower(reEncoded.Payload));
        Assert.Equal("1765979f358506bed6422b57505cea099c6a38c11b70940e2ee4d571ad1873c4", reEncoded.CallHash);
        Assert.Equal(reEncoded.CallHash, Codec.EncodeCall("fib", new FibArgs(10, "rööt😀")).CallHash);
    }
}
