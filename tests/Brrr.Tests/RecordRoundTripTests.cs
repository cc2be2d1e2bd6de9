using System.Text;
using Brrr.Protocol;

namespace Brrr.Tests;

/// <summary>Property-style round trips: any record encodes to bytes that decode to an equal record.</summary>
public sealed class RecordRoundTripTests
{
    private const int Rounds = 500;

    // Printable ASCII plus multi-byte UTF-8 (2, 3 and 4 bytes, including a surrogate pair).
    private static readonly string[] Alphabet =
    [
        .. Enumerable.Range(' ', '~' - ' ' + 1).Select(c => ((char)c).ToString()),
        "ö", "é", "ß", "€", "日", "本", "😀", "🚀", "\u00a0", "e", ":", "l", "d", "i",
    ];

    private static string RandomText(Random random, int maxLength)
    {
        var length = random.Next(0, maxLength + 1);
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    // Every character a call hash may hold (Identifiers.CallHash); a root id may also hold non-ASCII letters and digits.
    private static readonly string HashAlphabet = string.Concat(
        Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).Where(c => char.IsAsciiLetterOrDigit(c) || "-_.:".Contains(c)));

    private static readonly string RootAlphabet = HashAlphabet + "öéß日本٠";

    private static string RandomId(Random random, string alphabet, int maxLength) =>
        new(Enumerable.Range(0, random.Next(1, maxLength + 1)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

    private static string RandomCallHash(Random random) => RandomId(random, HashAlphabet, 70);

    private static string RandomRootId(Random random, int maxLength) => RandomId(random, RootAlphabet, maxLength);

    [Fact]
    public void Random_schedule_messages_round_trip_through_bytes_and_wire_text()
    {
        var random = new Random(1234);
        for (var i = 0; i < Rounds; i++)
        {
            var message = new ScheduleMessage(RandomRootId(random, 40), RandomCallHash(random));
            Assert.Equal(message, ScheduleMessage.Decode(message.Encode()));
            Assert.Equal(message, ScheduleMessage.FromWire(message.ToWire()));
        }
    }

    [Fact]
    public void Random_pending_returns_round_trip_including_non_ascii_roots_and_topics()
    {
        var random = new Random(5678);
        for (var i = 0; i < Rounds; i++)
        {
            var record = new PendingReturn(RandomRootId(random, 40), RandomCallHash(random), RandomText(random, 30));
            var bytes = record.Encode();
            Assert.Equal(record, PendingReturn.Decode(bytes));
        }
    }

    [Fact]
    public void Random_pending_returns_records_round_trip_and_encode_canonically()
    {
        var random = new Random(91011);
        for (var i = 0; i < Rounds; i++)
        {
            var returns = Enumerable.Range(0, random.Next(0, 8))
                .Select(_ => new PendingReturn(RandomRootId(random, 12), RandomCallHash(random), RandomText(random, 8)))
                .ToArray();
            long? scheduledAt = random.Next(3) == 0 ? null : random.NextInt64(-5, long.MaxValue);
            var record = new PendingReturns(returns, scheduledAt);
            var bytes = record.Encode();
            var decoded = PendingReturns.Decode(bytes);
            Assert.Equal(record, decoded);
            Assert.Equal(scheduledAt, decoded.ScheduledAt);

            // Canonical: the order the returns were given in does not change a byte.
            var shuffled = new PendingReturns(returns.OrderBy(_ => random.Next()), scheduledAt);
            Assert.Equal(bytes, shuffled.Encode());
            Assert.Equal(bytes, decoded.Encode());
        }
    }

    [Fact]
    public void Random_call_records_round_trip_with_arbitrary_payload_bytes()
    {
        var random = new Random(1213);
        for (var i = 0; i < Rounds; i++)
        {
            var taskName = RandomText(random, 20);
            var payload = new byte[random.Next(0, 200)];
            random.NextBytes(payload);
            var (decodedName, decodedPayload) = CallRecord.Decode(CallRecord.Encode(taskName, payload));
            Assert.Equal(taskName, decodedName);
            Assert.Equal(payload, decodedPayload);
        }
    }

    [Fact]
    public void Extreme_scheduled_at_values_round_trip()
    {
        foreach (var at in new long[] { 0, -1, long.MaxValue, long.MinValue + 1 })
        {
            var record = new PendingReturns([new PendingReturn("r", "h", "t")], at);
            Assert.Equal(at, PendingReturns.Decode(record.Encode()).ScheduledAt);
        }
    }
}
