using System.Globalization;
using System.Text;

namespace Brrr.Protocol;

/// <summary>The queue message that asks a worker to run a call (PROTOCOL.md §2, tag 2).</summary>
/// <param name="RootId">The workflow root the job belongs to (spawn-limit counter, return addresses).</param>
/// <param name="CallHash">The call to run; its <c>call</c> record is in the store.</param>
/// <exception cref="ProtocolException">The root id or the call hash breaks <see cref="Identifiers"/>' rule.</exception>
public sealed record ScheduleMessage(string RootId, string CallHash)
{
    private const long Tag = 2;

    /// <summary>The workflow root the job belongs to (checked by <see cref="Identifiers.RootId"/>).</summary>
    public string RootId { get; } = Identifiers.RootId(RootId, $"{nameof(ScheduleMessage)}: field 'root_id'");

    /// <summary>The call to run (checked by <see cref="Identifiers.CallHash"/>).</summary>
    public string CallHash { get; } = Identifiers.CallHash(CallHash, $"{nameof(ScheduleMessage)}: field 'call_hash'");

    /// <summary>The bencoded bytes: <c>l i2e root_id call_hash e</c>.</summary>
    public byte[] Encode() =>
        new BencodeWriter().BeginList().Int(Tag).String(RootId).String(CallHash).End().ToArray();

    /// <summary>The queue text: the encoded bytes as UTF-8 (a call hash is ASCII, and a root id holds no surrogate).</summary>
    public string ToWire() =>
        string.Create(CultureInfo.InvariantCulture, $"li{Tag}e{Encoding.UTF8.GetByteCount(RootId)}:{RootId}{CallHash.Length}:{CallHash}e");

    /// <summary>Decodes bencoded bytes; throws <see cref="ProtocolException"/> on anything else.</summary>
    public static ScheduleMessage Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (reader.Literal("li2e"u8) && reader.Text(out var rootId) && reader.Text(out var callHash) && reader.Literal("e"u8) && reader.AtEnd)
        {
            return new ScheduleMessage(rootId, callHash);
        }

        return DecodeAnyForm(bytes);
    }

    /// <summary>Decodes any valid bencode of a schedule message, without <see cref="Decode"/>'s reader of the canonical form.</summary>
    internal static ScheduleMessage DecodeAnyForm(ReadOnlySpan<byte> bytes)
    {
        var items = RecordReader.Tuple(RecordReader.Decode(bytes, nameof(ScheduleMessage)), Tag, 2, nameof(ScheduleMessage));
        return new ScheduleMessage(
            RecordReader.Text(items[1], nameof(ScheduleMessage), "root_id"),
            RecordReader.Text(items[2], nameof(ScheduleMessage), "call_hash"));
    }

    /// <summary>Decodes a queue text, or <c>null</c> when it is no schedule message.</summary>
    public static ScheduleMessage? TryFromWire(string message)
    {
        try
        {
            return FromWire(message);
        }
        catch (ProtocolException)
        {
            return null;
        }
    }

    /// <summary>Decodes a queue text; throws <see cref="ProtocolException"/> on anything else.</summary>
    public static ScheduleMessage FromWire(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var length = Encoding.UTF8.GetByteCount(message);
        var bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(message, bytes);
        return Decode(bytes);
    }
}
