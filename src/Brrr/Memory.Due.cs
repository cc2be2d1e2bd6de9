using System.Globalization;
using System.Text;

namespace Brrr;

internal sealed partial class Memory
{
    /// <summary>
    /// Writes <paramref name="due"/> as the <c>due</c> time of <paramref name="callHash"/> unless one is stored already,
    /// and returns the stored one: the first writer fixes a delayed child's due time, every later scheduling (a re-run
    /// parent, a retried root, a redelivered message) reads it back instead of reckoning a later one.
    /// </summary>
    /// <exception cref="ProtocolException">The stored bytes are not a due time.</exception>
    public async Task<DateTimeOffset> SetDueIfAbsentAsync(string callHash, DateTimeOffset due, CancellationToken cancellationToken = default)
    {
        var bytes = Encoding.ASCII.GetBytes(due.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        var stored = await Store.GetOrSetNewValueAsync(KeyOf(MemKeyType.Due, callHash), bytes, cancellationToken).ConfigureAwait(false);
        return stored is null ? DateTimeOffset.FromUnixTimeMilliseconds(due.ToUnixTimeMilliseconds()) : DecodeDue(callHash, stored);
    }

    /// <summary>The <c>due</c> time of <paramref name="callHash"/>, or <c>null</c> when none was written.</summary>
    /// <exception cref="ProtocolException">The stored bytes are not a due time.</exception>
    public async Task<DateTimeOffset?> GetDueAsync(string callHash, CancellationToken cancellationToken = default)
    {
        var stored = await Store.GetAsync(KeyOf(MemKeyType.Due, callHash), cancellationToken).ConfigureAwait(false);
        return stored is null ? null : DecodeDue(callHash, stored);
    }

    private static DateTimeOffset DecodeDue(string callHash, byte[] stored) =>
        stored.Length is > 0 and <= 19
        && long.TryParse(Encoding.ASCII.GetString(stored), NumberStyles.None, CultureInfo.InvariantCulture, out var unixMs)
        && unixMs <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs)
            : throw new ProtocolException($"The due record of call {callHash} is not Unix milliseconds in ASCII digits ({stored.Length} bytes).");
}
