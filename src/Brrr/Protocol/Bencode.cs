using System.Text;

namespace Brrr.Protocol;

/// <summary>
/// A hardened bencode decoder (PROTOCOL.md §1). Decodes into <see cref="long"/>, <see cref="byte"/> arrays,
/// <see cref="List{T}"/> of values and <see cref="BencodeDict"/>. Every malformed input ends in a
/// <see cref="ProtocolException"/>: no read past the end, no allocation larger than the input, no recursion
/// deeper than <see cref="MaxDepth"/>, no trailing bytes.
/// </summary>
internal static class Bencode
{
    /// <summary>The deepest nesting accepted; protocol records nest 3 deep.</summary>
    public const int MaxDepth = 32;

    public static object Decode(ReadOnlySpan<byte> input)
    {
        var position = 0;
        var value = ReadValue(input, ref position, 0);
        if (position != input.Length)
        {
            throw Error($"{input.Length - position} trailing byte(s) after the value", position);
        }

        return value;
    }

    private static object ReadValue(ReadOnlySpan<byte> input, ref int position, int depth)
    {
        if (position >= input.Length)
        {
            throw Error("unexpected end of data, a value was expected", position);
        }

        switch (input[position])
        {
            case (byte)'i':
                return ReadInt(input, ref position);
            case (byte)'l':
                return ReadList(input, ref position, depth);
            case (byte)'d':
                return ReadDict(input, ref position, depth);
            case >= (byte)'0' and <= (byte)'9':
                return ReadBytes(input, ref position);
            default:
                throw Error($"unexpected byte 0x{input[position]:x2}, a value was expected", position);
        }
    }

    private static long ReadInt(ReadOnlySpan<byte> input, ref int position)
    {
        var start = position;
        position++;
        var end = input[position..].IndexOf((byte)'e');
        if (end < 0)
        {
            throw Error("unterminated integer", start);
        }

        var digits = input.Slice(position, end);
        position += end + 1;
        var negative = digits.Length > 0 && digits[0] == (byte)'-';
        var magnitude = negative ? digits[1..] : digits;
        if (magnitude.Length == 0 || magnitude.Length > 19)
        {
            throw Error("integer has no digits or more than 19", start);
        }

        if ((magnitude[0] == (byte)'0' && magnitude.Length > 1) || (negative && magnitude[0] == (byte)'0'))
        {
            throw Error("integer has a leading zero or is negative zero", start);
        }

        long value = 0;
        foreach (var b in magnitude)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                throw Error($"integer has a non-digit byte 0x{b:x2}", start);
            }

            var digit = b - '0';
            if (value > (long.MaxValue - digit) / 10)
            {
                throw Error("integer does not fit in 64 bits", start);
            }

            value = (value * 10) + digit;
        }

        return negative ? -value : value;
    }

    private static byte[] ReadBytes(ReadOnlySpan<byte> input, ref int position)
    {
        var start = position;
        var colon = input[position..].IndexOf((byte)':');
        if (colon < 0 || colon > 10)
        {
            throw Error("byte string length is unterminated or too long", start);
        }

        var digits = input.Slice(position, colon);
        if (digits.Length > 1 && digits[0] == (byte)'0')
        {
            throw Error("byte string length has a leading zero", start);
        }

        long length = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                throw Error($"byte string length has a non-digit byte 0x{b:x2}", start);
            }

            length = (length * 10) + (b - '0');
        }

        position += colon + 1;
        // Checked against what is really there before anything is allocated.
        if (length > input.Length - position)
        {
            throw Error($"byte string of {length} bytes runs past the end of the data ({input.Length - position} left)", start);
        }

        var value = input.Slice(position, (int)length).ToArray();
        position += (int)length;
        return value;
    }

    private static List<object> ReadList(ReadOnlySpan<byte> input, ref int position, int depth)
    {
        var start = position;
        if (depth >= MaxDepth)
        {
            throw Error($"nesting deeper than {MaxDepth}", start);
        }

        position++;
        var items = new List<object>();
        while (true)
        {
            if (position >= input.Length)
            {
                throw Error("unterminated list", start);
            }

            if (input[position] == (byte)'e')
            {
                position++;
                return items;
            }

            items.Add(ReadValue(input, ref position, depth + 1));
        }
    }

    private static BencodeDict ReadDict(ReadOnlySpan<byte> input, ref int position, int depth)
    {
        var start = position;
        if (depth >= MaxDepth)
        {
            throw Error($"nesting deeper than {MaxDepth}", start);
        }

        position++;
        var dict = new BencodeDict();
        while (true)
        {
            if (position >= input.Length)
            {
                throw Error("unterminated dictionary", start);
            }

            if (input[position] == (byte)'e')
            {
                position++;
                return dict;
            }

            if (input[position] is < (byte)'0' or > (byte)'9')
            {
                throw Error("dictionary key is not a byte string", position);
            }

            var keyAt = position;
            var key = Encoding.UTF8.GetString(ReadBytes(input, ref position));
            var value = ReadValue(input, ref position, depth + 1);
            if (!dict.TryAdd(key, value))
            {
                throw Error($"duplicate dictionary key '{key}'", keyAt);
            }
        }
    }

    private static ProtocolException Error(string what, int offset) =>
        new($"Malformed bencode at byte {offset}: {what}.");
}

/// <summary>A decoded bencode dictionary, keys decoded as UTF-8.</summary>
internal sealed class BencodeDict : Dictionary<string, object>
{
    public BencodeDict() : base(StringComparer.Ordinal) { }
}
