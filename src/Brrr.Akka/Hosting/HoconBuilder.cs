using System.Globalization;
using System.Text;
using Akka.Configuration;

namespace Brrr.Akka.Hosting;

/// <summary>
/// Writes HOCON for options classes: one <c>path = value</c> line per value that is set, nothing for unset
/// (<c>null</c>) values, so the written config only overrides what the code chose.
/// </summary>
public sealed class HoconBuilder
{
    private readonly StringBuilder _hocon = new();

    /// <summary>Writes a quoted string when <paramref name="value"/> is set.</summary>
    public HoconBuilder Set(string path, string? value) => value is null ? this : Line(path, Quote(value));

    /// <summary>Writes a whole number when <paramref name="value"/> is set.</summary>
    public HoconBuilder Set(string path, long? value) => value is { } v ? Line(path, v.ToString(CultureInfo.InvariantCulture)) : this;

    /// <summary>Writes a duration in milliseconds (or <c>infinite</c> for <see cref="Timeout.InfiniteTimeSpan"/>) when <paramref name="value"/> is set.</summary>
    public HoconBuilder Set(string path, TimeSpan? value) =>
        value is { } v
            ? Line(path, v == Timeout.InfiniteTimeSpan ? "infinite" : string.Create(CultureInfo.InvariantCulture, $"{(long)v.TotalMilliseconds}ms"))
            : this;

    /// <summary>Writes a number when <paramref name="value"/> is set.</summary>
    public HoconBuilder Set(string path, double? value) => value is { } v ? Line(path, v.ToString("R", CultureInfo.InvariantCulture)) : this;

    /// <summary>Writes a list of quoted strings when <paramref name="values"/> is set.</summary>
    public HoconBuilder Set(string path, IEnumerable<string>? values) => values is null ? this : Line(path, "[" + string.Join(", ", values.Select(Quote)) + "]");

    /// <summary>Writes a boolean when <paramref name="value"/> is set.</summary>
    public HoconBuilder Set(string path, bool? value) => value is { } v ? Line(path, v ? "true" : "false") : this;

    /// <summary>A path element quoted for HOCON (for names with dots or other special characters).</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>The config of the lines written so far.</summary>
    public Config ToConfig() => ConfigurationFactory.ParseString(_hocon.ToString());

    private HoconBuilder Line(string path, string value)
    {
        _hocon.Append(path).Append(" = ").AppendLine(value);
        return this;
    }
}
