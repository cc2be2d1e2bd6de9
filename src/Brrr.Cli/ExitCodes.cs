namespace Brrr.Cli;

/// <summary>The exit codes of <c>brrr</c>, the same for every subcommand.</summary>
public static class ExitCodes
{
    /// <summary>Done: the command did what it was asked; for status, read and wait, the call has a value.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected error (a bug): the message names its type.</summary>
    public const int Unexpected = 1;

    /// <summary>A usage error: bad arguments or options, an unreadable --config, a destructive action without --yes.</summary>
    public const int Usage = 2;

    /// <summary>The call failed for good (status, read, wait): its error chain is printed.</summary>
    public const int Failed = 3;

    /// <summary>Nothing there yet: the call is pending or unknown, wait timed out, or no dead letter has the id.</summary>
    public const int NotDone = 4;

    /// <summary>A backend (Redis, DynamoDB) cannot be reached or refused the command.</summary>
    public const int Backend = 5;

    /// <summary>The table printed by every <c>--help</c>.</summary>
    public const string Help = "Exit codes: 0 done, 1 unexpected error, 2 usage error, 3 the call failed for good, 4 not done yet or not found, 5 a backend cannot be reached.";
}
