using System.Collections.Immutable;

namespace Brrr.Protocol;

/// <summary>
/// The <c>pending_returns</c> record of a call (PROTOCOL.md §3): the set of return addresses waiting for its
/// value, and when the call was last scheduled.
/// </summary>
public sealed record PendingReturns
{
    /// <summary>Creates the record; <paramref name="returns"/> is de-duplicated and sorted.</summary>
    public PendingReturns(IEnumerable<PendingReturn> returns, long? scheduledAt)
    {
        ArgumentNullException.ThrowIfNull(returns);
        Returns = returns.ToImmutableSortedSet();
        ScheduledAt = scheduledAt;
    }

    /// <summary>The return addresses, sorted.</summary>
    public ImmutableSortedSet<PendingReturn> Returns { get; }

    /// <summary>Unix seconds when the call was last scheduled, if known.</summary>
    public long? ScheduledAt { get; init; }

    /// <summary>The bencoded bytes: <c>{returns: [...], scheduled_at: n}</c>, scheduled_at omitted when unknown.</summary>
    public byte[] Encode()
    {
        var writer = new BencodeWriter().BeginDict().String("returns").BeginList();
        foreach (var pendingReturn in Returns)
        {
            pendingReturn.Write(writer);
        }

        writer.End();
        if (ScheduledAt is { } at)
        {
            writer.String("scheduled_at").Int(at);
        }

        return writer.End().ToArray();
    }

    /// <summary>Decodes bencoded bytes; throws <see cref="ProtocolException"/> on anything else.</summary>
    public static PendingReturns Decode(ReadOnlySpan<byte> bytes)
    {
        return ReadCanonical(bytes) ?? DecodeAnyForm(bytes);
    }

    /// <summary>Decodes any valid bencode of the record, without <see cref="Decode"/>'s reader of the canonical form.</summary>
    internal static PendingReturns DecodeAnyForm(ReadOnlySpan<byte> bytes)
    {
        const string record = "pending_returns";
        var dict = RecordReader.Dict(RecordReader.Decode(bytes, record), record);
        if (!dict.TryGetValue("returns", out var returnsValue) || returnsValue is not List<object> items)
        {
            throw new ProtocolException($"{record}: field 'returns' must be a list.");
        }

        long? scheduledAt = null;
        if (dict.TryGetValue("scheduled_at", out var at))
        {
            scheduledAt = at as long? ?? throw new ProtocolException($"{record}: field 'scheduled_at' must be an integer.");
        }

        return new PendingReturns(items.Select(PendingReturn.FromValue), scheduledAt);
    }

    private static PendingReturns? ReadCanonical(ReadOnlySpan<byte> bytes)
    {
        var reader = new CanonicalReader(bytes);
        if (!reader.Literal("d7:returnsl"u8))
        {
            return null;
        }

        var returns = new List<PendingReturn>();
        while (!reader.Literal("e"u8))
        {
            if (PendingReturn.Read(ref reader) is not { } pendingReturn)
            {
                return null;
            }

            returns.Add(pendingReturn);
        }

        long? scheduledAt = null;
        if (reader.Literal("12:scheduled_at"u8))
        {
            if (!reader.Int(out var at))
            {
                return null;
            }

            scheduledAt = at;
        }

        return reader.Literal("e"u8) && reader.AtEnd ? new PendingReturns(returns, scheduledAt) : null;
    }

    /// <summary>Equal when both hold the same returns and the same scheduled_at.</summary>
    public bool Equals(PendingReturns? other) =>
        other is not null && ScheduledAt == other.ScheduledAt && Returns.SetEquals(other.Returns);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Returns.Count, ScheduledAt);
}
