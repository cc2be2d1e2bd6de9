using System.Text;
using Brrr.Protocol;

namespace Brrr.Tests;

/// <summary>Shared helpers of the protocol-core tests.</summary>
internal static class TestSupport
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The normative byte vectors of PROTOCOL.md §7 that are bencoded records.</summary>
    public static class Vectors
    {
        public static readonly byte[] Schedule = Utf8("li2e4:r00t8:c4llh4she");
        public static readonly byte[] Return = Utf8("li1e4:r00t6:p4rent7:topic-ae");
        public static readonly byte[] Returns = Utf8("d7:returnslli1e1:a2:p11:teli1e1:b2:p11:tee12:scheduled_ati1700000000ee");
        public static readonly byte[] ReturnsNoTime = Utf8("d7:returnslli1e1:a2:p11:teee");
        public static readonly byte[] CallRecordFib = Utf8("d7:payload24:[{\"n\":10,\"salt\":\"abcd\"}]9:task_name3:fibe");
        public static readonly byte[] ScheduleNonAscii = Convert.FromHexString("6c693265363a72c3b6c3b674313a6865");

        /// <summary>Each vector with the record decoders that must accept or reject it.</summary>
        public static IEnumerable<(string Name, byte[] Bytes)> All =>
        [
            ("schedule", Schedule),
            ("pending return", Return),
            ("pending returns", Returns),
            ("pending returns without scheduled_at", ReturnsNoTime),
            ("call record", CallRecordFib),
            ("non-ASCII schedule", ScheduleNonAscii),
        ];
    }

    /// <summary>Every record decoder of the protocol, by name.</summary>
    public static IEnumerable<(string Name, Func<byte[], object> Decode)> Decoders =>
    [
        ("ScheduleMessage.Decode", b => ScheduleMessage.Decode(b)),
        ("ScheduleMessage.FromWire", b => ScheduleMessage.FromWire(Encoding.UTF8.GetString(b))),
        ("PendingReturn.Decode", b => PendingReturn.Decode(b)),
        ("PendingReturns.Decode", b => PendingReturns.Decode(b)),
        ("CallRecord.Decode", b => CallRecord.Decode(b)),
    ];
}
