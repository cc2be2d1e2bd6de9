using System.Globalization;
using System.Text.RegularExpressions;

namespace Brrr.Bench;

/// <summary>
/// The command line of the bench. <c>--serve-worker</c> (with <c>--redis</c>, and <c>--dynamo-url</c> for
/// redis-dynamo) is not in <see cref="Usage"/>: it is how the bench starts its own worker processes
/// (<see cref="WorkerArguments"/>, <see cref="WorkerHost"/>).
/// </summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: brrr-bench [options]
          --workload fib|tree|chain|fanout|store|queue   what to run (default fib; store = raw store set+get ops/s,
                                queue = raw push+receive+ack, counted as pushes + pops per second)
          --n N                 fib: fib(N) per root (default 15); fanout: N leaves (default 1000)
          --branching B         tree: children per inner node (default 4)
          --depth D             tree: levels below the root (default 4); chain: chain length (default 1000)
          --roots R             concurrent roots, each with a fresh salt (default 32 for fib/tree, 1 otherwise)
          --backend memory|redis|redis-cluster|redis-dynamo|sqs-dynamo   (default memory; redis-cluster starts three
                                redis-server primaries without replicas joined by redis-cli --cluster create, and
                                flushes every primary between runs; its redis/c sums the commands of all primaries;
                                sqs-dynamo has no Redis: the SQS queue on fauxqs (tools/fauxqs) and the DynamoDB store
                                and cache on dynalite, fresh queues and table per run; in process only)
          --workers W           worker ActorSystems in this process (default 1)
          --processes P         run the workers as P worker processes instead, one worker system each (redis,
                                redis-cluster and redis-dynamo only; default 0 = in this process). The bench waits by polling the
                                roots' values every 5 ms; child->parent latency is not measured (the processes' clocks
                                differ: p50/p99 are "-"); the table's W shows "Pp"; rss_mb is the largest worker process's peak (each one's in
                                worker_rss_mb), CPU, allocations and collections add up over the worker processes
          --parallelism P       brrr.topic-defaults.parallelism of every worker (default: reference.conf)
          --spawn-limit L       brrr.spawn-limit (default 10000)
          --hocon TEXT          extra HOCON for every worker system (e.g. "brrr.registrars = 4")
          --repeat K            measured runs; the last JSON line holds their medians (default 1)
          --warmup K            unmeasured runs first, to JIT the code paths (default 1)
          --count-ops           count store, queue and cache operations (decorators around the backends; with
                                --processes, counted in each worker process and summed)
          --redis HOST:PORT     use this Redis instead of starting redis-server (redis-cluster: one or more of its
                                primaries, HOST:PORT,HOST:PORT; a Redis the bench did not start is never flushed)
          --dynamo-url URL      use this DynamoDB endpoint instead of starting dynalite
          --sqs-url URL         use this SQS endpoint instead of starting fauxqs (sqs-dynamo)
          --dynalite-cli PATH   dynalite's cli.js (default: tools/dynalite/node_modules/dynalite/cli.js above the working dir)
          --latency-ms X        add X ms to every network round trip (redis, redis-dynamo, sqs-dynamo; default 0):
                                the bench puts a TCP proxy on 127.0.0.1 in front of Redis, DynamoDB and SQS that holds each
                                chunk X/2 ms in each direction (ordered per connection, connections independent, so
                                pipelined commands share the delay). The proxy runs in the bench process: with
                                in-process workers its CPU and allocations count in the run's figures, with
                                --processes they do not. Not for redis-cluster: the cluster's redirects and slot map
                                name the nodes' own ports, which would bypass the proxy
          --concurrency C       store/queue workload: concurrent loops (default 16)
          --seconds S           store/queue workload: duration (default 3)
          --timeout S           longest a run may take (default 300)
          --smoke               every workload on memory at tiny sizes; exit 1 on a wrong result
        """;

    public string Workload { get; init; } = "fib";
    public int? N { get; init; }
    public int Branching { get; init; } = 4;
    public int? Depth { get; init; }
    public int? Roots { get; init; }
    public string Backend { get; init; } = "memory";
    public int Workers { get; init; } = 1;
    public int Processes { get; init; }
    public int? Parallelism { get; init; }
    public long SpawnLimit { get; init; } = BrrrClient.DefaultSpawnLimit;
    public string? Hocon { get; init; }
    public int Repeat { get; init; } = 1;
    public int Warmup { get; init; } = 1;
    public bool CountOps { get; init; }

    /// <summary>Milliseconds added to every round trip to Redis and DynamoDB (half each way), 0 for none.</summary>
    public double LatencyMs { get; init; }
    public string? Redis { get; init; }
    public Uri? DynamoUrl { get; init; }
    public Uri? SqsUrl { get; init; }
    public string? DynaliteCli { get; init; }
    public int Concurrency { get; init; } = 16;
    public double Seconds { get; init; } = 3;
    public double TimeoutSeconds { get; init; } = 300;
    public bool Smoke { get; init; }

    /// <summary>Worker-process mode: serve the runs the bench sends on stdin.</summary>
    public bool ServeWorker { get; init; }

    public int RootCount => Roots ?? (Workload is "fib" or "tree" ? 32 : 1);

    /// <summary>The command line that reproduces these options (for the report).</summary>
    public string CommandLine { get; init; } = "";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions { CommandLine = string.Join(' ', args) };
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            o = name switch
            {
                "--workload" => o with { Workload = Value() },
                "--n" => o with { N = Int() },
                "--branching" => o with { Branching = Int() },
                "--depth" => o with { Depth = Int() },
                "--roots" => o with { Roots = Int() },
                "--backend" => o with { Backend = Value() },
                "--workers" => o with { Workers = Int() },
                "--processes" => o with { Processes = Int() },
                "--parallelism" => o with { Parallelism = Int() },
                "--spawn-limit" => o with { SpawnLimit = long.Parse(Value(), CultureInfo.InvariantCulture) },
                "--hocon" => o with { Hocon = Value() },
                "--repeat" => o with { Repeat = Int() },
                "--warmup" => o with { Warmup = Int() },
                "--count-ops" => o with { CountOps = true },
                "--latency-ms" => o with { LatencyMs = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--redis" => o with { Redis = Value() },
                "--dynamo-url" => o with { DynamoUrl = new Uri(Value()) },
                "--sqs-url" => o with { SqsUrl = new Uri(Value()) },
                "--dynalite-cli" => o with { DynaliteCli = Value() },
                "--concurrency" => o with { Concurrency = Int() },
                "--seconds" => o with { Seconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--timeout" => o with { TimeoutSeconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--smoke" => o with { Smoke = true },
                "--serve-worker" => o with { ServeWorker = true },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }

        o.Validate();
        return o;
    }

    private void Validate()
    {
        if (Workload is not ("fib" or "tree" or "chain" or "fanout" or "store" or "queue"))
        {
            throw new ArgumentException($"--workload must be fib, tree, chain, fanout, store or queue, got '{Workload}'.");
        }

        if (Backend is not ("memory" or "redis" or "redis-cluster" or "redis-dynamo" or "sqs-dynamo"))
        {
            throw new ArgumentException($"--backend must be memory, redis, redis-cluster, redis-dynamo or sqs-dynamo, got '{Backend}'.");
        }

        if (Backend == "sqs-dynamo" && (Processes > 0 || Redis is not null))
        {
            throw new ArgumentException("sqs-dynamo runs its workers in this process and uses no Redis: leave out --processes and --redis.");
        }

        if (!double.IsFinite(LatencyMs) || LatencyMs < 0)
        {
            throw new ArgumentException($"--latency-ms must be a number of milliseconds >= 0, got {LatencyMs.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (LatencyMs > 0 && Backend == "redis-cluster")
        {
            throw new ArgumentException("--latency-ms is not supported with redis-cluster: the cluster's MOVED redirects and slot map announce the nodes' own ports, so the client would go around the delaying proxy. Use --backend redis or redis-dynamo.");
        }

        if (LatencyMs > 0 && Redis is not null && !Regex.IsMatch(Redis, @"^[^,:]+:\d+$"))
        {
            throw new ArgumentException($"--latency-ms puts a proxy in front of one Redis: give --redis as HOST:PORT, got '{Redis}'.");
        }

        if (LatencyMs > 0 && (Backend == "memory" || Smoke))
        {
            throw new ArgumentException("--latency-ms delays the network: it needs --backend redis, redis-dynamo or sqs-dynamo (the memory backend, and so --smoke, has none).");
        }

        if (Workers < 1 || Repeat < 1 || Warmup < 0 || RootCount < 1 || Concurrency < 1 || Parallelism is < 1)
        {
            throw new ArgumentException("--workers, --repeat, --roots, --concurrency and --parallelism must be >= 1, --warmup and --processes >= 0.");
        }

        if (Processes > 0 && (Backend == "memory" || Smoke))
        {
            throw new ArgumentException("--processes needs a backend the worker processes share: --backend redis, redis-cluster or redis-dynamo (the memory backend, and so --smoke, lives inside one process).");
        }

        if (Processes > 0 && (Workers != 1 || Workload is "store" or "queue"))
        {
            throw new ArgumentException("--processes runs one worker system per process for the fib, tree, chain and fanout workloads: leave out --workers, use one of those.");
        }

        if (ServeWorker && (Redis is null || (Backend == "redis-dynamo" && DynamoUrl is null)))
        {
            throw new ArgumentException("--serve-worker is the bench's worker-process mode: it needs --redis, and for redis-dynamo --dynamo-url.");
        }
    }

    /// <summary>The HOCON of every worker system of a run.</summary>
    public string WorkerHocon()
    {
        var lines = new List<string>
        {
            "akka.loglevel = WARNING",
            "akka.stdout-loglevel = WARNING",
            "akka.log-dead-letters = off",
            "akka.log-dead-letters-during-shutdown = off",
            string.Create(CultureInfo.InvariantCulture, $"brrr.spawn-limit = {SpawnLimit}"),
        };
        if (Parallelism is { } p)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"brrr.topic-defaults.parallelism = {p}"));
        }

        if (Hocon is not null)
        {
            lines.Add(Hocon);
        }

        return string.Join('\n', lines);
    }

    /// <summary>The command line of a worker process for the runs of these options on these servers.</summary>
    public IEnumerable<string> WorkerArguments(string redis, Uri? dynamoUrl)
    {
        string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
        List<string> args = ["--serve-worker", "--workload", Workload, "--branching", Text(Branching), "--backend", Backend, "--redis", redis, "--spawn-limit", Text(SpawnLimit)];
        (string Name, string? Value)[] optional =
        [
            ("--n", N is { } n ? Text(n) : null),
            ("--depth", Depth is { } d ? Text(d) : null),
            ("--parallelism", Parallelism is { } p ? Text(p) : null),
            ("--hocon", Hocon),
            ("--dynamo-url", dynamoUrl?.ToString()),
        ];
        args.AddRange(optional.Where(a => a.Value is not null).SelectMany(a => new[] { a.Name, a.Value! }));
        if (CountOps)
        {
            args.Add("--count-ops");
        }

        return args;
    }
}
