using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Brrr.Redis;

/// <summary>
/// A Lua script invoked by its SHA-1 (EVALSHA). When the server does not know it (first use, restart, SCRIPT FLUSH)
/// it is sent once with EVAL, which also caches it on the server.
/// </summary>
internal sealed class RedisScript
{
    public RedisScript(string name, string source)
    {
        Name = name;
        Source = source;
#pragma warning disable CA5350 // SHA-1 is how Redis names scripts, not a security measure.
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(source));
#pragma warning restore CA5350
    }

    public string Name { get; }

    public string Source { get; }

    public byte[] Sha1 { get; }

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await database.ScriptEvaluateAsync(Sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(Source, keys, values).ConfigureAwait(false);
        }
    }

    /// <summary>Loads the script on <paramref name="server"/> so the first EVALSHA finds it.</summary>
    public Task LoadAsync(IServer server) => server.ScriptLoadAsync(Source);
}
