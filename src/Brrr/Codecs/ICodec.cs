namespace Brrr.Codecs;

/// <summary>
/// Turns task arguments into a <see cref="Call"/> (payload and deterministic hash) and return values into bytes.
/// Every worker and client that share a store must use codecs that agree on these bytes. Thread safe.
/// </summary>
public interface ICodec
{
    /// <summary>Encodes a call of <paramref name="taskName"/> with <paramref name="args"/>; equal arguments give equal hashes.</summary>
    Call EncodeCall<TArgs>(string taskName, TArgs args);

    /// <summary>Decodes the arguments of <paramref name="call"/>; throws <see cref="ProtocolException"/> when they do not fit <typeparamref name="TArgs"/>.</summary>
    TArgs DecodeArgs<TArgs>(Call call);

    /// <summary>Encodes a task's return value as the bytes stored under the call's <c>value</c> key.</summary>
    byte[] EncodeReturn<TResult>(TResult value);

    /// <summary>Decodes a stored return value of <paramref name="taskName"/>; throws <see cref="ProtocolException"/> when it does not fit.</summary>
    TResult DecodeReturn<TResult>(string taskName, byte[] payload);
}
