using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Redis;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Brrr.IntegrationTests;

/// <summary>The demo as separate processes: redis-server, dynalite, one web and two workers, driven over HTTP.</summary>
public sealed partial class DemoProcessTests : IClassFixture<DynaliteServer>, IDisposable
{
    private const string WorkerConfig = """
        brrr.poll-timeout = 200ms
        brrr.redis { heartbeat-interval = 500ms, heartbeat-ttl = 2s, recovery-interval = 1s }
        """;

    private const string DemoTopic = "brrr-cs-demo";

    // fib(1500) makes 1,501 calls and about 4,500 jobs, well under the spawn limit of 10,000 (fib(3000) comes close to
    // it: each call's job plus the re-runs of its two parents); even a fast machine takes longer than the 10 ms between
    // progress reports that the progress tests ask for.
    private const int SlowFib = 1500;
    private const string SlowFibDigits = "13551125668563101951636936867148408377786010712418497242133543153221487310873528";
    private static readonly Dictionary<string, string> FastProgress = new() { ["BRRR_DEMO_PROGRESS_MS"] = "10" };

    // Stands for a Redis URL whose port nothing listens on (a port just found free).
    private const string ClosedPortRedis = "redis://closed-port";

    private readonly DynaliteServer _dynalite;
    private readonly ITestOutputHelper _output;
    private readonly List<IDisposable> _cleanup = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<string> _files = [];
    private readonly string _configFile;

    public DemoProcessTests(DynaliteServer dynalite, ITestOutputHelper output)
    {
        _dynalite = dynalite;
        _output = output;
        _configFile = ConfigFile(WorkerConfig);
    }

