namespace Brrr.Cli;

/// <summary>A mistake of the command line (exit code <see cref="ExitCodes.Usage"/>): the message says what to change.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A backend that cannot be reached (exit code <see cref="ExitCodes.Backend"/>): the message names it, never its password.</summary>
public sealed class BackendUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
