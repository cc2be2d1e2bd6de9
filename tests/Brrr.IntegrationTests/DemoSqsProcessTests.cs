using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Brrr.Backends;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Sqs;

namespace Brrr.IntegrationTests;

/// <summary>
/// The demo with <c>BRRR_DEMO_QUEUE=sqs</c>: one web and two workers on a real fauxqs (the queue) and a real dynalite
/// (the store and the cache), with no Redis at all (BRRR_DEMO_REDIS_URL names a port nothing listens on), driven over HTTP.
/// </summary>
public sealed class DemoSqsProcessTests(DynaliteServer dynalite, FauxqsServer fauxqs) : IClassFixture<DynaliteServer>, IClassFixture<FauxqsServer>, IDisposable
{
    private const string DemoTopic = "brrr-cs-demo";
    private const string Secret = "not-to-be-printed-8f3a";
    private const string Fib78 = "8944394323791464";
    private const string NeedsRedis = "run the brrr tool, which needs Redis: not available with BRRR_DEMO_QUEUE=sqs (SQS + DynamoDB mode)";

    private readonly List<DemoProcess> _processes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _prefix = "demo-" + Guid.NewGuid().ToString("N")[..12] + "-";
    private string? _configFile;

    [Fact]
    public async Task Web_and_two_workers_on_sqs_and_dynamodb_without_redis_compute_fib_and_calc_and_print_over_http()
    {
        var (web, environment) = await StartClusterAsync();

        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(web + "/fib?n=78", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(web + "/calc_and_print?op=lucas&n=76&salt=sqs", null)).StatusCode);
        Assert.Equal($$"""{"status":"ok","result":{{Fib78}}}""", await GetWhenDoneAsync(web + "/fib?n=78"));
        Assert.Equal("""{"status":"ok","result":7639424778862807}""", await GetWhenDoneAsync(web + "/calc_and_print?op=lucas&n=76&salt=sqs"));
        Assert.Contains(_processes, p => p.Output.Contains("lucas(76) = 7639424778862807", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(web + "/healthz")).StatusCode);
        var dashboard = await _http.GetAsync(web + "/brrr/");
        Assert.Equal(HttpStatusCode.NotImplemented, dashboard.StatusCode);
        Assert.Contains("BRRR_DEMO_QUEUE=sqs", JsonNode.Parse(await dashboard.Content.ReadAsStringAsync())!["error"]!.ToString(), StringComparison.Ordinal);

