using System.Text;
using Brrr.Protocol;
using static Brrr.Tests.TestSupport;

namespace Brrr.Tests;

/// <summary>
/// Every malformed input to a record decoder ends in a <see cref="ProtocolException"/>: never another exception
/// type, never a hang, never a read past the end.
/// </summary>
public sealed class MalformedInputTests
{
    // A guard against a hanging decoder, not a timing assertion: the loops take well under a second.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>Inputs that no record decoder may accept.</summary>
    public static TheoryData<string, string> HandWrittenCases => new()
    {
        // Structure.
        { "empty input", "" },
        { "lone end", "e" },
        { "lone colon", ":" },
        { "an integer", "i2e" },
        { "a byte string", "4:r00t" },
        { "an empty list", "le" },
        { "an empty dict", "de" },
        { "unknown type byte", "x" },
        { "two values", "i1ei2e" },
        { "trailing bytes", "li2e4:r00t8:c4llh4sheX" },
        { "trailing end", "li2e4:r00t8:c4llh4shee" },
        { "trailing value", "li2e4:r00t8:c4llh4shei0e" },

        // Lengths.
        { "absurd length", "99999999999:x" },
        { "length past 2^32", "4294967296:" },
        { "length past int", "2147483648:x" },
        { "length past long", "99999999999999999999:x" },
        { "length runs past the end", "li2e4:r00t9:c4llh4she" },
        { "leading zero length", "li2e04:r00t8:c4llh4she" },
        { "leading zero length alone", "03:abc" },
        { "negative length", "li2e-4:r00t8:c4llh4she" },
        { "length without colon", "li2e4" },
        { "non-digit in length", "li2e4x:r00t8:c4llh4she" },

        // Integers.
        { "leading zero integer", "i03e" },
        { "negative zero", "i-0e" },
        { "leading zero tag", "li02e4:r00t8:c4llh4she" },
        { "integer overflow", "i99999999999999999999e" },
        { "integer just over long", "i9223372036854775808e" },
        { "integer just under long", "i-9223372036854775809e" },
        { "empty integer", "ie" },
        { "minus only", "i-e" },
        { "double minus", "i--1e" },
        { "plus sign", "i+1e" },
        { "space in integer", "i 1e" },
        { "fraction", "i1.5e" },
        { "unterminated integer", "i12" },
        { "tag overflow", "li99999999999999999999e4:r00t8:c4llh4she" },

        // Nesting.
        { "deep lists", new string('l', 10_000) },
        { "deep closed lists", new string('l', 10_000) + new string('e', 10_000) },
        { "deep dicts", string.Concat(Enumerable.Repeat("d1:a", 5_000)) },
        { "deep closed dicts", string.Concat(Enumerable.Repeat("d1:a", 5_000)) + "i0e" + new string('e', 5_000) },
        { "unterminated list", "li2e4:r00t8:c4llh4sh" },
        { "unterminated dict", "d7:returnsle" },

        // Tags and field counts.
        { "wrong tag", "li3e4:r00t8:c4llh4she" },
        { "negative tag", "li-2e4:r00t8:c4llh4she" },
        { "tag as a string", "l1:24:r00t8:c4llh4she" },
        { "no tag", "l4:r00t8:c4llh4she" },
        { "schedule with one field", "li2e4:r00te" },
        { "schedule with three fields", "li2e4:r00t8:c4llh4sh1:xe" },
        { "return with two fields", "li1e4:r00t6:p4rente" },
        { "return with four fields", "li1e4:r00t6:p4rent7:topic-a1:xe" },
        { "return with schedule tag", "li2e4:r00t6:p4rent7:topic-ae" },

        // Field types.
        { "integer root id", "li2ei5e8:c4llh4she" },
        { "list call hash", "li2e4:r00tli1eee" },
        { "dict topic", "li1e4:r00t6:p4rentdee" },
        { "returns not a list", "d7:returnsi1ee" },
        { "returns holding a string", "d7:returnsl1:aee" },
        { "returns holding a bad return", "d7:returnslli2e1:a2:p11:teee" },
        { "scheduled_at a string", "d7:returnsle12:scheduled_at1:1e" },
        { "call record payload an integer", "d7:payloadi1e9:task_name3:fibe" },
        { "call record task_name a list", "d7:payload0:9:task_namelee" },
        { "call record without payload", "d9:task_name3:fibe" },
        { "call record without task_name", "d7:payload2:[]e" },

        // Dictionary keys.
        { "integer key", "di1ei2ee" },
        { "list key", "dl1:ae1:be" },
        { "key without value", "d7:returnse" },
        { "duplicate keys", "d7:returnsle7:returnslee" },
        { "duplicate call record keys", "d7:payload0:7:payload0:9:task_name3:fibe" },

        // Call hashes.
        { "empty call hash", "li2e4:r00t0:e" },
        { "control byte in call hash", "li2e4:r00t2:h\u0001e" },
        { "tab in call hash", "li2e4:r00t2:h\te" },
        { "DEL in call hash", "li2e4:r00t2:h\u007fe" },
        { "newline in return call hash", "li1e4:r00t2:p\n7:topic-ae" },
        { "braces in call hash", "li2e1:r12:{not-a-hash}e" },
        { "space in call hash", "li2e1:r3:a be" },
        { "glob in return call hash", "li1e1:r2:p*7:topic-ae" },
        { "call hash over 128 characters", "li2e1:r129:" + new string('a', 129) + "e" },

        // Root ids.
        { "empty root id", "li2e0:1:he" },
        { "braces in root id", "li2e3:{r}1:he" },
        { "space in return root id", "li1e3:r t1:p1:te" },
        { "root id over 128 characters", "li2e129:" + new string('r', 129) + "1:he" },
    };

