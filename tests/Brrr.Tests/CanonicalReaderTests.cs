using System.Text;
using Brrr.Protocol;
using static Brrr.Tests.TestSupport;

namespace Brrr.Tests;

/// <summary>
/// The hot decoders read the canonical form with <see cref="CanonicalReader"/> and fall back to the general decoder
/// for anything else: on every input both ways must give the same record, or the same <see cref="ProtocolException"/>.
/// </summary>
public sealed class CanonicalReaderTests
{
    /// <summary>Each decoder beside its general (object tree) way, with a record comparison that sees every field.</summary>
    private static readonly (string Name, Func<byte[], object> Fast, Func<byte[], object> General)[] Pairs =
    [
        ("ScheduleMessage", b => ScheduleMessage.Decode(b), b => ScheduleMessage.DecodeAnyForm(b)),
        ("PendingReturn", b => PendingReturn.Decode(b), b => PendingReturn.DecodeAnyForm(b)),
        ("PendingReturns", b => Show(PendingReturns.Decode(b)), b => Show(PendingReturns.DecodeAnyForm(b))),
        ("CallRecord", b => Show(CallRecord.Decode(b)), b => Show(CallRecord.DecodeAnyForm(b))),
    ];

    /// <summary>Valid records in forms this protocol never writes: the general decoder reads them.</summary>
    public static TheoryData<string, string, string> OtherForms => new()
    {
        { "PendingReturns", "d12:scheduled_ati5e7:returnslee", "returns=[] at=5" },
        { "PendingReturns", "d7:returnsle12:scheduled_ati-5ee", "returns=[] at=-5" },
        { "PendingReturns", "d5:extrai1e7:returnslli1e1:a1:p1:teee", "returns=[a/p/t] at=" },
        { "PendingReturns", "d7:returnslli1e1:b1:p1:teli1e1:a1:p1:tee12:scheduled_ati1234567890123456789ee", "returns=[a/p/t,b/p/t] at=1234567890123456789" },
        { "CallRecord", "d9:task_name3:fib7:payload2:[]e", "fib [91, 93]" },
        { "CallRecord", "d5:extrale7:payload0:9:task_name1:fe", "f []" },
    };

    [Theory]
    [MemberData(nameof(OtherForms))]
    public void A_valid_record_in_another_form_decodes_through_the_general_decoder(string decoder, string input, string expected)
    {
        var pair = Pairs.Single(p => p.Name == decoder);
        Assert.Equal(expected, pair.Fast(Utf8(input)));
        Assert.Equal(expected, pair.General(Utf8(input)));
    }

    [Fact]
    public void Every_vector_and_every_single_byte_change_of_it_decodes_the_same_both_ways()
    {
        var compared = 0;
        foreach (var (name, vector) in Vectors.All)
        {
            compared += Compare(name, vector);
            for (var position = 0; position < vector.Length; position++)
            {
                compared += Compare($"{name} truncated to {position}", vector[..position]);
                compared += Compare($"{name} without byte {position}", [.. vector[..position], .. vector[(position + 1)..]]);
                compared += Compare($"{name} with byte {position} doubled", [.. vector[..(position + 1)], .. vector[position..]]);
                foreach (var replacement in "\0 eild:-019\u007f"u8.ToArray().Append((byte)0xc3).Append((byte)0xff).Append((byte)(vector[position] + 1)))
                {
                    var changed = vector.ToArray();
                    changed[position] = replacement;
                    compared += Compare($"{name} with byte {position} set to 0x{replacement:x2}", changed);
                }
            }
        }

        Assert.True(compared > 5000, $"only {compared} comparisons");
    }