        using (var schedule = DemoProcess.Start(environment, "schedule", DemoTopic, "fib", "n=5"))
        {
            Assert.Equal(2, await schedule.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains(NeedsRedis, schedule.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", schedule.Output, StringComparison.Ordinal);
        }

        Assert.All(_processes.Skip(1), worker => Assert.Contains("queue: sqs, store and cache: dynamodb table", worker.Output, StringComparison.Ordinal));
        Assert.All(_processes, process => Assert.DoesNotContain(Secret, process.Output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_worker_killed_with_sigkill_mid_workflow_leaves_its_messages_to_the_other_worker_after_the_visibility_timeout()
    {
        var (web, _) = await StartClusterAsync();
        var victim = _processes[^1];
        var salts = Enumerable.Range(0, 12).Select(i => $"kill-{i}").ToArray();
        foreach (var salt in salts)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync($"{web}/calc_and_print?op=fib&n=78&salt={salt}", null)).StatusCode);
        }

        // Killed once it has finished a root of its own, so it is serving, at a moment when messages are held.
        await using var queue = SqsQueue.Create(
            SqsQueueSettings.Default with { ServiceUrl = fauxqs.ServiceUrl, Region = "us-east-1", QueueNamePrefix = _prefix },
            new BasicAWSCredentials("dummy", "dummy"));
        await Eventually.HoldsAsync(
            async () => victim.Output.Contains($"fib(78) = {Fib78}", StringComparison.Ordinal) && (await queue.GetStatsAsync(DemoTopic)).InFlight > 0,
            "the victim finished a root while messages were in flight",
            TimeSpan.FromSeconds(120));
        victim.Kill();
        var doneWhenKilled = await CountDoneAsync(web, salts);
        Assert.True(doneWhenKilled < salts.Length, $"all {salts.Length} roots were done before the kill: make the workload larger");

        foreach (var salt in salts)
        {
            Assert.Equal($$"""{"status":"ok","result":{{Fib78}}}""", await GetWhenDoneAsync($"{web}/calc_and_print?op=fib&n=78&salt={salt}", TimeSpan.FromSeconds(120)));
        }

        await Eventually.HoldsAsync(
            async () => await queue.GetStatsAsync(DemoTopic) == new QueueStats(DemoTopic, 0, 0),
            "every message was deleted, the victim's too",
            TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_web_answers_503_naming_sqs_when_the_sqs_endpoint_is_down_and_keeps_reading_from_dynamodb()
    {
        var closed = $"http://127.0.0.1:{FreePort()}/";
        var (web, _) = await StartClusterAsync(workers: 0, sqsEndpoint: closed, config: "brrr.sqs.max-error-retries = 0");

        var down = await _http.PostAsync(web + "/fib?n=5", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal($"SQS at {closed} is unreachable", JsonNode.Parse(await down.Content.ReadAsStringAsync())!["error"]!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(web + "/fib?n=5")).StatusCode);
    }

    [Theory]
    [InlineData("sqs", new[] { "read", "fib", "n=5" }, NeedsRedis)]
    [InlineData("sqs", new[] { "monitor", "--once" }, NeedsRedis)]
    [InlineData("sqs", new[] { "reset", "--yes" }, NeedsRedis)]
    [InlineData("sqs", new[] { "cancel", "0123456789abcdef0123456789abcdef" }, NeedsRedis)]
    [InlineData("kafka", new[] { "worker" }, "BRRR_DEMO_QUEUE must be redis or sqs, got 'kafka'")]
    public async Task Commands_the_sqs_mode_cannot_run_and_an_unknown_queue_get_one_clear_line_and_exit_2(string queue, string[] args, string message)
    {
        var environment = new Dictionary<string, string> { ["BRRR_DEMO_QUEUE"] = queue, ["AWS_SECRET_ACCESS_KEY"] = Secret };
        using var run = DemoProcess.Start(environment, args);

        Assert.Equal(2, await run.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        var output = run.Output.Trim();
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n'));
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            process.Dispose();
        }

        _http.Dispose();
        if (_configFile is not null)
        {
            File.Delete(_configFile);
        }
    }

    /// <summary>
    /// The web and <paramref name="workers"/> workers in SQS mode, on a fresh table and queues (SQS at
    /// <paramref name="sqsEndpoint"/>, fauxqs by default; <paramref name="config"/> added to their HOCON); returns once
    /// the web answers and the workers serve.
    /// </summary>
    private async Task<(string Web, Dictionary<string, string> Environment)> StartClusterAsync(int workers = 2, string? sqsEndpoint = null, string config = "")
    {
        _configFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(_configFile, $$"""
            brrr.poll-timeout = 200ms
            brrr.sqs { visibility-timeout = 5s, queue-name-prefix = "{{_prefix}}" }
            {{config}}
            """);
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["BRRR_DEMO_QUEUE"] = "sqs",
            ["BRRR_DEMO_REDIS_URL"] = $"redis://127.0.0.1:{FreePort()}",
            ["BRRR_DEMO_LISTEN_HOST"] = "127.0.0.1",
            ["BRRR_DEMO_LISTEN_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9",
            ["AWS_ENDPOINT_URL_SQS"] = sqsEndpoint ?? fauxqs.ServiceUrl.ToString(),
            ["AWS_ENDPOINT_URL_DYNAMODB"] = dynalite.ServiceUrl.ToString(),
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "dummy",
            ["AWS_SECRET_ACCESS_KEY"] = Secret,
            ["DYNAMODB_TABLE_NAME"] = _prefix + "table",
        };
        var web = $"http://127.0.0.1:{port}";
        _processes.Add(DemoProcess.Start(environment, "web", "--config", _configFile));
        for (var i = 0; i < workers; i++)
        {
            _processes.Add(DemoProcess.Start(environment, "worker", "--config", _configFile));
        }

        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    return (await _http.GetAsync(web + "/hello?greetee=probe")).StatusCode == HttpStatusCode.NotFound;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the web answers",
            TimeSpan.FromSeconds(60));
        foreach (var worker in _processes.Skip(1))
        {
            Assert.True(await worker.WaitForOutputAsync("brrr-demo worker: serving", TimeSpan.FromSeconds(60)), worker.Output);
        }

        return (web, environment);
    }

    private async Task<string> GetWhenDoneAsync(string url, TimeSpan? timeout = null)
    {
        string? body = null;
        try
        {
            await Eventually.HoldsAsync(
                async () =>
                {
                    var response = await _http.GetAsync(url);
                    body = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
                    return body is not null;
                },
                $"{url} answers 200",
                timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{url} never answered 200; processes said:\n{string.Join("\n---\n", _processes.Select(p => p.Output))}", e);
        }

        return body!;
    }

    private async Task<int> CountDoneAsync(string web, IEnumerable<string> salts)
    {
        var done = 0;
        foreach (var salt in salts)
        {
            if ((await _http.GetAsync($"{web}/calc_and_print?op=fib&n=78&salt={salt}")).StatusCode == HttpStatusCode.OK)
            {
                done++;
            }
        }

        return done;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