    /// <summary>Records with invalid UTF-8 (or a non-ASCII call hash) in a field, as hex.</summary>
    public static TheoryData<string, string> InvalidTextCases => new()
    {
        { "0xff in a root id", Hex("li2e1:") + "ff" + Hex("1:he") },
        { "overlong slash in a root id", Hex("li2e2:") + "c0af" + Hex("1:he") },
        { "lone surrogate in a root id", Hex("li2e3:") + "eda080" + Hex("1:he") },
        { "truncated sequence in a root id", Hex("li2e2:") + "c3" + Hex("x1:he") },
        { "0xff in a topic", Hex("li1e1:r1:p1:") + "ff" + Hex("e") },
        { "0xfe in a return root id", Hex("li1e1:") + "fe" + Hex("1:p1:te") },
        { "invalid UTF-8 in a task name", Hex("d7:payload0:9:task_name1:") + "ff" + Hex("e") },
        { "invalid UTF-8 in a call hash", Hex("li2e1:r1:") + "ff" + Hex("e") },
        { "non-ASCII call hash", Hex("li2e1:r2:") + "c3a9" + Hex("e") },
        { "non-ASCII return call hash", Hex("li1e1:r2:") + "c3a9" + Hex("1:te") },
    };

    private static string Hex(string ascii) => Convert.ToHexStringLower(Encoding.ASCII.GetBytes(ascii));

    [Theory]
    [MemberData(nameof(HandWrittenCases))]
    public void Hand_written_malformed_input_is_rejected_by_every_decoder(string why, string input)
    {
        AssertRejectedByAll(why, Utf8(input));
    }

    [Theory]
    [MemberData(nameof(InvalidTextCases))]
    public void Invalid_text_fields_are_rejected_by_every_decoder(string why, string hex)
    {
        var bytes = Convert.FromHexString(hex);
        foreach (var (name, decode) in Decoders.Where(d => d.Name != "ScheduleMessage.FromWire"))
        {
            var error = Assert.Throws<ProtocolException>(() => decode(bytes));
            Assert.False(string.IsNullOrWhiteSpace(error.Message), $"{name} gave an empty message for {why}");
        }
    }

    [Fact]
    public void Protocol_errors_say_which_record_and_field_is_wrong()
    {
        Assert.Contains("tag", Assert.Throws<ProtocolException>(() => ScheduleMessage.Decode(Utf8("li3e4:r00t8:c4llh4she"))).Message);
        Assert.Contains("call_hash", Assert.Throws<ProtocolException>(() => ScheduleMessage.Decode(Utf8("li2e4:r00t0:e"))).Message);
        Assert.Contains("topic", Assert.Throws<ProtocolException>(() => PendingReturn.Decode(Utf8("li1e4:r00t6:p4rentdee"))).Message);
        Assert.Contains("returns", Assert.Throws<ProtocolException>(() => PendingReturns.Decode(Utf8("d7:returnsi1ee"))).Message);
        Assert.Contains("task_name", Assert.Throws<ProtocolException>(() => CallRecord.Decode(Utf8("d7:payload2:[]e"))).Message);
        Assert.Contains("duplicate", Assert.Throws<ProtocolException>(() => PendingReturns.Decode(Utf8("d7:returnsle7:returnslee"))).Message);
    }

    [Fact]
    public async Task Every_truncation_of_every_vector_is_rejected_by_every_decoder()
    {
        var checkedCount = await Task.Run(() =>
        {
            var count = 0;
            foreach (var (name, vector) in Vectors.All)
            {
                for (var length = 0; length < vector.Length; length++)
                {
                    AssertRejectedByAll($"{name} truncated to {length} bytes", vector[..length]);
                    count++;
                }
            }

            return count;
        }).WaitAsync(HangGuard);
        Assert.True(checkedCount > 150, $"only {checkedCount} truncations checked");
    }