    [Fact]
    public void Random_bencode_shaped_input_decodes_the_same_both_ways()
    {
        var alphabet = Utf8("ilde0123456789:-:e1234lle").Concat(new byte[] { 0xff, 0xc3, 0xb6, 0x01 }).ToArray();
        var random = new Random(4242);
        var compared = 0;
        for (var i = 0; i < 3000; i++)
        {
            // Half of the inputs start like a record, so that they get past the first bytes of the canonical form.
            var prefix = (i % 4) switch { 0 => "li2e", 1 => "li1e", 2 => "d7:returnsl", _ => "d7:payload" };
            var tail = Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)]);
            compared += Compare($"random #{i}", i % 2 == 0 ? [.. Utf8(prefix), .. tail] : tail.ToArray());
        }

        Assert.Equal(3000 * Pairs.Length, compared);
    }

    [Fact]
    public void A_schedule_message_s_wire_text_is_its_bytes_as_utf8()
    {
        foreach (var message in new[] { new ScheduleMessage("r00t", "c4llh4sh"), new ScheduleMessage("rööt日本٠", "sha256:ab-c_d.e"), new ScheduleMessage(new string('r', 128), new string('h', 128)) })
        {
            Assert.Equal(Encoding.UTF8.GetString(message.Encode()), message.ToWire());
            Assert.Equal(message, ScheduleMessage.FromWire(message.ToWire()));
        }

        var longRoot = new ScheduleMessage(new string('日', 128), new string('h', 128));
        Assert.True(Encoding.UTF8.GetByteCount(longRoot.ToWire()) > 512, "the wire text must take the path that does not use the stack");
        Assert.Equal(longRoot, ScheduleMessage.FromWire(longRoot.ToWire()));
    }

    [Fact]
    public void A_text_decoded_again_is_the_same_string_and_never_another_text()
    {
        // The reader keeps the strings it decoded last (RecentStrings): a hit must be the same text, whatever shares its slot.
        var first = ScheduleMessage.Decode(new ScheduleMessage("r00t", "c4llh4sh").Encode());
        var again = ScheduleMessage.Decode(new ScheduleMessage("r00t", "c4llh4sh").Encode());
        Assert.Same(first.RootId, again.RootId);
        Assert.Same(first.CallHash, again.CallHash);

        var random = new Random(99);
        var texts = Enumerable.Range(0, 5000).Select(i => i % 7 == 0 ? $"rööt-{i}" : i % 11 == 0 ? new string('h', 100 + (i % 40)) : $"{random.Next():x8}{i}").ToArray();
        for (var round = 0; round < 3; round++)
        {
            foreach (var text in texts)
            {
                Assert.Equal(text, RecentStrings.Of(Encoding.UTF8.GetBytes(text)));
            }
        }

        Assert.Equal("", RecentStrings.Of([]));
    }

    [Fact]
    public void Records_written_one_after_another_on_a_thread_keep_their_own_bytes()
    {
        var first = new ScheduleMessage("first", "a").Encode();
        var firstCopy = first.ToArray();
        var big = CallRecord.Encode("big", new byte[64 * 1024]);
        var second = new PendingReturn("second", "b", "topic").Encode();
        Assert.Equal(firstCopy, first);
        Assert.Equal(Utf8("li1e6:second1:b5:topice"), second);
        Assert.Equal(64 * 1024, CallRecord.Decode(big).Payload.Length);
        Assert.Equal(Utf8("li2e5:third1:ce"), new ScheduleMessage("third", "c").Encode());
    }

    private static int Compare(string why, byte[] input)
    {
        var compared = 0;
        foreach (var (name, fast, general) in Pairs)
        {
            var expected = Outcome(() => general(input));
            var actual = Outcome(() => fast(input));
            Assert.True(Equals(expected, actual), $"{name} on {why} ({Encoding.Latin1.GetString(input)}): general gave {expected}, fast gave {actual}");
            compared++;
        }

        return compared;
    }

    private static object Outcome(Func<object> decode)
    {
        try
        {
            return decode();
        }
        catch (ProtocolException e)
        {
            return "ProtocolException: " + e.Message;
        }
    }

    private static string Show(PendingReturns returns) =>
        $"returns=[{string.Join(",", returns.Returns.Select(r => $"{r.RootId}/{r.CallHash}/{r.Topic}"))}] at={returns.ScheduledAt}";

    private static string Show((string TaskName, byte[] Payload) record) => $"{record.TaskName} [{string.Join(", ", record.Payload)}]";
}
