namespace Brrr.Protocol;

/// <summary>
/// A return address (PROTOCOL.md §2, tag 1): when the child's value is set, a ScheduleMessage
/// (<see cref="RootId"/>, <see cref="CallHash"/>) is pushed on <see cref="Topic"/> to re-run the parent.
/// Ordered by root id, then call hash, then topic (ordinal), the order of the stored set.
/// </summary>
/// <param name="RootId">The workflow root of the waiting parent run.</param>
/// <param name="CallHash">The parent call to re-run.</param>
/// <param name="Topic">The topic the parent is served on.</param>
/// <exception cref="ProtocolException">The root id or the call hash breaks <see cref="Identifiers"/>' rule.</exception>
public sealed record PendingReturn(string RootId, string CallHash, string Topic) : IComparable<PendingReturn>
{
    internal const long Tag = 1;

    /// <summary>The workflow root of the waiting parent run (checked by <see cref="Identifiers.RootId"/>).</summary>
    public string RootId { get; } = Identifiers.RootId(RootId, $"{nameof(PendingReturn)}: field 'root_id'");

    /// <summary>The parent call to re-run (checked by <see cref="Identifiers.CallHash"/>).</summary>
    public string CallHash { get; } = Identifiers.CallHash(CallHash, $"{nameof(PendingReturn)}: field 'call_hash'");

    /// <summary>The bencoded bytes: <c>l i1e root_id call_hash topic e</c>.</summary>
    public byte[] Encode() => Write(new BencodeWriter()).ToArray();

    /// <summary>Decodes bencoded bytes; throws <see cref="ProtocolException"/> on anything else.</summary>
    public static PendingReturn Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        return Read(ref reader) is { } canonical && reader.AtEnd ? canonical : DecodeAnyForm(bytes);
    }

    /// <summary>Decodes any valid bencode of a return address, without <see cref="Decode"/>'s reader of the canonical form.</summary>
    internal static PendingReturn DecodeAnyForm(ReadOnlySpan<byte> bytes) => FromValue(RecordReader.Decode(bytes, nameof(PendingReturn)));

    /// <summary>Whether <paramref name="other"/> re-runs the same parent on the same topic, for another root.</summary>
    public bool IsSameParentOtherRoot(PendingReturn other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.CallHash == CallHash && other.Topic == Topic && other.RootId != RootId;
    }

    /// <inheritdoc />
    public int CompareTo(PendingReturn? other)
    {
        if (other is null)
        {
            return 1;
        }

        var byRoot = string.CompareOrdinal(RootId, other.RootId);
        if (byRoot != 0)
        {
            return byRoot;
        }

        var byHash = string.CompareOrdinal(CallHash, other.CallHash);
        return byHash != 0 ? byHash : string.CompareOrdinal(Topic, other.Topic);
    }

    internal BencodeWriter Write(BencodeWriter writer) =>
        writer.BeginList().Int(Tag).String(RootId).String(CallHash).String(Topic).End();

    /// <summary>Reads a return address in its canonical form, or <c>null</c> (nothing read) when the input holds another.</summary>
    internal static PendingReturn? Read(ref CanonicalReader reader)
    {
        var start = reader;
        if (reader.Literal("li1e"u8) && reader.Text(out var rootId) && reader.Text(out var callHash) && reader.Text(out var topic) && reader.Literal("e"u8))
        {
            return new PendingReturn(rootId, callHash, topic);
        }

        reader = start;
        return null;
    }

    internal static PendingReturn FromValue(object value)
    {
        var items = RecordReader.Tuple(value, Tag, 3, nameof(PendingReturn));
        return new PendingReturn(
            RecordReader.Text(items[1], nameof(PendingReturn), "root_id"),
            RecordReader.Text(items[2], nameof(PendingReturn), "call_hash"),
            RecordReader.Text(items[3], nameof(PendingReturn), "topic"));
    }
}
