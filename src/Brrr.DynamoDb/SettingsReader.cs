using Akka.Configuration;

namespace Brrr.DynamoDb;

/// <summary>
/// Reads one HOCON section and turns every bad value into a <see cref="ConfigurationException"/> naming its full key.
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

    public string String(string key) => Get(key, () => section.GetString(key, null) ?? "");

    public Uri? OptionalUri(string key)
    {
        var text = String(key);
        return string.IsNullOrWhiteSpace(text) ? null : SettingChecks.ParseUri(text.Trim(), key);
    }

    public bool Boolean(string key) => Get(key, () => section.GetBoolean(key));

    public int Int(string key) => Get(key, () => section.GetInt(key));

    public long Long(string key) => Get(key, () => section.GetLong(key));

    public TimeSpan Duration(string key) => Get(key, () => section.GetTimeSpan(key, null, allowInfinite: false));

    public TEnum Enum<TEnum>(string key, params TEnum[] allowed)
        where TEnum : struct, Enum
    {
        var text = String(key).Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
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

    private T Get<T>(string key, Func<T> read)
    {
        _lastKey = key;
        if (!section.HasPath(key))
        {
            throw new ConfigurationException($"{path}.{key} is missing (reference.conf of Brrr.DynamoDb provides a default: was it left out of the fallback chain?)");
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
