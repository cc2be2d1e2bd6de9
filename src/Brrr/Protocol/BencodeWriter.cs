using System.Buffers;
using System.Globalization;
using System.Text;

namespace Brrr.Protocol;

/// <summary>
/// Writes bencode (PROTOCOL.md §1) into a growing buffer. Dictionary keys must be written in raw byte order
/// by the caller; the records of this protocol have fixed keys, so they do.
/// </summary>
internal sealed class BencodeWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);

    public BencodeWriter Int(long value)
    {
        Raw("i");
        Raw(value.ToString(CultureInfo.InvariantCulture));
        Raw("e");
        return this;
    }

    public BencodeWriter Bytes(ReadOnlySpan<byte> value)
    {
        Raw(value.Length.ToString(CultureInfo.InvariantCulture));
        Raw(":");
        _buffer.Write(value);
        return this;
    }

    public BencodeWriter String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Raw(length.ToString(CultureInfo.InvariantCulture));
        Raw(":");
        var span = _buffer.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _buffer.Advance(length);
        return this;
    }

    public BencodeWriter BeginList()
    {
        Raw("l");
        return this;
    }

    public BencodeWriter BeginDict()
    {
        Raw("d");
        return this;
    }

    public BencodeWriter End()
    {
        Raw("e");
        return this;
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void Raw(string ascii)
    {
        var span = _buffer.GetSpan(ascii.Length);
        for (var i = 0; i < ascii.Length; i++)
        {
            span[i] = (byte)ascii[i];
        }

        _buffer.Advance(ascii.Length);
    }
}
