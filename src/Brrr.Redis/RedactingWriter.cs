using System.Text;

namespace Brrr.Redis;

/// <summary>
/// A text writer that passes what it is given to another writer through <see cref="Redaction.Redact"/>, one line
/// (or one flushed piece) at a time, so that a secret split over several writes is still masked. Not thread safe:
/// <see cref="Console.SetOut"/> and <see cref="Console.SetError"/> synchronize it.
/// </summary>
public sealed class RedactingWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly IReadOnlyList<string> _secrets;
    private readonly StringBuilder _pending = new();

    /// <summary>Writes to <paramref name="inner"/>, masking <paramref name="secrets"/> besides the patterns of <see cref="Redaction"/>.</summary>
    public RedactingWriter(TextWriter inner, IReadOnlyList<string> secrets)
        : base(inner?.FormatProvider)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(secrets);
        _inner = inner;
        _secrets = secrets;
    }

    /// <inheritdoc />
    public override Encoding Encoding => _inner.Encoding;

    /// <inheritdoc />
    public override void Write(char value)
    {
        _pending.Append(value);
        if (value == '\n')
        {
            Emit();
        }
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        if (value is null)
        {
            return;
        }

        var lastBreak = value.LastIndexOf('\n');
        if (lastBreak < 0)
        {
            _pending.Append(value);
            return;
        }

        _pending.Append(value, 0, lastBreak + 1);
        Emit();
        _pending.Append(value, lastBreak + 1, value.Length - lastBreak - 1);
    }

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    /// <inheritdoc />
    public override void Flush()
    {
        Emit();
        _inner.Flush();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }

        base.Dispose(disposing);
    }

    private void Emit()
    {
        if (_pending.Length > 0)
        {
            _inner.Write(Redaction.Redact(_pending.ToString(), _secrets));
            _pending.Clear();
        }
    }
}
