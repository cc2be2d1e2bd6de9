using System.Globalization;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// A parsed <c>redis[s]://[[user]:password@]host[:port][/db]</c> URL (userinfo without a colon is a password, as in
/// the reference demos); <c>rediss</c> turns TLS on. Its <see cref="ToString"/> never shows the password.
/// </summary>
/// <param name="Host">The server's host name or address.</param>
/// <param name="Port">The server's port (6379 unless given).</param>
/// <param name="User">The ACL user, or <c>null</c> for Redis's default user.</param>
/// <param name="Password">The password, or <c>null</c> for none.</param>
/// <param name="Database">The database number, or <c>null</c> for the server's default.</param>
/// <param name="Tls">Whether the URL is <c>rediss://</c>.</param>
public sealed record RedisUrl(string Host, int Port, string? User, string? Password, int? Database, bool Tls)
{
    private const int DefaultPort = 6379;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary><c>host:port</c>, for messages.</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>The StackExchange.Redis configuration string (with the password, so never print it).</summary>
    public string Configuration
    {
        get
        {
            var parts = new List<string> { Endpoint };
            if (User is not null)
            {
                parts.Add($"user={User}");
            }

            if (Password is not null)
            {
                parts.Add($"password={Password}");
            }

            if (Database is { } database)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"defaultDatabase={database}"));
            }

            if (Tls)
            {
                parts.Add("ssl=true");
            }

            return string.Join(',', parts);
        }
    }

    /// <summary>Parses <paramref name="url"/>.</summary>
    /// <exception cref="ArgumentException">It is not such a URL; the message shows it with the password masked.</exception>
    /// <param name="url">The URL.</param>
    /// <param name="source">Where the URL came from, for the message (an option or environment variable).</param>
    public static RedisUrl Parse(string url, string source = "the Redis URL")
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss") || uri.Host.Length == 0)
        {
            throw new ArgumentException($"{source} must look like redis://[[user]:password@]host:6379[/db], got '{Redaction.Redact(url)}'");
        }

        var (user, password) = uri.UserInfo.Split(':', 2) switch
        {
            [var u, var p] => (u.Length > 0 ? Uri.UnescapeDataString(u) : null, Uri.UnescapeDataString(p)),
            [var p] when p.Length > 0 => (null, Uri.UnescapeDataString(p)),
            _ => ((string?)null, (string?)null),
        };

        // A configuration string has no escapes: a comma would start the next option.
        if ((user?.Contains(',', StringComparison.Ordinal) ?? false) || (password?.Contains(',', StringComparison.Ordinal) ?? false))
        {
            throw new ArgumentException("the user or password of BRRR_DEMO_REDIS_URL contains ',', which a StackExchange.Redis configuration cannot hold: choose another password");
        }

        int? database = null;
        if (uri.AbsolutePath.Trim('/') is { Length: > 0 } db)
        {
            database = int.TryParse(db, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new ArgumentException($"the path of BRRR_DEMO_REDIS_URL must be a database number, e.g. redis://host:6379/0, got '/{db}'");
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        return new RedisUrl(uri.IdnHost, port, user, password, database, uri.Scheme == "rediss");
    }

    /// <summary>
    /// Why this server cannot be used: it refused the credentials, or it cannot be reached (then
    /// <paramref name="unreachableHint"/> follows). Finds out with one more connection attempt of at most a second,
    /// which, unlike a multiplexer that keeps retrying, reports why it failed.
    /// </summary>
    public async Task<string> WhyNotConnectedAsync(string unreachableHint)
    {
        var unreachable = $"cannot reach Redis at {this}: {unreachableHint}";
        var probe = ConfigurationOptions.Parse(Configuration);
        probe.AbortOnConnectFail = true;
        probe.ConnectRetry = 1;
        probe.ConnectTimeout = (int)ProbeTimeout.TotalMilliseconds;
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(probe).ConfigureAwait(false);
            return unreachable;
        }
        catch (RedisConnectionException e) when (e.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            var who = User is null ? "the default user" : $"user '{User}'";
            return $"Redis at {Endpoint} refused the credentials of {this} ({who}, {(Password is null ? "no password" : "a password")}): "
                + "check the user and the (URL-encoded) password";
        }
        catch (RedisException)
        {
            return unreachable;
        }
    }

    /// <summary>The URL with the password masked.</summary>
    public override string ToString() =>
        $"{(Tls ? "rediss" : "redis")}://{(User is null && Password is null ? "" : $"{User}{(Password is null ? "" : ":***")}@")}{Endpoint}"
        + (Database is { } database ? string.Create(CultureInfo.InvariantCulture, $"/{database}") : "");
}
