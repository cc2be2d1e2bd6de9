namespace Brrr.Tasks;

/// <summary>
/// Aborts a run because a child's value is not in the store yet: the run is deferred, its missing children are
/// scheduled, and it runs again when they complete. Task code must let it propagate (never catch it and go on).
/// </summary>
public sealed class DeferException : Exception
{
    /// <summary>Creates the signal.</summary>
    public DeferException() : base("A child call's value is missing: this run is deferred until it completes.") { }

    /// <summary>Creates the signal with a message.</summary>
    public DeferException(string message) : base(message) { }

    /// <summary>Creates the signal with a message and a cause.</summary>
    public DeferException(string message, Exception innerException) : base(message, innerException) { }
}
