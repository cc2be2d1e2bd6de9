using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Microsoft.Extensions.Configuration;

namespace Brrr.Akka.Hosting;

/// <summary>
/// Turns a <c>Brrr</c> section of <see cref="IConfiguration"/> (appsettings.json, environment variables such as
/// <c>Brrr__SpawnLimit</c>, any provider) into the HOCON of <c>brrr { }</c>, so that appsettings, HOCON and code
/// options are read by one reader over one set of defaults (the <c>reference.conf</c> of each package):
/// <list type="bullet">
/// <item>a key is written as in HOCON (<c>spawn-limit</c>) or in PascalCase (<c>SpawnLimit</c>, <c>HeartbeatTtl</c>),
/// which becomes kebab-case; <c>DynamoDb</c> is the section <c>dynamodb</c>;</item>
/// <item>the keys right under <c>Topics</c>, <c>Tasks</c>, <c>Schedules</c> and <c>QueueNames</c> (of <c>Sqs</c>) are topic, task and schedule names, kept as they are;</item>
/// <item>a value is a string as HOCON reads it (<c>5s</c>, <c>4KiB</c>, <c>true</c>, <c>16</c>), or a .NET
/// <see cref="TimeSpan"/> (<c>00:00:05</c>); an array (<c>NonRetryable: ["System.ArgumentException"]</c>) is a list.</item>
/// </list>
/// </summary>
public static partial class ConfigurationHocon
{
    private static readonly HashSet<string> NamedChildren = new(["topics", "tasks", "schedules", "queue-names"], StringComparer.Ordinal);

    /// <summary>The HOCON of <paramref name="section"/> (for example <c>configuration.GetSection("Brrr")</c>) under <c>brrr</c>.</summary>
    /// <exception cref="FormatException">A key cannot be a HOCON key; the message names its configuration path.</exception>
    public static Config ToConfig(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var hocon = new StringBuilder();
        Write(section, "brrr", namesBelow: false, hocon);
        return hocon.Length == 0 ? ConfigurationFactory.Empty : ConfigurationFactory.ParseString(hocon.ToString());
    }

    private static void Write(IConfiguration node, string path, bool namesBelow, StringBuilder hocon)
    {
        var children = node.GetChildren().ToList();
        if (children.Count > 0 && children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var items = children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(c => Value(c.Value ?? ""));
            hocon.Append(path).Append(" = [").AppendJoin(", ", items).AppendLine("]");
            return;
        }

        foreach (var child in children)
        {
            var key = namesBelow ? HoconBuilder.Quote(child.Key) : KeyOf(child);
            var childPath = path + "." + key;
            if (child.GetChildren().Any())
            {
                Write(child, childPath, namesBelow: !namesBelow && NamedChildren.Contains(key), hocon);
            }
            else if (child.Value is { } value)
            {
                hocon.Append(childPath).Append(" = ").AppendLine(Value(value));
            }
        }
    }

    /// <summary>A setting's key in kebab-case: <c>HeartbeatTtl</c> and <c>heartbeat-ttl</c> are both <c>heartbeat-ttl</c>.</summary>
    private static string KeyOf(IConfigurationSection section)
    {
        var key = section.Key;
        if (string.Equals(key, "DynamoDb", StringComparison.OrdinalIgnoreCase))
        {
            return "dynamodb";
        }

        var kebab = new StringBuilder(key.Length + 4);
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsUpper(c) && i > 0 && key[i - 1] != '-')
            {
                kebab.Append('-');
            }

            kebab.Append(char.ToLowerInvariant(c));
        }

        var text = kebab.ToString();
        return text.Length > 0 && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            ? text
            : throw new FormatException($"{section.Path}: \"{key}\" is not a brrr setting name (letters, digits and '-'); topic, task and schedule names go under Topics, Tasks and Schedules.");
    }

    /// <summary>
    /// A quoted HOCON string, with a .NET time span (<c>00:00:05</c>, <c>1.02:03:04.5</c>) written in milliseconds and
    /// a JSON boolean (which the JSON provider reads as <c>True</c> or <c>False</c>) in the lower case HOCON reads.
    /// </summary>
    private static string Value(string value) => value switch
    {
        "True" or "False" => value.ToLowerInvariant(),
        _ when TimeSpanText().IsMatch(value) && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) =>
            string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMilliseconds}ms"),
        _ => HoconBuilder.Quote(value),
    };

    [GeneratedRegex(@"^(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d{1,7})?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeSpanText();
}
