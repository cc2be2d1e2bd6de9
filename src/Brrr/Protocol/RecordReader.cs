using System.Text;

namespace Brrr.Protocol;

/// <summary>Checks the shape of decoded bencode records and names what is wrong.</summary>
internal static class RecordReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static List<object> Tuple(object value, long tag, int count, string record)
    {
        if (value is not List<object> items)
        {
            throw new ProtocolException($"{record}: expected a bencoded list, got {Describe(value)}.");
        }

        if (items.Count == 0 || items[0] is not long actualTag)
        {
            throw new ProtocolException($"{record}: expected an integer tag {tag} as the first element.");
        }

        if (actualTag != tag)
        {
            throw new ProtocolException($"{record}: expected tag {tag}, got {actualTag}.");
        }

        if (items.Count != count + 1)
        {
            throw new ProtocolException($"{record}: expected {count} fields after the tag, got {items.Count - 1}.");
        }

        return items;
    }

    public static BencodeDict Dict(object value, string record) =>
        value as BencodeDict ?? throw new ProtocolException($"{record}: expected a bencoded dictionary, got {Describe(value)}.");

    public static byte[] Bytes(object? value, string record, string field) =>
        value as byte[] ?? throw new ProtocolException($"{record}: field '{field}' must be a byte string, got {Describe(value)}.");

    public static string Text(object? value, string record, string field)
    {
        var bytes = Bytes(value, record, field);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ProtocolException($"{record}: field '{field}' is not valid UTF-8.", e);
        }
    }

    public static object Decode(ReadOnlySpan<byte> bytes, string record)
    {
        try
        {
            return Bencode.Decode(bytes);
        }
        catch (ProtocolException e)
        {
            throw new ProtocolException($"{record}: {e.Message}", e);
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "nothing",
        long => "an integer",
        byte[] => "a byte string",
        BencodeDict => "a dictionary",
        List<object> => "a list",
        _ => value.GetType().Name,
    };
}
