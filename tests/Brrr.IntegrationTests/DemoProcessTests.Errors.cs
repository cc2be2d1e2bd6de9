using System.Net;
using System.Text.Json.Nodes;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;

namespace Brrr.IntegrationTests;

/// <summary>The demo's processes on bad input, backends that fail, credentials and help.</summary>
public sealed partial class DemoProcessTests
{
    private const string RedisPassword = "tr0ub4dor-and-3";

    [Fact]
    public async Task The_command_line_and_http_give_the_same_call_for_the_same_arguments()
    {
        var cluster = StartServers(useDynamo: false);
        Track(DemoProcess.Start(cluster.Environment, "worker", "--config", _configFile));
        await WaitUntilServingAsync(cluster.Web);

        // HTTP schedules, the command line reads.
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync(cluster.Web + "/fib?n=10&salt=same-call", null)).StatusCode);
        Assert.Equal("""{"status":"ok","result":55}""", await GetWhenDoneAsync(cluster.Web + "/fib?n=10&salt=same-call"));
        using (var read = DemoProcess.Start(cluster.Environment, "read", "fib", "n=10", "salt=same-call"))
        {
            Assert.Equal(0, await read.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("55", read.Output.Trim());
        }

        // The command line schedules the call the codec makes of the HTTP arguments, and HTTP reads it.
        using var schedule = DemoProcess.Start(cluster.Environment, "schedule", DemoTopic, "fib", "n=12", "salt=same-call");
        Assert.Equal(0, await schedule.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        var hash = JsonCodec.Default.EncodeCall("fib", new JsonObject { ["n"] = "12", ["salt"] = "same-call" }).CallHash;
        Assert.Contains($"scheduled fib on {DemoTopic} (call {hash}, root ", schedule.Output, StringComparison.Ordinal);
        Assert.Equal("""{"status":"ok","result":144}""", await GetWhenDoneAsync(cluster.Web + "/fib?n=12&salt=same-call"));
    }

    [Fact]
    public async Task Every_http_error_has_a_problem_body_that_says_what_is_wrong()
    {
        var web = StartServers(useDynamo: false).Web;
        await WaitUntilServingAsync(web);

        await AssertProblemAsync(await _http.PostAsync(web + "/fib?n=9007199254740991", null), HttpStatusCode.BadRequest,
            "over the spawn limit of 10000 jobs per root (brrr.spawn-limit): n must be at most 2000");
        await AssertProblemAsync(await _http.PostAsync(web + "/calc_and_print?op=lucas&n=1998&salt=x", null), HttpStatusCode.BadRequest, "n must be at most 1997");
        await AssertProblemAsync(await _http.PostAsync(web + "/fib?n=00005", null), HttpStatusCode.BadRequest, "argument 'n' must be a whole number in canonical form");
        await AssertProblemAsync(await _http.PostAsync(web + "/fib?n=-0", null), HttpStatusCode.BadRequest, "got '-0'");
        await AssertProblemAsync(await _http.PostAsync(web + "/fib?n=5&n=6", null), HttpStatusCode.BadRequest, "argument 'n' given more than once");
        await AssertProblemAsync(await _http.PostAsync(web + "/hello?greetee=Jim&salt=x", null), HttpStatusCode.BadRequest, "unknown argument 'salt'");
        await AssertProblemAsync(await _http.GetAsync(web + "/nope?x=1"), HttpStatusCode.NotFound, "unknown task 'nope'");
        await AssertProblemAsync(await _http.GetAsync(web + "/a/b/c"), HttpStatusCode.NotFound, "no route for GET /a/b/c");
        await AssertProblemAsync(await _http.PutAsync(web + "/hello?greetee=Jim", null), HttpStatusCode.MethodNotAllowed, "PUT is not allowed");
        await AssertProblemAsync(await _http.GetAsync(web + "/hello?greetee=" + new string('a', 20_000)), HttpStatusCode.RequestUriTooLong,
            "the request target is longer than 8192 characters");
    }

    [Fact]
    public async Task The_web_answers_503_naming_redis_but_not_its_password_when_redis_is_down()
    {
        var cluster = StartServers(useDynamo: false, ["--requirepass", RedisPassword], $":{RedisPassword}@");
        await WaitUntilServingAsync(cluster.Web);

        cluster.Redis.Kill();
        foreach (var response in new[] { await _http.PostAsync(cluster.Web + "/hello?greetee=Down", null), await _http.GetAsync(cluster.Web + "/hello?greetee=Down") })
        {
            var body = await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, $"Redis at 127.0.0.1:{cluster.Redis.Port} is unreachable");
            Assert.DoesNotContain(RedisPassword, body, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(RedisPassword, cluster.WebProcess.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redis_acl_user_in_the_url_serves_the_web_the_workers_and_the_client_commands()
    {
        string[] acl = ["--user", "default", "off", "--user", "alice", "on", $">{RedisPassword}", "~*", "&*", "+@all"];
        var cluster = StartServers(useDynamo: false, acl, $"alice:{RedisPassword}@");
        Track(DemoProcess.Start(cluster.Environment, "worker", "--config", _configFile));
        await WaitUntilServingAsync(cluster.Web);

        using var schedule = DemoProcess.Start(cluster.Environment, "schedule", DemoTopic, "hello", "greetee=Alice");
        Assert.Equal(0, await schedule.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("""{"status":"ok","result":"Hello, Alice!"}""", await GetWhenDoneAsync(cluster.Web + "/hello?greetee=Alice"));
        using var read = DemoProcess.Start(cluster.Environment, "read", "hello", "greetee=Alice");
        Assert.Equal(0, await read.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("\"Hello, Alice!\"", read.Output.Trim());
    }

    [Fact]
    public async Task Refused_credentials_are_reported_as_such_and_no_failing_command_prints_the_password()
    {
        var redis = Track(RedisServer.Start(extraArguments: ["--requirepass", RedisPassword]));
        var wrong = $"redis://alice:{RedisPassword}-not@127.0.0.1:{redis.Port}";
        // The client commands are the brrr tool's, and exit as it does when a backend cannot be reached (5); worker and web exit 2.
        (string[] Args, int Exit)[] commands = [(["read", "hello", "greetee=x"], 5), (["schedule", DemoTopic, "hello", "greetee=x", "--verbose"], 5), (["worker"], 2), (["web"], 2)];
        foreach (var (args, exit) in commands)
        {
            using var refused = DemoProcess.Start(new Dictionary<string, string> { ["BRRR_DEMO_REDIS_URL"] = wrong }, args);
            Assert.Equal(exit, await refused.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"Redis at 127.0.0.1:{redis.Port} refused the credentials", refused.Output, StringComparison.Ordinal);
            Assert.Contains("redis://alice:***@127.0.0.1:", refused.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(RedisPassword, refused.Output, StringComparison.Ordinal);
        }

        using var unreachable = DemoProcess.Start(
            new Dictionary<string, string> { ["BRRR_DEMO_REDIS_URL"] = $"redis://:{RedisPassword}@127.0.0.1:{FreePort()}" }, "read", "hello", "greetee=x", "--verbose");
        Assert.Equal(5, await unreachable.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("cannot reach Redis at redis://:***@127.0.0.1:", unreachable.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(RedisPassword, unreachable.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("web")]
    [InlineData("worker")]
    [InlineData("schedule")]
    [InlineData("read")]
    [InlineData("monitor")]
    [InlineData("reset")]
    public async Task Each_command_prints_its_help_for_help_and_exits_0(string command)
    {
        using var help = DemoProcess.Start(new Dictionary<string, string>(), command, "--help");
        Assert.Equal(0, await help.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.StartsWith($"usage: brrr-demo {command} ", help.Output, StringComparison.Ordinal);
        Assert.Empty(help.ErrorOutput);
    }

    [Fact]
    public async Task No_arguments_print_the_usage_on_stderr_and_exit_2_and_help_prints_it_on_stdout_and_exits_0()
    {
        using (var none = DemoProcess.Start(new Dictionary<string, string>()))
        {
            Assert.Equal(2, await none.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.StartsWith("usage: brrr-demo <command>", none.ErrorOutput, StringComparison.Ordinal);
        }

        foreach (var word in new[] { "help", "--help" })
        {
            using var help = DemoProcess.Start(new Dictionary<string, string>(), word);
            Assert.Equal(0, await help.ExitCodeAsync(TimeSpan.FromSeconds(60)));
            Assert.StartsWith("usage: brrr-demo <command>", help.Output, StringComparison.Ordinal);
            Assert.Empty(help.ErrorOutput);
        }
    }

    /// <summary>Checks a ProblemDetails answer whose <c>error</c> (and <c>detail</c>) contains <paramref name="error"/>; returns the body.</summary>
    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.Contains(error, problem["error"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(problem["error"]!.ToString(), problem["detail"]!.ToString());
        return body;
    }
}
