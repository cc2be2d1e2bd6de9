using System.Collections.Immutable;

namespace Brrr.Protocol;

/// <summary>
/// The <c>pending_returns</c> record of a call (PROTOCOL.md §3): the set of return addresses waiting for its
/// value, and when the call was last scheduled.
/// </summary>
public sealed record PendingReturns
{
    // Sorted and without duplicates: records are read and rewritten on hot paths (a registration, a return), where
    // an array serves; the set of the public API is made only when asked for.
    private readonly PendingReturn[] _sorted;

    /// <summary>Creates the record; <paramref name="returns"/> is de-duplicated and sorted.</summary>
    public PendingReturns(IEnumerable<PendingReturn> returns, long? scheduledAt)
    {
        ArgumentNullException.ThrowIfNull(returns);
        _sorted = SortedSet(returns.ToArray());
        ScheduledAt = scheduledAt;
    }

    private PendingReturns(PendingReturn[] sorted, long? scheduledAt)
    {
        _sorted = sorted;
        ScheduledAt = scheduledAt;
    }

    /// <summary>The return addresses, sorted.</summary>
    public ImmutableSortedSet<PendingReturn> Returns => field ??= ImmutableSortedSet.CreateRange(_sorted);

    /// <summary>The return addresses, sorted, without making <see cref="Returns"/>.</summary>
    internal IReadOnlyList<PendingReturn> Sorted => _sorted;

    /// <summary>Whether <paramref name="pendingReturn"/> is one of the returns.</summary>
    internal bool Holds(PendingReturn pendingReturn) => Array.BinarySearch(_sorted, pendingReturn) >= 0;

    /// <summary>This record with <paramref name="pendingReturn"/> added (if missing) and <paramref name="scheduledAt"/>.</summary>
    internal PendingReturns With(PendingReturn pendingReturn, long? scheduledAt)
    {
        var at = Array.BinarySearch(_sorted, pendingReturn);
        if (at >= 0)
        {
            return new PendingReturns(_sorted, scheduledAt);
        }

        at = ~at;
        var sorted = new PendingReturn[_sorted.Length + 1];
        _sorted.AsSpan(0, at).CopyTo(sorted);
        sorted[at] = pendingReturn;
        _sorted.AsSpan(at).CopyTo(sorted.AsSpan(at + 1));
        return new PendingReturns(sorted, scheduledAt);
    }

    /// <summary>Unix seconds when the call was last scheduled, if known.</summary>
    public long? ScheduledAt { get; init; }

    /// <summary>The bencoded bytes: <c>{returns: [...], scheduled_at: n}</c>, scheduled_at omitted when unknown.</summary>
    public byte[] Encode()
    {
        var writer = new BencodeWriter().BeginDict().String("returns").BeginList();
        foreach (var pendingReturn in _sorted)
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

        return new PendingReturns(SortedSet(items.ConvertAll(PendingReturn.FromValue).ToArray()), scheduledAt);
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

        return reader.Literal("e"u8) && reader.AtEnd ? new PendingReturns(SortedSet(returns.ToArray()), scheduledAt) : null;
    }

    /// <summary>Equal when both hold the same returns and the same scheduled_at.</summary>
    public bool Equals(PendingReturns? other) =>
        other is not null && ScheduledAt == other.ScheduledAt && _sorted.AsSpan().SequenceEqual(other._sorted);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_sorted.Length, ScheduledAt);

    /// <summary>Sorts <paramref name="returns"/> in place and drops duplicates: the array of a record.</summary>
    private static PendingReturn[] SortedSet(PendingReturn[] returns)
    {
        Array.Sort(returns);
        var count = 0;
        for (var i = 0; i < returns.Length; i++)
        {
            if (count == 0 || returns[count - 1].CompareTo(returns[i]) != 0)
            {
                returns[count++] = returns[i];
            }
        }

        return count == returns.Length ? returns : returns[..count];
    }
}
