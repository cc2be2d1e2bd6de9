namespace Brrr;

/// <summary>
/// The kinds of record the store holds per call: the three of PROTOCOL.md §3, and three that only BrrrAkka writes and
/// reads: the <c>error</c> record of a call that failed for good (<see cref="ErrorRecord"/>), the <c>children</c>
/// record of a call that deferred (<see cref="ChildrenRecord"/>) and the <c>due</c> time of a delayed child.
/// </summary>
public enum MemKeyType
{
    /// <summary>The <c>call</c> record: task name and payload.</summary>
    Call,

    /// <summary>The <c>value</c>: the call's return payload.</summary>
    Value,

    /// <summary>The <c>pending_returns</c> record: who waits for this call's value.</summary>
    PendingReturns,

    /// <summary>The <c>error</c> record of a call that failed for good (<see cref="ErrorRecord"/>); reference workers never read it.</summary>
    Error,

    /// <summary>The <c>children</c> record of a call that deferred: the children it waits on (<see cref="ChildrenRecord"/>); reference workers never read it.</summary>
    Children,

    /// <summary>
    /// The <c>due</c> time of a child called with a delay (a <c>ctx.Sleep</c> timer, or a delayed <c>ctx.Call</c>): Unix
    /// milliseconds in ASCII digits, written once when the child is first scheduled; reference workers never read it.
    /// </summary>
    Due,
}

/// <summary>A store key: the pair (type, call hash).</summary>
/// <param name="Type">Which record of the call.</param>
/// <param name="CallHash">The call's identity.</param>
public readonly record struct MemKey(MemKeyType Type, string CallHash)
{
    /// <summary>The type word of PROTOCOL.md: <c>call</c>, <c>value</c> or <c>pending_returns</c>; <c>error</c>, <c>children</c> and <c>due</c> for brrr's own records.</summary>
    public string TypeWord => Type switch
    {
        MemKeyType.Call => "call",
        MemKeyType.Value => "value",
        MemKeyType.PendingReturns => "pending_returns",
        MemKeyType.Error => "error",
        MemKeyType.Children => "children",
        MemKeyType.Due => "due",
        _ => throw new ArgumentOutOfRangeException(nameof(Type), Type, "unknown key type"),
    };

    /// <summary>The <c>call</c> key of <paramref name="callHash"/>.</summary>
    public static MemKey CallOf(string callHash) => new(MemKeyType.Call, callHash);

    /// <summary>The <c>value</c> key of <paramref name="callHash"/>.</summary>
    public static MemKey ValueOf(string callHash) => new(MemKeyType.Value, callHash);

    /// <summary>The <c>pending_returns</c> key of <paramref name="callHash"/>.</summary>
    public static MemKey PendingReturnsOf(string callHash) => new(MemKeyType.PendingReturns, callHash);

    /// <summary>The <c>error</c> key of <paramref name="callHash"/>.</summary>
    public static MemKey ErrorOf(string callHash) => new(MemKeyType.Error, callHash);

    /// <summary>The <c>children</c> key of <paramref name="callHash"/>.</summary>
    public static MemKey ChildrenOf(string callHash) => new(MemKeyType.Children, callHash);

    /// <summary>The <c>due</c> key of <paramref name="callHash"/>.</summary>
    public static MemKey DueOf(string callHash) => new(MemKeyType.Due, callHash);

    /// <inheritdoc />
    public override string ToString() => $"{TypeWord}/{CallHash}";
}