    [Fact]
    public async Task Every_single_byte_mutation_of_every_vector_decodes_or_fails_with_a_protocol_error()
    {
        var stats = await Task.Run(() =>
        {
            var (valid, rejected) = (0, 0);
            foreach (var (name, vector) in Vectors.All)
            {
                for (var position = 0; position < vector.Length; position++)
                {
                    foreach (var replacement in Replacements(vector[position]))
                    {
                        var mutated = vector.ToArray();
                        mutated[position] = replacement;
                        Tally(CheckEveryDecoder($"{name} with byte {position} set to 0x{replacement:x2}", mutated));
                    }

                    // Deleting and duplicating a byte shift everything after it.
                    Tally(CheckEveryDecoder($"{name} without byte {position}", [.. vector[..position], .. vector[(position + 1)..]]));
                    Tally(CheckEveryDecoder($"{name} with byte {position} doubled", [.. vector[..(position + 1)], .. vector[position..]]));
                }
            }

            return (valid, rejected);

            void Tally((int Valid, int Rejected) r)
            {
                valid += r.Valid;
                rejected += r.Rejected;
            }
        }).WaitAsync(HangGuard);

        // Most mutations must break the record; some (a letter of a root id) legitimately still decode.
        Assert.True(stats.rejected > 10 * stats.valid, $"{stats.valid} valid and {stats.rejected} rejected decodes");
        Assert.True(stats.valid > 0, "no mutation decoded at all: the decoders reject valid records");
    }

    [Fact]
    public async Task Random_bytes_decode_or_fail_with_a_protocol_error()
    {
        var rejected = await Task.Run(() =>
        {
            var random = new Random(20_240_601);
            var count = 0;
            for (var i = 0; i < 2000; i++)
            {
                var bytes = new byte[random.Next(0, 64)];
                random.NextBytes(bytes);
                count += CheckEveryDecoder($"random input #{i} {Convert.ToHexString(bytes)}", bytes).Rejected;
            }

            return count;
        }).WaitAsync(HangGuard);
        Assert.True(rejected > 9000, $"only {rejected} random inputs rejected");
    }

    [Fact]
    public async Task Random_bencode_shaped_bytes_decode_or_fail_with_a_protocol_error()
    {
        // Random sequences over the bencode alphabet reach deeper into the decoders than uniform random bytes.
        var alphabet = Utf8("ilde0123456789:-:e1234lle").Concat(new byte[] { 0xff, 0xc3, 0xb6, 0x01 }).ToArray();
        var outcomes = await Task.Run(() =>
        {
            var random = new Random(77);
            var count = 0;
            for (var i = 0; i < 2000; i++)
            {
                var bytes = Enumerable.Range(0, random.Next(0, 48)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray();
                var (valid, rejected) = CheckEveryDecoder($"random bencode #{i} {Encoding.Latin1.GetString(bytes)}", bytes);
                count += valid + rejected;
            }

            return count;
        }).WaitAsync(HangGuard);
        Assert.Equal(2000 * Decoders.Count(), outcomes);
    }

    [Fact]
    public void Huge_integer_and_length_prefixes_never_allocate_what_they_announce()
    {
        // A length near int.MaxValue over a tiny input must fail on the length check, not on an allocation.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Assert.Throws<ProtocolException>(() => PendingReturns.Decode(Utf8("d7:returns2147483647:xe")));
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000, "a length prefix was allocated blindly");
    }

    private static IEnumerable<byte> Replacements(byte original) =>
        new byte[] { 0x00, 0x01, 0x20, (byte)'e', (byte)'i', (byte)'l', (byte)'d', (byte)':', (byte)'-', (byte)'0', (byte)'1', (byte)'9', 0x7f, 0xc3, 0xff, (byte)(original + 1), (byte)(original - 1) }
            .Where(b => b != original)
            .Distinct();

    private static void AssertRejectedByAll(string why, byte[] bytes)
    {
        foreach (var (name, decode) in Decoders)
        {
            var error = Record.Exception(() => decode(bytes));
            Assert.True(error is ProtocolException, $"{name} on {why} ({Encoding.Latin1.GetString(bytes[..Math.Min(bytes.Length, 60)])}): expected ProtocolException, got {error?.GetType().Name ?? "a decoded record"}: {error?.Message}");
        }
    }

    private static (int Valid, int Rejected) CheckEveryDecoder(string why, byte[] bytes)
    {
        var (valid, rejected) = (0, 0);
        foreach (var (name, decode) in Decoders)
        {
            try
            {
                var decoded = decode(bytes);
                valid++;

                // Tuples have one encoding: whatever decodes to one must be exactly its canonical bytes.
                switch (decoded)
                {
                    case ScheduleMessage message when name == "ScheduleMessage.Decode":
                        Assert.Equal(bytes, message.Encode());
                        break;
                    case PendingReturn pendingReturn:
                        Assert.Equal(bytes, pendingReturn.Encode());
                        break;
                    case null:
                        Assert.Fail($"{name} on {why} returned null");
                        break;
                }
            }
            catch (ProtocolException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{name} on {why}: expected a record or ProtocolException, got {e.GetType().Name}: {e.Message}");
            }
        }

        return (valid, rejected);
    }
}
