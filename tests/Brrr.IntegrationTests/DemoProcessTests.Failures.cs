using System.Net;
using System.Text.Json.Nodes;
using Brrr.Contracts;

namespace Brrr.IntegrationTests;

/// <summary>The demo's failing workflow: boom over HTTP, the command line's read, and run.</summary>
public sealed partial class DemoProcessTests
{
    [Fact]
    public async Task A_boom_workflow_scheduled_over_http_reads_as_failed_over_http_and_the_command_line_within_seconds()
    {
        var cluster = StartServers(useDynamo: false);
        Track(DemoProcess.Start(cluster.Environment, "worker", "--config", _configFile));
        await WaitUntilServingAsync(cluster.Web);

        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(cluster.Web + "/boom?message=kaput&depth=3", null)).StatusCode);
        var body = JsonNode.Parse(await GetWhenDoneAsync(cluster.Web + "/boom?message=kaput&depth=3", TimeSpan.FromSeconds(30)))!;

        Assert.Equal("failed", body["status"]!.GetValue<string>());
        Assert.Equal("kaput", body["error"]!.GetValue<string>());
        var chain = body["chain"]!.AsArray();
        Assert.Equal(4, chain.Count);
        Assert.All(chain, link => Assert.Equal("boom", link!["task"]!.GetValue<string>()));
        Assert.Equal("kaput", chain[0]!["message"]!.GetValue<string>());
        using var read = DemoProcess.Start(cluster.Environment, "read", "boom", "message=kaput", "depth=3");
        Assert.Equal(3, await read.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.StartsWith("failed: boom: kaput", read.Output, StringComparison.Ordinal);
        Assert.Contains("""boom {"depth":"0","message":"kaput"}: System.InvalidOperationException: kaput""", read.Output, StringComparison.Ordinal);

        // retry runs it again under a new root (it fails again: boom always does), and leaves a computed call alone.
        var failedAt = body["failed_at"]!.GetValue<string>();
        using (var retry = DemoProcess.Start(cluster.Environment, "retry", "brrr-cs-demo", "boom", "message=kaput", "depth=3"))
        {
            Assert.Equal(0, await retry.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("retried boom on brrr-cs-demo (root ", retry.Output, StringComparison.Ordinal);
        }

        await Eventually.HoldsAsync(
            async () => await _http.GetAsync(cluster.Web + "/boom?message=kaput&depth=3") is { StatusCode: HttpStatusCode.OK } again
                && JsonNode.Parse(await again.Content.ReadAsStringAsync())!["failed_at"]?.GetValue<string>() is { } at && at != failedAt,
            "the retried workflow failed again, later", TimeSpan.FromSeconds(30));

        await _http.PostAsync(cluster.Web + "/hello?greetee=Ret", null);
        await GetWhenDoneAsync(cluster.Web + "/hello?greetee=Ret");
        using var done = DemoProcess.Start(cluster.Environment, "retry", "brrr-cs-demo", "hello", "greetee=Ret");
        Assert.Equal(0, await done.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("hello has a value already: nothing to retry", done.Output, StringComparison.Ordinal);
        using var bad = DemoProcess.Start(cluster.Environment, "retry", "brrr-cs-demo", "boom", "message=kaput");
        Assert.Equal(2, await bad.ExitCodeAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Run_boom_prints_the_failure_chain_from_depth_0_to_depth_3_and_exits_non_zero()
    {
        using var run = DemoProcess.Start(new Dictionary<string, string>(), "run", "boom", "message=kaput", "depth=3");

        Assert.Equal(1, await run.ExitCodeAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains("failed: boom: kaput", run.ErrorOutput, StringComparison.Ordinal);
        var depths = run.ErrorOutput.Split('\n').Where(l => l.Contains("boom {", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l[l.IndexOf('{', StringComparison.Ordinal)..(l.IndexOf('}', StringComparison.Ordinal) + 1)])!["depth"]!.GetValue<string>());
        Assert.Equal(["0", "1", "2", "3"], depths);
    }
}
