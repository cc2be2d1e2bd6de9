using System.Diagnostics;
using System.Globalization;

namespace Brrr.Contracts.Servers;

/// <summary>
/// A throwaway Redis Cluster of three primaries and no replicas, for tests: three <c>redis-server --cluster-enabled yes</c>
/// processes on free 127.0.0.1 ports (each with <c>--save '' --appendonly no</c>, or persistent like
/// <see cref="RedisServer"/>, and its node file in a temporary directory), joined by
/// <c>redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes</c>. Start returns once <c>CLUSTER INFO</c> says
/// <c>cluster_state:ok</c>. <see cref="Kill"/> and <see cref="Restart"/> crash one primary and bring it back with its
/// node file. Dispose kills the servers and deletes the directory.
/// </summary>
public sealed class RedisClusterServer : IDisposable
{
    private const int Primaries = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly List<RedisServer> _nodes = [];

    private RedisClusterServer(string directory) => Directory = directory;

    /// <summary>The directory of the nodes' cluster config files.</summary>
    public string Directory { get; }

    /// <summary>The TCP ports of the primaries on 127.0.0.1.</summary>
    public IReadOnlyList<int> Ports => [.. _nodes.Select(n => n.Port)];

    /// <summary>A StackExchange.Redis configuration string listing every primary.</summary>
    public string Configuration => string.Join(",", _nodes.Select(n => n.Configuration));

    /// <summary>Starts the three nodes, creates the cluster and waits until every slot is served.</summary>
    /// <param name="persistent">
    /// Give every node an append-only file, fsynced on every write, in a data directory of its own, so a node's data
    /// survives <see cref="Kill"/> and <see cref="Restart"/>; without it a restarted node comes back empty.
    /// </param>
    /// <exception cref="InvalidOperationException">redis-server or redis-cli is missing, or the cluster does not form.</exception>
    public static RedisClusterServer Start(bool persistent = false)
    {
        var cluster = new RedisClusterServer(System.IO.Directory.CreateTempSubdirectory("brrr-redis-cluster-").FullName);
        try
        {
            for (var i = 0; i < Primaries; i++)
            {
                cluster._nodes.Add(RedisServer.Start(persistent, cluster.NodeArguments(persistent)));
            }

            cluster.RedisCli(["--cluster", "create", .. cluster._nodes.Select(n => n.Configuration), "--cluster-replicas", "0", "--cluster-yes"]);
            cluster.WaitUntilOk();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Kills primary <paramref name="index"/> (of <see cref="Ports"/>) at once (SIGKILL), as a crash would; its node file stays.</summary>
    public void Kill(int index) => _nodes[index].Kill();

    /// <summary>
    /// Starts primary <paramref name="index"/> again on its port with its node file, so it rejoins as the same node
    /// with the same slots (and, without persistence, no data), and waits until every node says
    /// <c>cluster_state:ok</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node does not start, or the cluster does not become whole again.</exception>
    public void Restart(int index)
    {
        _nodes[index].Restart();
        WaitUntilOk();
    }

    /// <summary>Kills every node and deletes the config files.</summary>
    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        _nodes.Clear();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>
    /// The cluster arguments of the next node: its own node file and a free cluster bus port; its working directory is
    /// the cluster's, unless it is persistent and keeps its own data directory (nodes sharing a directory would share
    /// the append-only file's name).
    /// </summary>
    private string[] NodeArguments(bool persistent) =>
    [
        "--cluster-enabled", "yes",
        "--cluster-config-file", Path.Combine(Directory, $"nodes-{Guid.NewGuid():N}.conf"),
        "--cluster-port", RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
        .. persistent ? Array.Empty<string>() : ["--dir", Directory],
    ];

    private void WaitUntilOk()
    {
        var clock = Stopwatch.StartNew();
        var info = "";
        while (clock.Elapsed < StartTimeout)
        {
            // Every node must see every slot served, or a client that asks it first gets CLUSTERDOWN.
            info = string.Join("\n", _nodes.Select(n => RedisCli(["-p", n.Port.ToString(CultureInfo.InvariantCulture), "cluster", "info"])));
            if (info.Split('\n').Count(l => l.Trim() == "cluster_state:ok") == _nodes.Count)
            {
                return;
            }

            Thread.Sleep(50);
        }

        throw new InvalidOperationException($"the Redis cluster in {Directory} did not reach cluster_state:ok within {StartTimeout.TotalSeconds} s: {info}");
    }

    private string RedisCli(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-h");
        start.ArgumentList.Add("127.0.0.1");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-cli.");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', start.ArgumentList)} exited with code {process.ExitCode}: {output}{error.Result}");
        }

        return output;
    }
}
