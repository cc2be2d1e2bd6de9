namespace Brrr.Codecs;

/// <summary>Decodes stored values so that an error names the call whose value it is, not only its task.</summary>
internal static class StoredValues
{
    /// <summary>The value of <paramref name="call"/> stored as <paramref name="payload"/>.</summary>
    /// <exception cref="ProtocolException">The bytes are not a <typeparamref name="TResult"/>; the message names the call hash.</exception>
    public static TResult Decode<TResult>(this ICodec codec, Call call, byte[] payload)
    {
        try
        {
            return codec.DecodeReturn<TResult>(call.TaskName, payload);
        }
        catch (ProtocolException e)
        {
            throw new ProtocolException($"Call {call.CallHash} ({call.TaskName}): {e.Message}", e);
        }
    }
}
