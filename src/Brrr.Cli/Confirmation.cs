namespace Brrr.Cli;

/// <summary>Destructive actions go ahead with <c>--yes</c>, or when a person at a terminal answers y; never silently.</summary>
public static class Confirmation
{
    /// <summary>
    /// Returns when the action may go ahead: <paramref name="yes"/> is set, or standard input and output are a terminal
    /// and the answer to <paramref name="question"/> starts with y.
    /// </summary>
    /// <exception cref="UsageException">Neither: the message says to pass --yes.</exception>
    public static void Require(bool yes, string question, Output output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (yes)
        {
            return;
        }

        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            throw new UsageException($"{question}: pass --yes to confirm (no terminal to ask on)");
        }

        output.Out.Write($"{question} [y/N] ");
        output.Out.Flush();
        if (Console.ReadLine()?.Trim().StartsWith('y') != true)
        {
            throw new UsageException("not confirmed: nothing was changed");
        }
    }
}
