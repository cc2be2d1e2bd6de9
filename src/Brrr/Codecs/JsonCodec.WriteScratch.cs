using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

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
    /// hashes it and takes the payload <c>[args]</c> from its middle; or writes a return value.
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

        /// <summary>Starts over and writes <c>["task_name",[</c>; the caller writes the arguments next, then calls <see cref="EndCall"/>.</summary>
        public Utf8JsonWriter StartCall(string taskName)
        {
            var writer = StartValue();
            writer.WriteStartArray();
            JsString.WriteValue(writer, taskName);
            writer.WriteStartArray();
            _payloadStart = Position - 1;
            return writer;
        }

        /// <summary>Writes <c>]]</c> and makes the call.</summary>
        public Call EndCall(string taskName)
        {
            _writer.WriteEndArray();
            var payloadEnd = Position;
            _writer.WriteEndArray();
            _writer.Flush();
            return MakeCall(taskName, _payloadStart, payloadEnd);
        }

        /// <summary>Makes the call of <paramref name="taskName"/> with the canonical form of <paramref name="args"/>.</summary>
        public Call CanonicalCall(string taskName, JsonNode? args)
        {
            _buffer.ResetWrittenCount();
            Append(_buffer, "["u8);
            JsString.Write(taskName, _buffer);
            Append(_buffer, ",["u8);
            var payloadStart = _buffer.WrittenCount - 1;
            WriteCanonical(_buffer, args);
            Append(_buffer, "]"u8);
            var payloadEnd = _buffer.WrittenCount;
            Append(_buffer, "]"u8);
            return MakeCall(taskName, payloadStart, payloadEnd);
        }

        /// <summary>Starts over; the caller writes one value next, then calls <see cref="EndValue"/>.</summary>
        public Utf8JsonWriter StartValue()
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            return _writer;
        }

        /// <summary>The bytes of the value written since <see cref="StartValue"/>.</summary>
        public byte[] EndValue()
        {
            _writer.Flush();
            return _buffer.WrittenSpan.ToArray();
        }

        /// <summary>The canonical form of <paramref name="value"/>.</summary>
        public byte[] CanonicalValue(JsonNode? value)
        {
            _buffer.ResetWrittenCount();
            WriteCanonical(_buffer, value);
            return _buffer.WrittenSpan.ToArray();
        }

        private Call MakeCall(string taskName, int payloadStart, int payloadEnd)
        {
            var hashed = _buffer.WrittenSpan;
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            Sha256(hashed, hash);
            return new Call(taskName, hashed[payloadStart..payloadEnd].ToArray(), Convert.ToHexStringLower(hash));
        }
    }
}
