using System.Numerics;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.DynamoDb;
using Brrr.Redis;

namespace Brrr.IntegrationTests;

/// <summary>
/// The README's samples run as a newcomer runs them: the hosted worker of "Embedding a worker with Akka.Hosting"
/// (samples/Brrr.Samples.Worker, the shape of <c>dotnet new worker</c>) and the OpenTelemetry wiring of "Metrics and
/// traces" (samples/Brrr.Samples.Telemetry), each as its own built process on the in-memory default; and the same
/// section's worker on Redis and DynamoDB (samples/Brrr.ReadmeSamples), against a real redis-server and dynalite.
/// </summary>
public sealed partial class SampleProcessTests(DynaliteServer dynalite) : IClassFixture<DynaliteServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_hosted_worker_sample_computes_fib_25_and_stops_gracefully_on_SIGTERM()
    {
        using var worker = DemoProcess.StartSample("Brrr.Samples.Worker", new Dictionary<string, string>());

        Assert.True(await worker.WaitForOutputAsync("fib(25) = 75025", Patience), worker.Output);
        worker.Terminate();

        Assert.Equal(0, await worker.ExitCodeAsync(Patience));
        Assert.Contains("brrr: worker worker-1 stopped", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hosted_worker_sample_takes_its_brrr_settings_from_the_environment_as_from_appsettings()
    {
        using var worker = DemoProcess.StartSample("Brrr.Samples.Worker", new Dictionary<string, string> { ["Brrr__SpawnLimit"] = "10" });

        Assert.True(await worker.WaitForOutputAsync("Spawn limit of 10 jobs reached", Patience), worker.Output);
        Assert.DoesNotContain("fib(25) = 75025", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_telemetry_sample_exports_one_workflow_as_one_trace()
    {
        using var sample = DemoProcess.StartSample("Brrr.Samples.Telemetry", new Dictionary<string, string>());

        Assert.Equal(0, await sample.ExitCodeAsync(Patience));
        Assert.Contains("fib(10) = 55", sample.Output, StringComparison.Ordinal);
        var activities = ExportedActivity().Matches(sample.Output).Select(m => (Trace: m.Groups["trace"].Value, Name: m.Groups["name"].Value)).ToList();
        var workflow = activities.Where(a => a.Name is "brrr.schedule" or "brrr.call").ToList();
        Assert.Single(workflow, a => a.Name == "brrr.schedule");
        Assert.True(workflow.Count(a => a.Name == "brrr.call") >= 11, sample.Output);   // fib(10) has 11 distinct calls
        Assert.Single(workflow.Select(a => a.Trace).Distinct());
    }

    [Fact]
    public async Task The_redis_and_dynamodb_worker_sample_serves_fib_from_a_redis_queue_and_a_dynamodb_store()
    {
        using var redis = RedisServer.Start();
        using var worker = DemoProcess.StartSample("Brrr.ReadmeSamples", new Dictionary<string, string>
        {
            // The connection string the sample reads, and the AWS SDK's own chain for DynamoDB, as in production.
            ["ConnectionStrings__redis"] = redis.Configuration,
            ["AWS_ENDPOINT_URL"] = dynalite.ServiceUrl.ToString(),
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ACCESS_KEY_ID"] = "dummy",
            ["AWS_SECRET_ACCESS_KEY"] = "dummy",
        });
        Assert.True(await worker.WaitForOutputAsync("brrr: worker worker-1 serves topic fib-topic with tasks [fib], parallelism 16", Patience), worker.Output);

        // A plain client on the same Redis queue and the DynamoDB table the sample names: the value is found only
        // where the sample's worker stores it.
        await using var backends = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = redis.Configuration });
        using var store = DynamoDbStore.Create(DynamoDbStoreSettings.Default with { ServiceUrl = dynalite.ServiceUrl, Region = "us-east-1", TableName = "brrr" }, new BasicAWSCredentials("dummy", "dummy"));
        var client = new BrrrClient(store, backends.Cache, backends.Queue, JsonCodec.Default);
        var args = new MyApp.FibArgs(20, Guid.NewGuid().ToString("N"));
        await client.ScheduleAsync(MyApp.Fib.Task, args, "fib-topic");

        Assert.Equal(new BigInteger(6765), await client.WaitAsync(MyApp.Fib.Task, args, Patience));
        var onRedis = new BrrrClient(backends.Store, backends.Cache, backends.Queue, JsonCodec.Default);
        Assert.False((await onRedis.ReadAsync(MyApp.Fib.Task, args)).Found);   // store: false keeps the values off Redis
        worker.Terminate();
        Assert.Equal(0, await worker.ExitCodeAsync(Patience));
        Assert.Contains("brrr: worker worker-1 stopped", worker.Output, StringComparison.Ordinal);
    }

    /// <summary>An activity as the OpenTelemetry console exporter prints it: its trace id, then (lines later) its name.</summary>
    [GeneratedRegex(@"Activity\.TraceId:\s+(?<trace>[0-9a-f]{32})\s*\n(?:.*\n)*?Activity\.DisplayName:\s+(?<name>\S+)")]
    private static partial Regex ExportedActivity();
}
