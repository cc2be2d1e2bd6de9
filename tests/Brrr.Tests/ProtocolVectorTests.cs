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

    [Fact]
    public void Vector_call_decodes_to_the_typed_arguments()
    {
        var call = new Call("fib", Utf8("[{\"n\":10,\"salt\":\"abcd\"}]"), "5d460ecda1ca2397e5254c417c88fac37f684ce4b346d8e7c11cdfde98ebd70f");
        Assert.Equal(new FibArgs(10, "abcd"), JsonCodec.Default.DecodeArgs<FibArgs>(call));
    }
}