    [Fact]
    public async Task Web_and_two_workers_greet_and_compute_fib_and_lucas_over_http()
    {
        var web = StartCluster(useDynamo: true);

        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(web + "/hello?greetee=Jim", null)).StatusCode);
        Assert.Equal("""{"status":"ok","result":"Hello, Jim!"}""", await GetWhenDoneAsync(web + "/hello?greetee=Jim"));

        await _http.PostAsync(web + "/calc_and_print?op=fib&n=78&salt=abcd", null);
        await _http.PostAsync(web + "/calc_and_print?op=lucas&n=76&salt=abcd", null);
        Assert.Equal("""{"status":"ok","result":8944394323791464}""", await GetWhenDoneAsync(web + "/calc_and_print?op=fib&n=78&salt=abcd"));
        Assert.Equal("""{"status":"ok","result":7639424778862807}""", await GetWhenDoneAsync(web + "/calc_and_print?op=lucas&n=76&salt=abcd"));
    }

    [Fact]
    public async Task Bad_http_input_gets_the_documented_4xx_and_the_server_keeps_serving()
    {
        var web = StartCluster(useDynamo: false);

        var unknown = await _http.PostAsync(web + "/no_such_task?x=1", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("unknown task", (JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!).ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsync(web + "/hello", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.PostAsync(web + "/fib?n=eleven", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync(web + "/calc_and_print?op=fib")).StatusCode);
        await AssertBadRequestAsync(await _http.PostAsync(web + "/calc_and_print?op=nope&n=1", null), "argument 'op' must be one of fib, lucas, got 'nope'");
        await AssertBadRequestAsync(await _http.GetAsync(web + "/calc_and_print?op=nope&n=1"), "argument 'op' must be one of fib, lucas");
        await AssertBadRequestAsync(await _http.PostAsync(web + "/fib?n=99999999999999999999", null), "argument 'n' must be between");
        await AssertBadRequestAsync(await _http.PostAsync(web + "/calc_and_print?op=lucas&n=-9007199254740992", null), "argument 'n' must be between");
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(web + "/hello?greetee=Nobody")).StatusCode);

        await _http.PostAsync(web + "/hello?greetee=Ann", null);
        Assert.Equal("""{"status":"ok","result":"Hello, Ann!"}""", await GetWhenDoneAsync(web + "/hello?greetee=Ann"));
    }

    [Fact]
    public async Task A_worker_killed_mid_workflow_and_restarted_loses_nothing()
    {
        var (cluster, queue, victim, victimId, salts) = await StartKillableClusterAsync(_configFile);
        var web = cluster.Web;
        victim.Kill();
        var heldByTheDead = await queue.InFlightAsync(victimId);
        var doneWhenKilled = await CountDoneAsync(web, salts);
        Assert.True(heldByTheDead > 0, "the victim held no message when it was killed");
        Assert.True(doneWhenKilled < salts.Length, $"all {salts.Length} roots were done before the kill: make the workload larger");

        // Alone, the survivor finishes more roots and gives the dead worker's messages back to the queue.
        await WaitUntilAsync(
            async () => await queue.InFlightAsync(victimId) == 0 && await CountDoneAsync(web, salts) > doneWhenKilled,
            TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(victimId, await queue.ConsumersAsync());

        Track(DemoProcess.Start(cluster.Environment, "worker", "--config", _configFile));
        await AssertAllDoneAsync(web, salts);
    }

    [Fact]
    public async Task The_messages_of_a_worker_killed_with_sigkill_are_given_back_within_seconds_under_the_default_heartbeat()
    {
        // The workers run with the default brrr.redis liveness settings: this measures what a deployment gets.
        var defaults = RedisBrrrSettings.Default;
        var (cluster, queue, victim, victimId, salts) = await StartKillableClusterAsync(ConfigFile("brrr.poll-timeout = 200ms"));
        var clock = Stopwatch.StartNew();
        victim.Kill();
        var held = await queue.InFlightAsync(victimId);
        Assert.True(held > 0, "the victim held no message when it was killed");

        await WaitUntilAsync(
            async () => await queue.InFlightAsync(victimId) == 0 && !(await queue.ConsumersAsync()).Contains(victimId),
            TimeSpan.FromSeconds(60),
            "the survivor gave the dead worker's messages back");
        var redelivered = clock.Elapsed;
        _output.WriteLine(
            $"SIGKILL to redelivery of {held} message(s): {redelivered.TotalSeconds:0.00} s (heartbeat-interval {defaults.HeartbeatInterval.TotalSeconds} s, " +
            $"heartbeat-ttl {defaults.HeartbeatTtl.TotalSeconds} s, recovery-interval {defaults.RecoveryInterval.TotalSeconds} s)");

        // The time to live plus one scan is the expectation; the bound leaves room for a loaded machine.
        var bound = (defaults.HeartbeatTtl + defaults.RecoveryInterval) * 3;
        Assert.True(redelivered <= bound, $"the dead worker's messages came back after {redelivered.TotalSeconds:0.0} s, more than {bound.TotalSeconds} s");
        await AssertAllDoneAsync(cluster.Web, salts);
    }

    [Fact]
    public async Task A_worker_serves_the_topics_its_config_file_names_unless_the_command_line_names_others()
    {
        var cluster = StartServers(useDynamo: false);
        var config = ConfigFile(WorkerConfig + "\nbrrr.demo.worker-topics = [\"from-hocon\"]");
        var fromHocon = Track(DemoProcess.Start(cluster.Environment, "worker", "--config", config));
        var fromCommandLine = Track(DemoProcess.Start(cluster.Environment, "worker", "--config", config, "--topic", DemoTopic));
        await WaitUntilServingAsync(cluster.Web);

        using var schedule = DemoProcess.Start(cluster.Environment, "schedule", "from-hocon", "hello", "greetee=Hocon");
        Assert.Equal(0, await schedule.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("""{"status":"ok","result":"Hello, Hocon!"}""", await GetWhenDoneAsync(cluster.Web + "/hello?greetee=Hocon"));
        await _http.PostAsync(cluster.Web + "/hello?greetee=Cli", null);
        Assert.Equal("""{"status":"ok","result":"Hello, Cli!"}""", await GetWhenDoneAsync(cluster.Web + "/hello?greetee=Cli"));

        Assert.Contains("serving [from-hocon]", fromHocon.Output, StringComparison.Ordinal);
        Assert.Contains("Hello, Hocon!", fromHocon.Output, StringComparison.Ordinal);
        Assert.Contains($"serving [{DemoTopic}]", fromCommandLine.Output, StringComparison.Ordinal);
        Assert.Contains("Hello, Cli!", fromCommandLine.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_garbage_message_becomes_a_dead_letter_that_monitor_counts_and_reset_flushes_with_the_rest()
    {
        var web = StartCluster(useDynamo: false);
        var cluster = _cleanup.OfType<RedisServer>().Single();
        var environment = new Dictionary<string, string> { ["BRRR_DEMO_REDIS_URL"] = $"redis://127.0.0.1:{cluster.Port}" };
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Configuration);
        var database = redis.GetDatabase();
        await _http.PostAsync(web + "/hello?greetee=Dora", null);
        Assert.Equal("""{"status":"ok","result":"Hello, Dora!"}""", await GetWhenDoneAsync(web + "/hello?greetee=Dora"));

        await database.ListRightPushAsync(RedisLayout.Current.TopicList(DemoTopic), "not a brrr message");
        await WaitUntilAsync(async () => await database.ListLengthAsync(RedisLayout.Current.TopicList(DemoTopic + ":dead-letters")) == 1, TimeSpan.FromSeconds(30));
        var letter = DeadLetter.Parse((await database.ListGetByIndexAsync(RedisLayout.Current.TopicList(DemoTopic + ":dead-letters"), 0)).ToString());
        Assert.Equal("not a brrr message", letter.Message);
        Assert.Equal(typeof(ProtocolException).FullName, letter.ErrorType);

        using (var monitor = DemoProcess.Start(environment, "monitor", "--once"))
        {
            Assert.Equal(0, await monitor.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"{DemoTopic}: waiting 0, in flight 0, dead letters 1", monitor.Output, StringComparison.Ordinal);
        }

        using (var refused = DemoProcess.Start(environment, "reset"))
        {
            Assert.Equal(2, await refused.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(1, await database.ListLengthAsync(RedisLayout.Current.TopicList(DemoTopic + ":dead-letters")));
        }

        using (var reset = DemoProcess.Start(environment, "reset", "--yes"))
        {
            Assert.Equal(0, await reset.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        }

        Assert.Equal(0, await database.ListLengthAsync(RedisLayout.Current.TopicList(DemoTopic + ":dead-letters")));
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(web + "/hello?greetee=Dora")).StatusCode);
        using var read = DemoProcess.Start(environment, "read", "hello", "greetee=Dora");
        Assert.Equal(4, await read.ExitCodeAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Run_fib_30_on_the_embedded_default_prints_832040_and_exits_0()
    {
        using var run = DemoProcess.Start(new Dictionary<string, string>(), "run", "fib", "n=30");
        Assert.Equal(0, await run.ExitCodeAsync(TimeSpan.FromSeconds(120)));

        // A run that takes over a second (a loaded machine) prints a progress line ("... 1.0 s: ...") first: the value is
        // the first line after any progress lines, not the first line of the output (no timing in the assertion).
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines.TakeWhile(line => !line.StartsWith("832040", StringComparison.Ordinal)), line => Assert.StartsWith("... ", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("832040", StringComparison.Ordinal));
        Assert.Contains("distinct calls: 31", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_progress_is_one_line_rewritten_in_place_on_a_terminal()
    {
        using var run = DemoProcess.StartInTerminal(FastProgress, "run", "fib", $"n={SlowFib}");
        Assert.Equal(0, await run.ExitCodeAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains("\r... ", run.Output, StringComparison.Ordinal);
        Assert.Contains(" calls done", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\n... ", run.Output, StringComparison.Ordinal);
        Assert.Contains($"\n{SlowFibDigits}", "\n" + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_progress_is_one_plain_line_per_second_when_stderr_is_not_a_terminal()
    {
        using var run = DemoProcess.Start(FastProgress, "run", "fib", $"n={SlowFib}");
        Assert.Equal(0, await run.ExitCodeAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains("\n... ", "\n" + run.Output, StringComparison.Ordinal);
        Assert.Contains(" calls done", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", run.Output, StringComparison.Ordinal);
        Assert.Contains($"\n{SlowFibDigits}", "\n" + run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "run" }, "run needs a task name")]
    [InlineData(new[] { "run", "fib", "n" }, "bad argument 'n': expected k=v")]
    [InlineData(new[] { "run", "fib", "n=x" }, "argument 'n' must be a whole number")]
    [InlineData(new[] { "run", "fib", "n=99999999999999999999" }, "argument 'n' must be between -9007199254740991 and 9007199254740991")]
    [InlineData(new[] { "run", "calc_and_print", "op=nope", "n=10" }, "argument 'op' must be one of fib, lucas, got 'nope'")]
    [InlineData(new[] { "schedule", "brrr-cs-demo", "calc_and_print", "op=nope", "n=10" }, "argument 'op' must be one of fib, lucas, got 'nope'")]
    [InlineData(new[] { "run", "fib", "n=5000" }, "over the spawn limit of 10000 jobs per root (brrr.spawn-limit): n must be at most 2000")]
    [InlineData(new[] { "run", "hello" }, "missing argument 'greetee'")]
    [InlineData(new[] { "run", "nope", "x=1" }, "unknown task 'nope'")]
    [InlineData(new[] { "schedule", "brrr-cs-demo", "fib", "n=5000" }, "over the spawn limit of 10000 jobs per root (brrr.spawn-limit): n must be at most 2000")]
    [InlineData(new[] { "schedule", "brrr-cs-demo", "fib", "n=+5" }, "argument 'n' must be a whole number in canonical form")]
    [InlineData(new[] { "read", "fib", "n=10", "x=1" }, "unknown argument 'x': fib takes n, [salt]")]
    [InlineData(new[] { "read", "fib", "n=1", "n=2" }, "argument 'n' given more than once")]
    [InlineData(new[] { "worker" }, "BRRR_DEMO_REDIS_URL must look like redis://[[user]:***@]host:6379[/db], got 'http://:***@127.0.0.1:6379'", "http://:hidden-pw@127.0.0.1:6379")]
    [InlineData(new[] { "worker" }, "BRRR_DEMO_REDIS_URL is not set")]
    [InlineData(new[] { "worker", "--config", "/nonexistent/brrr.conf" }, "cannot read --config /nonexistent/brrr.conf")]
    [InlineData(new[] { "worker" }, "cannot reach Redis at redis://127.0.0.1:", ClosedPortRedis)]
    public async Task Command_line_mistakes_get_one_clear_line_and_a_non_zero_exit(string[] args, string message, string redisUrl = "")
    {
        var environment = new Dictionary<string, string> { ["BRRR_DEMO_REDIS_URL"] = redisUrl == ClosedPortRedis ? $"redis://127.0.0.1:{FreePort()}" : redisUrl };
        using var run = DemoProcess.Start(environment, args);
        Assert.Equal(2, await run.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        var output = run.Output.Trim();
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden-pw", output, StringComparison.Ordinal);

        // A run that takes long enough prints progress lines before the error.
        Assert.Single(output.Split('\n'), line => !line.StartsWith("... ", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            item.Dispose();
        }

        _http.Dispose();
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }

    private string ConfigFile(string hocon)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, hocon);
        _files.Add(path);
        return path;
    }

    private string StartCluster(bool useDynamo)
    {
        var cluster = StartServers(useDynamo);
        Track(DemoProcess.Start(cluster.Environment, "worker", "--config", _configFile));
        Track(DemoProcess.Start(cluster.Environment, "worker", "--config", _configFile));
        WaitUntilServingAsync(cluster.Web).GetAwaiter().GetResult();
        return cluster.Web;
    }

    private Servers StartServers(bool useDynamo, IReadOnlyList<string>? redisArguments = null, string redisUserInfo = "")
    {
        var redis = Track(RedisServer.Start(extraArguments: redisArguments));
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["BRRR_DEMO_REDIS_URL"] = $"redis://{redisUserInfo}127.0.0.1:{redis.Port}",
            ["BRRR_DEMO_LISTEN_HOST"] = "127.0.0.1",
            ["BRRR_DEMO_LISTEN_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (useDynamo)
        {
            environment["AWS_ENDPOINT_URL"] = _dynalite.ServiceUrl.ToString();
            environment["AWS_REGION"] = "us-east-1";
            environment["AWS_ACCESS_KEY_ID"] = "dummy";
            environment["AWS_SECRET_ACCESS_KEY"] = "dummy";
            environment["DYNAMODB_TABLE_NAME"] = "demo-" + Guid.NewGuid().ToString("N");
        }

        var web = Track(DemoProcess.Start(environment, "web"));
        return new Servers($"http://127.0.0.1:{port}", environment, redis, web);
    }

    private static async Task AssertBadRequestAsync(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(error, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.ToString(), StringComparison.Ordinal);
    }

    private async Task WaitUntilServingAsync(string web) =>
        await WaitUntilAsync(async () =>
        {
            try
            {
                return (await _http.GetAsync(web + "/hello?greetee=probe")).StatusCode == HttpStatusCode.NotFound;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));

    private async Task<string> GetWhenDoneAsync(string url, TimeSpan? timeout = null)
    {
        string? body = null;
        var status = HttpStatusCode.NotFound;
        try
        {
            await Eventually.HoldsAsync(
                async () =>
                {
                    var response = await _http.GetAsync(url);
                    status = response.StatusCode;
                    body = status == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
                    return body is not null;
                },
                $"{url} answers 200",
                timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{url} answered {(int)status} until the deadline; processes said:\n{string.Join("\n---\n", _cleanup.OfType<DemoProcess>().Select(p => p.Output))}", e);
        }

        return body!;
    }

    /// <summary>
    /// Redis, the web, a survivor and a victim worker (both with <paramref name="config"/>), and 20 fib roots posted;
    /// returns once the victim holds messages, ready to be killed.
    /// </summary>
    private async Task<(Servers Cluster, RedisQueueProbe Queue, DemoProcess Victim, string VictimId, string[] Salts)> StartKillableClusterAsync(string config)
    {
        var cluster = StartServers(useDynamo: false);
        var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Configuration);
        _cleanup.Add(redis);
        var queue = new RedisQueueProbe(redis.GetDatabase(), DemoTopic);
        Track(DemoProcess.Start(cluster.Environment, "worker", "--config", config));
        await WaitUntilAsync(async () => (await queue.ConsumersAsync()).Length == 1, TimeSpan.FromSeconds(60), "the first worker registered");
        var survivorId = (await queue.ConsumersAsync()).Single();
        var victim = Track(DemoProcess.Start(cluster.Environment, "worker", "--config", config));
        await WaitUntilAsync(async () => (await queue.ConsumersAsync()).Length == 2, TimeSpan.FromSeconds(60), "the second worker registered");
        var victimId = (await queue.ConsumersAsync()).Single(id => id != survivorId);
        await WaitUntilServingAsync(cluster.Web);

        var salts = Enumerable.Range(0, 20).Select(i => $"kill-{i}").ToArray();
        foreach (var salt in salts)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync($"{cluster.Web}/fib?n=78&salt={salt}", null)).StatusCode);
        }

        // The victim is to be killed while it holds messages; its in-flight list stays as it was until its heartbeat expires.
        await WaitUntilAsync(async () => await queue.InFlightAsync(victimId) > 0, TimeSpan.FromSeconds(30), "the victim holds messages");
        return (cluster, queue, victim, victimId, salts);
    }

    private async Task AssertAllDoneAsync(string web, IEnumerable<string> salts)
    {
        foreach (var salt in salts)
        {
            Assert.Equal("""{"status":"ok","result":8944394323791464}""", await GetWhenDoneAsync($"{web}/fib?n=78&salt={salt}", TimeSpan.FromSeconds(120)));
        }
    }

    private async Task<int> CountDoneAsync(string web, IEnumerable<string> salts)
    {
        var done = 0;
        foreach (var salt in salts)
        {
            if ((await _http.GetAsync($"{web}/fib?n=78&salt={salt}")).StatusCode == HttpStatusCode.OK)
            {
                done++;
            }
        }

        return done;
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what = "the condition") =>
        Eventually.HoldsAsync(condition, what, timeout);

    private T Track<T>(T item)
        where T : IDisposable
    {
        _cleanup.Add(item);
        return item;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The web's base URL, the environment of the demo processes, the Redis they share, and the web's process.</summary>
    private sealed record Servers(string Web, Dictionary<string, string> Environment, RedisServer Redis, DemoProcess WebProcess);
}
