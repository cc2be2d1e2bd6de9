using System.Text.Json.Nodes;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Protocol;
using static Brrr.Tests.TestSupport;

namespace Brrr.Tests;

/// <summary>The normative test vectors of PROTOCOL.md §7, byte for byte, both ways.</summary>
public sealed class ProtocolVectorTests
{
    private static readonly PendingReturns TwoReturns = new(
        [new PendingReturn("a", "p1", "t"), new PendingReturn("b", "p1", "t")], 1_700_000_000);

    [Fact]
    public void Schedule_message_encodes_to_the_vector()
    {
        Assert.Equal("li2e4:r00t8:c4llh4she", Text(new ScheduleMessage("r00t", "c4llh4sh").Encode()));
        Assert.Equal("li2e4:r00t8:c4llh4she", new ScheduleMessage("r00t", "c4llh4sh").ToWire());
    }

    [Fact]
    public void Schedule_message_vector_decodes_to_the_record()
    {
        Assert.Equal(new ScheduleMessage("r00t", "c4llh4sh"), ScheduleMessage.Decode(Vectors.Schedule));
        Assert.Equal(new ScheduleMessage("r00t", "c4llh4sh"), ScheduleMessage.FromWire("li2e4:r00t8:c4llh4she"));
    }

    [Fact]
    public void Pending_return_encodes_to_the_vector_and_decodes_back()
    {
        var record = new PendingReturn("r00t", "p4rent", "topic-a");
        Assert.Equal("li1e4:r00t6:p4rent7:topic-ae", Text(record.Encode()));
        Assert.Equal(record, PendingReturn.Decode(Vectors.Return));
    }

    [Fact]
    public void Pending_returns_with_scheduled_at_encode_to_the_vector()
    {
        Assert.Equal(Vectors.Returns, TwoReturns.Encode());
    }

    [Fact]
    public void Pending_returns_built_in_reverse_order_encode_sorted_to_the_same_vector()
    {
        var reversed = new PendingReturns(
            [new PendingReturn("b", "p1", "t"), new PendingReturn("a", "p1", "t")], 1_700_000_000);
        Assert.Equal(Text(Vectors.Returns), Text(reversed.Encode()));
    }

    [Fact]
    public void Pending_returns_vector_decodes_to_the_record()
    {
        var decoded = PendingReturns.Decode(Vectors.Returns);
        Assert.Equal(TwoReturns, decoded);
        Assert.Equal(1_700_000_000, decoded.ScheduledAt);
        Assert.Equal(["a", "b"], decoded.Returns.Select(r => r.RootId));
    }

    [Fact]
    public void Pending_returns_without_scheduled_at_omit_the_key()
    {
        var record = new PendingReturns([new PendingReturn("a", "p1", "t")], null);
        Assert.Equal("d7:returnslli1e1:a2:p11:teee", Text(record.Encode()));
        var decoded = PendingReturns.Decode(Vectors.ReturnsNoTime);
        Assert.Null(decoded.ScheduledAt);
        Assert.Equal(record, decoded);
    }

    [Fact]
    public void Call_record_encodes_to_the_vector_and_decodes_back()
    {
        var payload = Utf8("[{\"n\":10,\"salt\":\"abcd\"}]");
        Assert.Equal(Text(Vectors.CallRecordFib), Text(CallRecord.Encode("fib", payload)));
        var (taskName, decodedPayload) = CallRecord.Decode(Vectors.CallRecordFib);
        Assert.Equal("fib", taskName);
        Assert.Equal(payload, decodedPayload);
    }

    [Fact]
    public async Task Memory_stores_the_call_record_vector_bytes()
    {
        var store = new InMemoryStore();
        var memory = new Memory(store);
        var call = JsonCodec.Default.EncodeCall("fib", new JsonObject { ["salt"] = "abcd", ["n"] = 10 });
        await memory.SetCallAsync(call);
        var raw = await store.GetAsync(MemKey.CallOf(call.CallHash));
        Assert.NotNull(raw);
        Assert.Equal(Text(Vectors.CallRecordFib), Text(raw));
        var read = await memory.GetCallAsync(call.CallHash);
        Assert.Equal("fib", read.TaskName);
        Assert.Equal(call.Payload, read.Payload);
        Assert.Equal(call.CallHash, read.CallHash);
    }

    [Fact]
    public void Non_ascii_root_id_encodes_as_utf8_bytes_with_a_byte_length()
    {
        var message = new ScheduleMessage("rööt", "h");
        Assert.Equal("6c693265363a72c3b6c3b674313a6865", Convert.ToHexStringLower(message.Encode()));
        Assert.Equal(message, ScheduleMessage.Decode(Vectors.ScheduleNonAscii));
        Assert.Equal(message, ScheduleMessage.FromWire(message.ToWire()));
    }

