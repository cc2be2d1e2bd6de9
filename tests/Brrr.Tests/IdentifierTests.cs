using System.Security.Cryptography;
using System.Text;
using Brrr.Backends;
using Brrr.Protocol;
using static Brrr.Tests.TestSupport;

namespace Brrr.Tests;

/// <summary>Call hashes and root ids follow one rule (<see cref="Identifiers"/>) wherever they enter a record or, through <see cref="Memory"/>, a key.</summary>
public sealed class IdentifierTests
{
    /// <summary>What the reference workers and this one make: every one must be accepted.</summary>
    public static TheoryData<string> ReferenceIds
    {
        get
        {
            var uuid = Guid.NewGuid().ToByteArray();
            return new TheoryData<string>
            {
                Convert.ToHexStringLower(SHA256.HashData(Utf8("[\"fib\",[{\"n\":10,\"salt\":\"abcd\"}]]"))),
                Convert.ToBase64String(uuid).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
                Convert.ToHexStringLower(uuid),
                BrrrClient.NewRootId(),
                "--__--__--__--__--__--",
                "c4llh4sh",
                "sha256:0f.1",
                new string('a', Identifiers.MaxLength),
            };
        }
    }

    /// <summary>Characters that must never reach a key: hash tags, globs, quotes, separators, spaces, controls.</summary>
    public static TheoryData<string> UnsafeIds => new()
    {
        "{h}", "h}", "h*", "h?", "[h]", "h h", "h\"", "h'", "h/x", "h\\x", "h\u0000", "h\r\n", "h\u007f", "h\u00a0", "h+x", "h=",
        "h😀", new string('a', Identifiers.MaxLength + 1),
    };

    [Theory]
    [MemberData(nameof(ReferenceIds))]
    public async Task Every_reference_made_id_is_a_valid_call_hash_and_root_id_and_round_trips(string id)
    {
        var message = new ScheduleMessage(id, id);
        Assert.Equal(message, ScheduleMessage.FromWire(message.ToWire()));
        var pendingReturn = new PendingReturn(id, id, "topic");
        Assert.Equal(pendingReturn, PendingReturn.Decode(pendingReturn.Encode()));
        Assert.Equal(id, new Call("fib", [], id).CallHash);
        Assert.False(await new Memory(new InMemoryStore()).HasValueAsync(id));
    }

    [Fact]
    public void A_root_id_may_hold_non_ascii_letters_as_the_protocol_vector_does()
    {
        Assert.Equal("rööt", ScheduleMessage.Decode(Vectors.ScheduleNonAscii).RootId);
        Assert.Throws<ProtocolException>(() => new ScheduleMessage("r", "rööt"));
    }

    [Theory]
    [MemberData(nameof(UnsafeIds))]
    public async Task An_unsafe_call_hash_is_a_protocol_error_in_every_record_and_key(string id)
    {
        var wire = Encoding.UTF8.GetString(new BencodeWriter().BeginList().Int(2).String("r00t").String(id).End().ToArray());
        var decoded = Assert.Throws<ProtocolException>(() => ScheduleMessage.FromWire(wire));
        Assert.StartsWith("ScheduleMessage: field 'call_hash': ", decoded.Message, StringComparison.Ordinal);
        Assert.Throws<ProtocolException>(() => PendingReturn.Decode(new BencodeWriter().BeginList().Int(1).String("r00t").String(id).String("t").End().ToArray()));
        Assert.Throws<ProtocolException>(() => new ScheduleMessage("r00t", id));
        Assert.Throws<ProtocolException>(() => new Call("fib", [], id));
        var memory = new Memory(new InMemoryStore());
        await Assert.ThrowsAsync<ProtocolException>(() => memory.GetCallAsync(id));
        await Assert.ThrowsAsync<ProtocolException>(() => memory.HasValueAsync(id));
        await Assert.ThrowsAsync<ProtocolException>(() => memory.GetValueAsync(id));
        await Assert.ThrowsAsync<ProtocolException>(() => memory.SetValueAsync(id, [1]));
        await Assert.ThrowsAsync<ProtocolException>(() => memory.AddPendingReturnAsync(id, new PendingReturn("r", "p", "t")));
        await Assert.ThrowsAsync<ProtocolException>(() => memory.RemovePendingReturnsAsync(id, _ => Task.CompletedTask));
        await Assert.ThrowsAsync<ProtocolException>(() => memory.SetValueAndSendReturnsAsync(id, [1], _ => Task.CompletedTask));
    }

    [Theory]
    [MemberData(nameof(UnsafeIds))]
    public void An_unsafe_root_id_is_a_protocol_error_in_every_record(string id)
    {
        var wire = Encoding.UTF8.GetString(new BencodeWriter().BeginList().Int(2).String(id).String("c4llh4sh").End().ToArray());
        var error = Assert.Throws<ProtocolException>(() => ScheduleMessage.FromWire(wire));
        Assert.StartsWith("ScheduleMessage: field 'root_id': ", error.Message, StringComparison.Ordinal);
        Assert.Throws<ProtocolException>(() => new PendingReturn(id, "p4rent", "t"));
    }

    [Fact]
    public async Task The_error_names_the_character_and_the_alphabet()
    {
        var error = Assert.Throws<ProtocolException>(() => ScheduleMessage.FromWire("li2e1:r12:{not-a-hash}e"));
        Assert.Equal("ScheduleMessage: field 'call_hash': a call hash may hold only ASCII letters, digits and '-', '_', '.', ':' (it becomes part of store and queue keys), found '{'.", error.Message);
        var memory = new Memory(new InMemoryStore());
        Assert.Contains("U+0020", (await Assert.ThrowsAsync<ProtocolException>(() => memory.GetValueAsync("a b"))).Message, StringComparison.Ordinal);
        Assert.Contains("at most 128 characters, got 129", (await Assert.ThrowsAsync<ProtocolException>(() => memory.GetValueAsync(new string('a', 129)))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_read_or_a_schedule_with_an_unsafe_id_fails_before_any_key_is_made()
    {
        var store = new InMemoryStore();
        var queue = new InMemoryQueue();
        var client = new BrrrClient(store, new InMemoryCache(), queue);
        await Assert.ThrowsAsync<ProtocolException>(() => client.Memory.GetValueAsync("{x}"));
        var call = client.Codec.EncodeCall("fib", new { n = 1 });
        await Assert.ThrowsAsync<ProtocolException>(() => client.ScheduleAsync(call, "t", rootId: "root *"));
        Assert.False(await store.HasAsync(MemKey.CallOf(call.CallHash)));
        Assert.Equal(0, (await queue.GetStatsAsync("t")).Waiting);
    }
}
