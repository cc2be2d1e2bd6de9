using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Brrr.Codecs;

public sealed partial class JsonCodec
{
    // One hasher per thread: the one-shot API fetches the algorithm from OpenSSL on every call, which contends.
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    private static void Sha256(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        var hasher = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hasher.AppendData(data);
        hasher.GetHashAndReset(hash);
    }

    /// <summary>
    /// A compact writer and its buffer, kept per thread between calls, that writes <c>["task_name",[args]]</c> once,
    /// hashes it and takes the payload <c>[args]</c> from its middle.
    /// </summary>
    private sealed class WriteScratch
    {
        // A buffer that grew past this for unusually large arguments is dropped rather than kept by the thread.
        private const int MaxKeptCapacity = 64 * 1024;

        [ThreadStatic]
        private static WriteScratch? t_kept;

        private readonly ArrayBufferWriter<byte> _buffer = new(256);
        private readonly Utf8JsonWriter _writer;
        private int _payloadStart;

        private WriteScratch() => _writer = new Utf8JsonWriter(_buffer, CompactWriter);

        private int Position => checked((int)(_writer.BytesCommitted + _writer.BytesPending));

        // Taken off the thread while in use, so an encode nested in a serializer callback gets its own.
        public static WriteScratch Rent()
        {
            var scratch = t_kept ?? new WriteScratch();
            t_kept = null;
            return scratch;
        }

        public static void Return(WriteScratch scratch)
        {
            if (scratch._buffer.Capacity > MaxKeptCapacity)
            {
                scratch._writer.Dispose();
                return;
            }

            t_kept = scratch;
        }

        /// <summary>Starts over and writes <c>["task_name",[</c>; the caller writes the arguments next.</summary>
        public Utf8JsonWriter StartCall(string taskName)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStartArray();
            _writer.WriteStringValue(taskName);
            _writer.WriteStartArray();
            _payloadStart = Position - 1;
            return _writer;
        }

        /// <summary>
        /// Writes <c>]]</c> and makes the call. Null for the fast path when the payload holds an escaped U+FFFD:
        /// the writer puts one in place of invalid UTF-16, where the canonical form (which reads the serializer's
        /// output back) holds the character itself, so only the slow path gives those bytes.
        /// </summary>
        public Call? EndCall(string taskName, bool fastPath)
        {
            _writer.WriteEndArray();
            var payloadEnd = Position;
            _writer.WriteEndArray();
            _writer.Flush();

            var hashed = _buffer.WrittenSpan;
            var payload = hashed[_payloadStart..payloadEnd];
            if (fastPath && payload.IndexOf(@"\uFFFD"u8) >= 0)
            {
                return null;
            }

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            Sha256(hashed, hash);
            return new Call(taskName, payload.ToArray(), Convert.ToHexStringLower(hash));
        }
    }
}
