namespace Brrr.Demo;

/// <summary>
/// A progress report on a text stream: on a terminal one line rewritten in place (carriage return), elsewhere
/// (a file, a pipe, a log collector) one plain line per update. Not thread safe.
/// </summary>
public sealed class ProgressLine
{
    private readonly TextWriter _writer;
    private readonly bool _inPlace;
    private int _shown;

    /// <summary>Reports on <paramref name="writer"/>; <paramref name="inPlace"/> when it is a terminal.</summary>
    public ProgressLine(TextWriter writer, bool inPlace)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _inPlace = inPlace;
    }

    /// <summary>Progress on standard error, in place when standard error is a terminal.</summary>
    public static ProgressLine OnStandardError() => new(Console.Error, !Console.IsErrorRedirected);

    /// <summary>Shows <paramref name="text"/> (one line) as the current progress.</summary>
    public void Show(string text)
    {
        if (!_inPlace)
        {
            _writer.WriteLine(text);
            return;
        }

        // Pad over the previous text so that a shorter line leaves nothing of it behind.
        _writer.Write($"\r{text.PadRight(_shown)}");
        _writer.Flush();
        _shown = text.Length;
    }

    /// <summary>Ends the line being rewritten, if any, so that what follows starts on a line of its own.</summary>
    public void End()
    {
        if (_shown > 0)
        {
            _writer.WriteLine();
            _shown = 0;
        }
    }
}
