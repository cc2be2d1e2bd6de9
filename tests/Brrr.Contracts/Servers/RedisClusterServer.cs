using System.Diagnostics;
using System.Globalization;

namespace Brrr.Contracts.Servers;

/// <summary>
/// A throwaway Redis Cluster of three primaries and no replicas, for tests: three <c>redis-server --cluster-enabled yes</c>
/// processes on free 127.0.0.1 ports (each with <c>--save '' --appendonly no</c> and its node file in a temporary
/// directory), joined by <c>redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes</c>. Start returns once
/// <c>CLUSTER INFO</c> says <c>cluster_state:ok</c>. Dispose kills the servers and deletes the directory.
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
    /// <exception cref="InvalidOperationException">redis-server or redis-cli is missing, or the cluster does not form.</exception>
    public static RedisClusterServer Start()
    {
        var cluster = new RedisClusterServer(System.IO.Directory.CreateTempSubdirectory("brrr-redis-cluster-").FullName);
        try
        {
            for (var i = 0; i < Primaries; i++)
            {
                cluster._nodes.Add(RedisServer.Start(extraArguments: cluster.NodeArguments));
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

    /// <summary>The cluster arguments of the next node: its own node file and a free cluster bus port.</summary>
    private string[] NodeArguments =>
    [
        "--cluster-enabled", "yes",
        "--cluster-config-file", Path.Combine(Directory, $"nodes-{Guid.NewGuid():N}.conf"),
        "--cluster-port", RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
        "--dir", Directory,
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