    public sealed record FibArgs(int N, string Salt);

    public sealed record FibArgsReordered(string Salt, int N);

    public sealed record HelloArgs(string Greetee);

    public sealed record CalcArgs(string Op, string N);

    [Fact]
    public void Demo_hash_of_fib_from_a_json_object_matches_the_vector()
    {
        var call = JsonCodec.Default.EncodeCall("fib", new JsonObject { ["salt"] = "abcd", ["n"] = 10 });
        Assert.Equal("[{\"n\":10,\"salt\":\"abcd\"}]", Text(call.Payload));
        Assert.Equal("5d460ecda1ca2397e5254c417c88fac37f684ce4b346d8e7c11cdfde98ebd70f", call.CallHash);
        Assert.Equal("fib", call.TaskName);
    }

    [Fact]
    public void Demo_hash_of_fib_from_a_record_matches_the_vector_whatever_the_property_order()
    {
        var first = JsonCodec.Default.EncodeCall("fib", new FibArgs(10, "abcd"));
        var second = JsonCodec.Default.EncodeCall("fib", new FibArgsReordered("abcd", 10));
        foreach (var call in new[] { first, second })
        {
            Assert.Equal("[{\"n\":10,\"salt\":\"abcd\"}]", Text(call.Payload));
            Assert.Equal("5d460ecda1ca2397e5254c417c88fac37f684ce4b346d8e7c11cdfde98ebd70f", call.CallHash);
        }
    }

    [Fact]
    public void Demo_hash_of_hello_matches_the_vector()
    {
        const string expected = "5714cc89e78848ca5412029319985e7aa798ed59e93a13a958b114146953f836";
        Assert.Equal(expected, JsonCodec.Default.EncodeCall("hello", new JsonObject { ["greetee"] = "John" }).CallHash);
        Assert.Equal(expected, JsonCodec.Default.EncodeCall("hello", new HelloArgs("John")).CallHash);
    }

    [Fact]
    public void Demo_hash_of_calc_and_print_matches_the_vector()
    {
        const string expected = "05debe3aeed19b46694aafc372b76a725d9b8bfff49547c69a06e64347568527";
        var fromObject = JsonCodec.Default.EncodeCall("calc_and_print", new JsonObject { ["op"] = "fib", ["n"] = "11" });
        var fromRecord = JsonCodec.Default.EncodeCall("calc_and_print", new CalcArgs("fib", "11"));
        Assert.Equal(expected, fromObject.CallHash);
        Assert.Equal(expected, fromRecord.CallHash);
        Assert.Equal("[{\"n\":\"11\",\"op\":\"fib\"}]", Text(fromRecord.Payload));
    }

    // §7's demo rows fib({n:10, salt}): label → (salt, payload hex, sha256). §7 gives the payload of some rows (as
    // hex or text); the others' payloads were made with node 20 (JSON.stringify([{n:10,salt}])), matching §7's hashes.
    private static readonly Dictionary<string, (string Salt, string PayloadHex, string Hash)> SaltRows = new()
    {
        ["emoji"] = ("emoji😀x", "5b7b226e223a31302c2273616c74223a22656d6f6a69f09f988078227d5d", "040848212fa56f2c07b1c67ace51516dc7166ea5721c8b44538da33f45aa8412"),
        ["del"] = ("del\u007fx", "5b7b226e223a31302c2273616c74223a2264656c7f78227d5d", "534fd86f7e2223b6ff3fc7d5e7089deb79c82b0126fe88162633810de0a8a096"),
        ["nbsp"] = ("nbsp\u00a0x", "5b7b226e223a31302c2273616c74223a226e627370c2a078227d5d", "87a083d99058aada7ba4ee47b72b5c0e5ad66e9e6c7d1ca506498647f7beb45b"),
        ["ls"] = ("ls\u2028x", "5b7b226e223a31302c2273616c74223a226c73e280a878227d5d", "5364adaf14d44a37739e502c29285fd03d424f9c0f8a2a2fa5d37af45e2a08e4"),
        ["bom"] = ("bom\ufeffx", "5b7b226e223a31302c2273616c74223a22626f6defbbbf78227d5d", "e94067d4d464c58d0c2945ee217763a5d0f818855e833b0f3851d0e15d91b4e3"),
        ["ctl"] = ("ctl\u001fx", "5b7b226e223a31302c2273616c74223a2263746c5c753030316678227d5d", "ba05727d5c1fa2fdd28a4a28366abdfb6b5411f1b64e56e124d3d0f3289ffd59"),
        ["tab"] = ("tab\tx", "5b7b226e223a31302c2273616c74223a227461625c7478227d5d", "a720f7b2e5c5b16c1c092a97297d7da39a43563d06f11a46e64899550b5915bc"),
        ["lone"] = ("lone\ud800x", "5b7b226e223a31302c2273616c74223a226c6f6e655c756438303078227d5d", "536344a7491b34834945d5d5974b7259de5ca9b3189e66c8c4d58ca9b3142eb0"),
        ["quote"] = ("q\"b\\x", "5b7b226e223a31302c2273616c74223a22715c22625c5c78227d5d", "e61f9a123ac420a4becf27379523f4aaa6d81863c7ad409a3806534c61913a01"),
        ["root"] = ("rööt", "5b7b226e223a31302c2273616c74223a2272c3b6c3b674227d5d", "67bec9e4e85095b92d2b01e87c0e58f8e60ce6a67c0344f88761922eae3b2188"),
    };

