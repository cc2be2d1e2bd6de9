using System.Buffers.Binary;
using System.Text;

namespace Brrr.Protocol;

/// <summary>
/// The strings this thread decoded last, by their bytes: records bring the same root ids, call hashes, topics and
/// task names back again and again (a job's message, then its parents' return addresses, then the next job of the
/// same root), and each would otherwise be a new string. A direct-mapped table of <see cref="Slots"/> strings per
/// thread; a slot holds the last string that hashed to it, and a hit is checked byte for byte, so a collision only
/// costs a new string. ASCII text of at most <see cref="MaxBytes"/> bytes only.
/// </summary>
internal static class RecentStrings
{
    private const int Slots = 512;
    private const int MaxBytes = 128;

    [ThreadStatic]
    private static string?[]? t_slots;

    /// <summary>The text of <paramref name="utf8"/> (valid UTF-8), the same instance as last time when it is still kept.</summary>
    public static string Of(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length is 0 or > MaxBytes || !Ascii.IsValid(utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var slots = t_slots ??= new string?[Slots];
        ref var slot = ref slots[Hash(utf8) & (Slots - 1)];
        if (slot is { } kept && Ascii.Equals(utf8, kept))
        {
            return kept;
        }

        return slot = Encoding.ASCII.GetString(utf8);
    }

    // Identifiers are mostly random (hex or base64 digests and ids), so a few of their bytes spread them well; a
    // crafted collision only misses the table.
    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        ulong mixed = (ulong)utf8.Length;
        if (utf8.Length >= 8)
        {
            mixed ^= BinaryPrimitives.ReadUInt64LittleEndian(utf8) ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]) * 0x9E3779B97F4A7C15UL;
        }
        else
        {
            foreach (var b in utf8)
            {
                mixed = (mixed * 31) + b;
            }
        }

        mixed *= 0x9E3779B97F4A7C15UL;
        return (int)(mixed >> 40);
    }
}
