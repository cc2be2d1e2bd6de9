using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace Brrr.Protocol;

/// <summary>
/// Writes bencode (PROTOCOL.md §1) into a growing buffer. Dictionary keys must be written in raw byte order
/// by the caller; the records of this protocol have fixed keys, so they do. A writer is used once: <see cref="ToArray"/>
/// hands its buffer back to the thread for the next writer (records are written on hot paths, a few per job).
/// </summary>
internal sealed class BencodeWriter
{
    /// <summary>The largest buffer kept for the next writer; a larger one (a big payload) is left to the collector.</summary>
    private const int KeptCapacity = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_spare;

    private ArrayBufferWriter<byte>? _buffer;

    public BencodeWriter()
    {
        _buffer = t_spare ?? new ArrayBufferWriter<byte>(256);
        t_spare = null;
    }

    private ArrayBufferWriter<byte> Buffer => _buffer ?? throw new InvalidOperationException("The writer's bytes were already taken.");

    public BencodeWriter Int(long value)
    {
        Raw((byte)'i');
        Number(value);
        Raw((byte)'e');
        return this;
    }

    public BencodeWriter Bytes(ReadOnlySpan<byte> value)
    {
        Number(value.Length);
        Raw((byte)':');
        Buffer.Write(value);
        return this;
    }

    public BencodeWriter String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Number(length);
        Raw((byte)':');
        var buffer = Buffer;
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
        return this;
    }

    public BencodeWriter BeginList() => Raw((byte)'l');

    public BencodeWriter BeginDict() => Raw((byte)'d');

    public BencodeWriter End() => Raw((byte)'e');

    /// <summary>The bytes written; the writer cannot be used after.</summary>
    public byte[] ToArray()
    {
        var buffer = Buffer;
        var bytes = buffer.WrittenSpan.ToArray();
        _buffer = null;
        if (buffer.Capacity <= KeptCapacity)
        {
            buffer.ResetWrittenCount();
            t_spare = buffer;
        }

        return bytes;
    }

    private void Number(long value)
    {
        var buffer = Buffer;
        // 20 bytes hold any long in decimal, sign included.
        buffer.Advance(Utf8Formatter.TryFormat(value, buffer.GetSpan(20), out var written) ? written : throw new UnreachableException());
    }

    private BencodeWriter Raw(byte ascii)
    {
        var buffer = Buffer;
        buffer.GetSpan(1)[0] = ascii;
        buffer.Advance(1);
        return this;
    }
}
