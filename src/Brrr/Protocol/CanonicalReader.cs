using System.Text;
using System.Text.Unicode;

namespace Brrr.Protocol;

/// <summary>
/// A reader of the canonical bencode this protocol writes (PROTOCOL.md §1): the hot decoders read their records with
/// it without building <see cref="Bencode"/>'s object tree. It only answers whether the next bytes are exactly what
/// the record's canonical form has; on any other input the decoder falls back to <see cref="Bencode"/> and
/// <see cref="RecordReader"/>, which accept every valid encoding (keys in any order, unknown keys, negative
/// integers) and name what is wrong with an invalid one. So the reader never decides that an input is malformed,
/// and may refuse more than it must.
/// </summary>
internal ref struct CanonicalReader(ReadOnlySpan<byte> input)
{
    private readonly ReadOnlySpan<byte> _input = input;
    private int _position;

    /// <summary>Whether every byte was read.</summary>
    public readonly bool AtEnd => _position == _input.Length;

    /// <summary>Reads <paramref name="expected"/> when the input continues with it.</summary>
    public bool Literal(ReadOnlySpan<byte> expected)
    {
        if (!_input[_position..].StartsWith(expected))
        {
            return false;
        }

        _position += expected.Length;
        return true;
    }

    /// <summary>Reads a non-negative integer of at most 18 digits without a leading zero (<c>i...e</c>).</summary>
    public bool Int(out long value)
    {
        value = 0;
        var start = _position;
        if (!Literal("i"u8) || !Digits(out value) || !Literal("e"u8))
        {
            _position = start;
            return false;
        }

        return true;
    }

    /// <summary>Reads a byte string whose length has no leading zero.</summary>
    public bool Bytes(out ReadOnlySpan<byte> value)
    {
        value = default;
        var start = _position;
        if (!Digits(out var length) || !Literal(":"u8) || length > _input.Length - _position)
        {
            _position = start;
            return false;
        }

        value = _input.Slice(_position, (int)length);
        _position += (int)length;
        return true;
    }

    /// <summary>Reads a byte string that is valid UTF-8, as text.</summary>
    public bool Text(out string value)
    {
        value = string.Empty;
        var start = _position;
        if (!Bytes(out var bytes) || !Utf8.IsValid(bytes))
        {
            _position = start;
            return false;
        }

        value = RecentStrings.Of(bytes);
        return true;
    }

    private bool Digits(out long value)
    {
        value = 0;
        var start = _position;
        while (_position < _input.Length && _position - start < 18 && _input[_position] is >= (byte)'0' and <= (byte)'9')
        {
            value = (value * 10) + (_input[_position] - '0');
            _position++;
        }

        var count = _position - start;
        if (count == 0 || (count > 1 && _input[start] == (byte)'0'))
        {
            _position = start;
            return false;
        }

        return true;
    }
}
