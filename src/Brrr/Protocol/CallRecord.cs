using System.Globalization;
using System.Text;

namespace Brrr.Protocol;

/// <summary>The bytes of a <c>call</c> record (PROTOCOL.md §3): <c>{payload: bytes, task_name: text}</c>.</summary>
internal static class CallRecord
{
    private const string Record = "call record";

    public static byte[] Encode(string taskName, ReadOnlySpan<byte> payload) =>
        new BencodeWriter().BeginDict().String("payload").Bytes(payload).String("task_name").String(taskName).End().ToArray();

    /// <summary>The length of <see cref="Encode"/>'s bytes, without encoding.</summary>
    public static int EncodedLength(string taskName, int payloadLength)
    {
        var nameLength = Encoding.UTF8.GetByteCount(taskName);
        static int Digits(int n) => n.ToString(CultureInfo.InvariantCulture).Length;
        return 1 + "7:payload".Length + Digits(payloadLength) + 1 + payloadLength + "9:task_name".Length + Digits(nameLength) + 1 + nameLength + 1;
    }

    public static (string TaskName, byte[] Payload) Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (reader.Literal("d7:payload"u8) && reader.Bytes(out var canonicalPayload) && reader.Literal("9:task_name"u8)
            && reader.Text(out var canonicalName) && reader.Literal("e"u8) && reader.AtEnd)
        {
            return (canonicalName, canonicalPayload.ToArray());
        }

        return DecodeAnyForm(bytes);
    }

    /// <summary>Decodes any valid bencode of the record, without <see cref="Decode"/>'s reader of the canonical form.</summary>
    public static (string TaskName, byte[] Payload) DecodeAnyForm(ReadOnlySpan<byte> bytes)
    {
        var dict = RecordReader.Dict(RecordReader.Decode(bytes, Record), Record);
        dict.TryGetValue("payload", out var payload);
        dict.TryGetValue("task_name", out var taskName);
        return (RecordReader.Text(taskName, Record, "task_name"), RecordReader.Bytes(payload, Record, "payload"));
    }
}
