namespace Brrr;

/// <summary>
/// One call of a task with arguments (PROTOCOL.md §2). Its identity is <see cref="CallHash"/> alone: two calls
/// with the same hash are the same call, whatever their payload bytes.
/// </summary>
public sealed class Call : IEquatable<Call>
{
    /// <summary>Creates a call. <paramref name="callHash"/> must follow <see cref="Protocol.Identifiers.CallHash"/>.</summary>
    /// <exception cref="ProtocolException">The hash is empty, too long, or holds a character outside the alphabet.</exception>
    public Call(string taskName, byte[] payload, string callHash)
    {
        ArgumentNullException.ThrowIfNull(taskName);
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(callHash);
        if (!Protocol.Identifiers.IsCallHash(callHash))
        {
            Protocol.Identifiers.CallHash(callHash, $"Call of task '{taskName}'");
        }

        TaskName = taskName;
        Payload = payload;
        CallHash = callHash;
    }

    /// <summary>The task to run: an opaque UTF-8 name brrr never parses.</summary>
    public string TaskName { get; }

    /// <summary>The arguments, as made by the codec. Treat as read-only.</summary>
    public byte[] Payload { get; }

    /// <summary>The call's identity in the store and on the queue.</summary>
    public string CallHash { get; }

    /// <inheritdoc />
    public bool Equals(Call? other) => other is not null && other.CallHash == CallHash;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Call);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CallHash);

    /// <inheritdoc />
    public override string ToString() => $"{TaskName}/{CallHash}";
}
