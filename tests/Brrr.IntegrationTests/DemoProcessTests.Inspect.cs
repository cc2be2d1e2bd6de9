using System.Net;
using System.Text.Json.Nodes;
using Brrr.Contracts;

namespace Brrr.IntegrationTests;

public sealed partial class DemoProcessTests
{
    // boom fails at once; its next attempt waits out a backoff of two minutes while the worker holds its message (a
    // backoff shorter than brrr.delayed.poll-interval is waited in the runner slot, not in the queue).
    private const string HoldingWorkerConfig = """
        brrr.poll-timeout = 200ms
        brrr.delayed.poll-interval = 5m
        brrr.task-attempts = 3
        brrr.retry-backoff-min = 120s
        brrr.retry-backoff-max = 120s
        brrr.redis { heartbeat-interval = 300ms, heartbeat-ttl = 1500ms }
        """;

    [Fact]
    public async Task A_call_held_by_a_worker_killed_with_sigkill_reads_held_then_stalled_through_the_webs_admin_api()
    {
        var servers = StartServers(useDynamo: false);
        var worker = Track(DemoProcess.Start(servers.Environment, "worker", "--config", ConfigFile(HoldingWorkerConfig)));
        await WaitUntilServingAsync(servers.Web);
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(servers.Web + "/boom?message=kaput&depth=0", null)).StatusCode);
        var inspect = servers.Web + "/brrr/api/inspect?task=boom&args=" + Uri.EscapeDataString(new JsonObject { ["message"] = "kaput", ["depth"] = "0" }.ToJsonString());

        JsonNode report = new JsonObject();
        await WaitUntilAsync(
            async () => (string?)(report = await GetJsonAsync(inspect))["root"]!["state"] == "held",
            TimeSpan.FromSeconds(60),
            "the worker holds boom while it waits to retry");
        Assert.StartsWith("in progress: 0 calls queued, 1 running", (string)report["verdict"]!, StringComparison.Ordinal);
        Assert.Contains("(alive", (string)report["root"]!["detail"]!, StringComparison.Ordinal);
        var consumer = (string?)Assert.Single(report["root"]!["jobs"]!.AsArray())!["consumer_id"];
        Assert.NotNull(consumer);

        worker.Kill();
        await WaitUntilAsync(
            async () => ((string?)(report = await GetJsonAsync(inspect))["verdict"])?.StartsWith("stalled:", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(60),
            "the inspector sees the holder's heartbeat expire");
        Assert.Equal(
            $"stalled: boom {{\"depth\":\"0\",\"message\":\"kaput\"}} is held by consumer {consumer} of topic {DemoTopic}, whose heartbeat expired; a live consumer of the topic gives it back",
            (string)report["verdict"]!);
        using var purge = await _http.PostAsync(servers.Web + "/brrr/api/dead-letters/purge", new StringContent("""{"all":true}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(purge.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"the demo maps no admin action, yet purge answered {purge.StatusCode}");
    }

    private async Task<JsonNode> GetJsonAsync(string url)
    {
        using var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }
}
