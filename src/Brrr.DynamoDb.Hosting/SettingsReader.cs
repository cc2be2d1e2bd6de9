using Akka.Configuration;

namespace Brrr.DynamoDb.Hosting;

/// <summary>
/// Reads one HOCON section over defaults (a missing key keeps its default) and turns every bad value into a
/// <see cref="ConfigurationException"/> naming its full key.
/// Range checks live in the settings' properties: a check that fails right after a key was read blames that key
/// (object initializers read and assign one member at a time, in order).
/// </summary>
internal sealed class SettingsReader(Config section, string path)
{
    private string _lastKey = "";

    public T Read<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (SettingOutOfRangeException e)
        {
            throw new ConfigurationException($"{path}.{_lastKey} {e.Reason}");
        }
    }

    public string String(string key, string fallback) => Get(key, fallback, () => section.GetString(key, null) ?? "");

    public string? OptionalText(string key, string? fallback) => Get(key, fallback, () => section.GetString(key, null));

    public Uri? OptionalUri(string key, Uri? fallback)
    {
        var text = OptionalText(key, fallback?.ToString());
        return string.IsNullOrWhiteSpace(text) ? null : SettingChecks.ParseUri(text.Trim(), key);
    }

    public bool Boolean(string key, bool fallback) => Get(key, fallback, () => section.GetBoolean(key));

    public int Int(string key, int fallback) => Get(key, fallback, () => section.GetInt(key));

    public long Long(string key, long fallback) => Get(key, fallback, () => section.GetLong(key));

    public TimeSpan Duration(string key, TimeSpan fallback) => Get(key, fallback, () => section.GetTimeSpan(key, null, allowInfinite: false));

    public TEnum Enum<TEnum>(string key, TEnum fallback, params TEnum[] allowed)
        where TEnum : struct, Enum
    {
        _lastKey = key;
        if (!section.HasPath(key))
        {
            return fallback;
        }

        var text = String(key, "").Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        foreach (var value in allowed)
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new ConfigurationException($"{path}.{key} must be one of {string.Join(", ", allowed.Select(Word))}, got '{section.GetString(key, null)}'");
    }

    private static string Word<TEnum>(TEnum value)
        where TEnum : struct, Enum => value switch
        {
            DynamoDbBillingMode.PayPerRequest => "PAY_PER_REQUEST",
            DynamoDbBillingMode.Provisioned => "PROVISIONED",
            _ => value.ToString().ToLowerInvariant(),
        };

    private T Get<T>(string key, T fallback, Func<T> read)
    {
        _lastKey = key;
        if (!section.HasPath(key))
        {
            return fallback;
        }

        try
        {
            return read();
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{path}.{key} has a bad value '{section.GetString(key, null)}': {e.Message}", e);
        }
    }
}