    // Labels only: a lone surrogate does not survive the test runner's serialization of theory data.
    public static TheoryData<string> SaltRowLabels => [.. SaltRows.Keys];

    [Theory]
    [MemberData(nameof(SaltRowLabels))]
    public void Demo_payload_and_hash_of_fib_with_a_salt_match_the_vector_from_a_record_and_a_json_object(string label)
    {
        var (salt, payloadHex, hash) = SaltRows[label];
        var fromRecord = JsonCodec.Default.EncodeCall("fib", new FibArgs(10, salt));
        var fromObject = JsonCodec.Default.EncodeCall("fib", new JsonObject { ["salt"] = JsonValue.Create(salt), ["n"] = 10 });
        foreach (var call in new[] { fromRecord, fromObject })
        {
            Assert.Equal(payloadHex, Convert.ToHexStringLower(call.Payload));
            Assert.Equal(hash, call.CallHash);
        }
    }

    [Theory]
    [MemberData(nameof(SaltRowLabels))]
    public void Demo_payload_of_fib_with_a_salt_decodes_and_re_encodes_to_the_vector(string label)
    {
        var (salt, payloadHex, hash) = SaltRows[label];
        var call = new Call("fib", Convert.FromHexString(payloadHex), hash);
        if (label == "lone")
        {
            // .NET's JSON reader cannot unescape a lone surrogate, so such a payload is refused, clearly.
            Assert.Throws<ProtocolException>(() => JsonCodec.Default.DecodeArgs<FibArgs>(call));
            return;
        }

        Assert.Equal(new FibArgs(10, salt), JsonCodec.Default.DecodeArgs<FibArgs>(call));
        var reEncoded = JsonCodec.Default.EncodeCall("fib", JsonCodec.Default.DecodeArgs<JsonObject>(call));
        Assert.Equal(payloadHex, Convert.ToHexStringLower(reEncoded.Payload));
        Assert.Equal(hash, reEncoded.CallHash);
    }

    [Fact]
    public void Demo_payload_text_of_the_escaped_salts_matches_the_vector()
    {
        Assert.Equal("""[{"n":10,"salt":"ctl\u001fx"}]""", Text(JsonCodec.Default.EncodeCall("fib", new FibArgs(10, "ctl\u001fx")).Payload));
        Assert.Equal("""[{"n":10,"salt":"tab\tx"}]""", Text(JsonCodec.Default.EncodeCall("fib", new FibArgs(10, "tab\tx")).Payload));
        Assert.Equal("""[{"n":10,"salt":"lone\ud800x"}]""", Text(JsonCodec.Default.EncodeCall("fib", new FibArgs(10, "lone\ud800x")).Payload));
    }

    public sealed record NumberArgs(double X);

    [Theory]
    [InlineData(1.5e21, "1.5e+21")]
    [InlineData(9007199254740992.0, "9007199254740992")]
    [InlineData(1e21, "1e+21")]
    [InlineData(123456789012345680000.0, "123456789012345680000")]
    [InlineData(-0.0, "0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-7, "1e-7")]
    public void Json_numbers_are_written_as_json_stringify_writes_them(double value, string expected)
    {
        Assert.Equal(expected, Text(JsonCodec.Default.EncodeReturn(value)));
        Assert.Equal($$"""[{"x":{{expected}}}]""", Text(JsonCodec.Default.EncodeCall("t", new NumberArgs(value)).Payload));
        Assert.Equal($$"""[{"x":{{expected}}}]""", Text(JsonCodec.Default.EncodeCall("t", new JsonObject { ["x"] = value }).Payload));
        Assert.Equal(expected, Text(JsonCodec.ToCanonicalJson(JsonValue.Create(value))));
    }

    [Fact]
    public void Vector_call_decodes_to_the_typed_arguments()
    {
        var call = new Call("fib", Utf8("[{\"n\":10,\"salt\":\"abcd\"}]"), "5d460ecda1ca2397e5254c417c88fac37f684ce4b346d8e7c11cdfde98ebd70f");
        Assert.Equal(new FibArgs(10, "abcd"), JsonCodec.Default.DecodeArgs<FibArgs>(call));
    }
}
