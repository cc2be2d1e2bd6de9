using System.Globalization;
using System.Text;

namespace Brrr.Bench.Servers;

/// <summary>How the bench starts its own redis-server, dynalite and fauxqs.</summary>
internal static class Launchers
{
    private const string RedisServer = "/usr/bin/redis-server";

    public static Task<LocalServer> StartRedisAsync() => StartRedisAsync(_ => []);

    /// <summary>
    /// A redis-server for a Redis Cluster: cluster mode, its node file in <paramref name="directory"/> (also its working
    /// directory) and a free cluster bus port (the default, port + 10000, may be past 65535).
    /// </summary>
    public static Task<LocalServer> StartRedisClusterNodeAsync(string directory) => StartRedisAsync(port =>
    [
        "--cluster-enabled", "yes",
        "--cluster-config-file", Path.Combine(directory, $"nodes-{port.ToString(CultureInfo.InvariantCulture)}.conf"),
        "--cluster-port", LocalServer.FreePort().ToString(CultureInfo.InvariantCulture),
        "--dir", directory,
    ]);

    private static Task<LocalServer> StartRedisAsync(Func<int, IEnumerable<string>> extraArguments) =>
        LocalServer.StartAsync(
            "redis-server",
            File.Exists(RedisServer) ? RedisServer : "redis-server",
            port => ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", .. extraArguments(port)],
            port => LocalServer.AnswersAsync(port, "PING\r\n"u8.ToArray(), "+PONG"));

    public static Task<LocalServer> StartDynaliteAsync(string? cli)
    {
        cli ??= FindDynaliteCli() ?? throw new InvalidOperationException(
            "dynalite is not installed: run `cd tools/dynalite && npm ci` in the repository, pass --dynalite-cli PATH/cli.js, or pass --dynamo-url of a running server.");
        return LocalServer.StartAsync(
            "dynalite",
            "node",
            port => [cli, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"],
            port => LocalServer.AnswersAsync(port, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), "HTTP/1.1"));
    }

    /// <summary>fauxqs (an SQS-compatible server, pinned in tools/fauxqs with the Node.js it needs), ready once <c>/health</c> answers.</summary>
    public static Task<LocalServer> StartFauxqsAsync()
    {
        var folder = FindTool(Path.Combine("tools", "fauxqs", "serve.mjs")) is { } serve ? Path.GetDirectoryName(serve)! : null;
        var node = folder is null ? null : Path.Combine(folder, "node_modules", ".bin", "node");
        if (node is null || !File.Exists(node))
        {
            throw new InvalidOperationException("fauxqs is not installed: run `cd tools/fauxqs && npm ci` in the repository, or pass --sqs-url of a running SQS-compatible server.");
        }

        return LocalServer.StartAsync(
            "fauxqs",
            node,
            port => [Path.Combine(folder!, "serve.mjs"), port.ToString(CultureInfo.InvariantCulture)],
            port => LocalServer.AnswersAsync(port, Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), "HTTP/1.1 200"));
    }

    /// <summary>tools/dynalite/node_modules/dynalite/cli.js above the working directory or the binary.</summary>
    private static string? FindDynaliteCli() => FindTool(Path.Combine("tools", "dynalite", "node_modules", "dynalite", "cli.js"));

    /// <summary><paramref name="relative"/> in the first folder above the working directory or the binary that has it.</summary>
    private static string? FindTool(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, relative);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }
}
