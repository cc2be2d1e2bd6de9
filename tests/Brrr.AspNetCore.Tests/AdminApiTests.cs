using System.Net;
using System.Text.Json.Nodes;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Inspection;
using Brrr.Redis;

namespace Brrr.AspNetCore.Tests;

/// <summary><c>MapBrrrAdmin</c> over a real worker on a real redis-server, called through a real Kestrel.</summary>
public sealed class AdminApiTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Reads_need_the_read_policy_and_actions_the_action_policy()
    {
        await using var host = await AdminHost.StartAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/topics", role: null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.GetAsync("/topics", role: "guest")).Status);
        var topics = await host.GetAsync("/topics");
        Assert.Equal(HttpStatusCode.OK, topics.Status);
        Assert.Equal("application/json", topics.ContentType?.MediaType);
        Assert.Contains(topics.Json.AsArray(), t => (string?)t!["topic"] == AdminHost.Topic);

        var cancel = $$"""{"root_id":"{{BrrrClient.NewRootId()}}"}""";
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.PostAsync("/cancel", cancel, role: null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.PostAsync("/cancel", cancel, role: "reader")).Status);
        var done = await host.PostAsync("/cancel", cancel, role: "admin");
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.True((bool)done.Json["cancelled"]!);
        Assert.True(await host.Worker.Client.IsCancelledAsync((string)done.Json["root_id"]!));
    }

    [Fact]
    public async Task Without_an_action_policy_no_action_is_mapped_and_reads_take_the_hosts_default_policy()
    {
        await using var host = await AdminHost.StartAsync(_ => { });

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/topics", role: null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/topics", role: "guest")).Status);
        foreach (var action in new[] { "/schedule", "/retry", "/cancel", "/requeue-lost", "/dead-letters/requeue", "/dead-letters/purge" })
        {
            var refused = await host.PostAsync(action, """{"all":true}""", role: "admin");
            Assert.True(refused.Status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{action} answered {refused.Status}");
        }
    }

    [Fact]
    public async Task A_failed_workflow_is_seen_and_its_dead_letters_requeued_after_the_fix_complete_it()
    {
        await using var host = await AdminHost.StartAsync();
        var args = new JsonObject { ["n"] = 4, ["salt"] = Guid.NewGuid().ToString("N") };
        var scheduled = await host.PostAsync("/schedule", new JsonObject { ["task"] = "pair", ["args"] = args.DeepClone(), ["topic"] = AdminHost.Topic }.ToJsonString());
        Assert.Equal(HttpStatusCode.Accepted, scheduled.Status);
        var hash = (string)scheduled.Json["call_hash"]!;
        var rootId = (string)scheduled.Json["root_id"]!;
        Assert.Equal(JsonCodec.Default.EncodeCall("pair", args).CallHash, hash);

        await Eventually.HoldsAsync(async () => (string?)(await host.GetAsync($"/status?call_hash={hash}")).Json["status"] == "failed", "pair fails", Within);
        var status = (await host.GetAsync($"/status?task=pair&args={Uri.EscapeDataString(args.ToJsonString())}")).Json;
        Assert.Equal("not fixed yet", (string?)status["error"]);
        Assert.Equal(["flaky", "pair"], status["chain"]!.AsArray().Select(c => (string)c!["task"]!));
        await Eventually.HoldsAsync(async () => (int)(await host.GetAsync($"/dead-letters?root_id={rootId}")).Json["total"]! == 2, "the leaf and the parent are dead-lettered", Within);
        var letters = (await host.GetAsync($"/dead-letters?root_id={rootId}&task=flaky")).Json;
        var letter = Assert.Single(letters["letters"]!.AsArray());
        Assert.Contains("not fixed yet", (string)letter!["error"]!, StringComparison.Ordinal);
        var shown = await host.GetAsync($"/dead-letters/{letter["id"]}");
        Assert.Equal(HttpStatusCode.OK, shown.Status);
        Assert.Contains((string)letter["call_hash"]!, (string)shown.Json["message"]!, StringComparison.Ordinal);
        var inspected = (await host.GetAsync($"/inspect?call_hash={hash}")).Json;
        Assert.StartsWith("failed:", (string)inspected["verdict"]!, StringComparison.Ordinal);

        host.Fixed = true;
        var requeued = await host.PostAsync("/dead-letters/requeue", $$"""{"root_id":"{{rootId}}"}""");
        Assert.Equal(HttpStatusCode.OK, requeued.Status);
        Assert.Equal(2, (int)requeued.Json["matched"]!);
        Assert.Equal(2, (int)requeued.Json["done"]!);
        Assert.Equal(44, await host.Worker.Client.WaitAsync(AdminHost.Pair, args, Within));
        var completed = (await host.GetAsync($"/status?call_hash={hash}")).Json;
        Assert.Equal("completed", (string?)completed["status"]);
        Assert.Equal(44, (int)completed["value"]!);
        Assert.Equal(0, (int)(await host.GetAsync("/dead-letters")).Json["total"]!);
        Assert.StartsWith("done:", (string)(await host.GetAsync($"/inspect?call_hash={hash}")).Json["verdict"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_deletes_exactly_the_filtered_letters_and_retry_runs_a_failed_root_again()
    {
        await using var host = await AdminHost.StartAsync();
        var args = new JsonObject { ["n"] = 2, ["salt"] = Guid.NewGuid().ToString("N") };
        var body = new JsonObject { ["task"] = "pair", ["args"] = args.DeepClone(), ["topic"] = AdminHost.Topic }.ToJsonString();
        var first = await host.PostAsync("/schedule", body);
        await Eventually.HoldsAsync(async () => (int)(await host.GetAsync("/dead-letters")).Json["total"]! == 2, "both letters", Within);

        var purged = await host.PostAsync("/dead-letters/purge", """{"task":"flaky"}""");
        Assert.Equal(1, (int)purged.Json["matched"]!);
        Assert.Equal(1, (int)purged.Json["done"]!);
        var left = Assert.Single((await host.GetAsync("/dead-letters")).Json["letters"]!.AsArray());
        Assert.Equal("pair", (string?)left!["task"]);
        Assert.Equal(HttpStatusCode.NotFound, (await host.PostAsync("/dead-letters/purge", $$"""{"id":"{{new string('f', 64)}}"}""")).Status);

        host.Fixed = true;
        var retried = await host.PostAsync("/retry", body);
        Assert.Equal(HttpStatusCode.OK, retried.Status);
        Assert.True((bool)retried.Json["retried"]!);
        Assert.NotEqual((string?)first.Json["root_id"], (string?)retried.Json["root_id"]);
        Assert.Equal(22, await host.Worker.Client.WaitAsync(AdminHost.Pair, args, Within));
        Assert.False((bool)(await host.PostAsync("/retry", body)).Json["retried"]!);
    }

    [Fact]
    public async Task A_lost_call_is_requeued_through_the_api()
    {
        await using var host = await AdminHost.StartAsync();
        const string idle = "nobody-serves-this";
        var scheduled = await host.PostAsync("/schedule", $$"""{"task":"sibling","args":{"n":7},"topic":"{{idle}}"}""");
        var hash = (string)scheduled.Json["call_hash"]!;
        var rootId = (string)scheduled.Json["root_id"]!;
        var notLost = await host.PostAsync("/requeue-lost", $$"""{"call_hash":"{{hash}}"}""");
        Assert.Equal(HttpStatusCode.Conflict, notLost.Status);
        Assert.Contains("not lost", notLost.Problem, StringComparison.Ordinal);

        var db = host.Redis.Multiplexer.GetDatabase();
        Assert.Equal(1, await db.ListRemoveAsync(RedisLayout.Current.TopicList(idle), (await db.ListRangeAsync(RedisLayout.Current.TopicList(idle)))[0]));
        Assert.Equal("lost", (string?)(await host.GetAsync($"/inspect?call_hash={hash}")).Json["root"]!["state"]);
        var unknownRoot = await host.PostAsync("/requeue-lost", $$"""{"call_hash":"{{hash}}"}""");
        Assert.Equal(HttpStatusCode.Conflict, unknownRoot.Status);
        Assert.Contains("unknown: pass it", unknownRoot.Problem, StringComparison.Ordinal);

        var requeued = await host.PostAsync("/requeue-lost", $$"""{"call_hash":"{{hash}}","root_id":"{{rootId}}","topic":"{{idle}}"}""");
        Assert.Equal(HttpStatusCode.OK, requeued.Status);
        Assert.StartsWith("in progress:", (string)requeued.Json["verdict"]!, StringComparison.Ordinal);
        Assert.Equal(1, await db.ListLengthAsync(RedisLayout.Current.TopicList(idle)));
    }

    [Theory]
    [InlineData("/status", "name the call")]
    [InlineData("/status?call_hash=../../etc", "bad call hash")]
    [InlineData("/status?call_hash=a&task=pair", "not both")]
    [InlineData("/status?task=pair&args=[1]", "must be a JSON object")]
    [InlineData("/status?task=pair&args={", "is no JSON")]
    [InlineData("/status?task=pair&task=flaky", "once")]
    [InlineData("/inspect?root_id=%01", "bad root id")]
    [InlineData("/dead-letters?limit=0", "bad limit")]
    [InlineData("/dead-letters?limit=100000", "bad limit")]
    [InlineData("/dead-letters?offset=-1", "bad offset")]
    [InlineData("/dead-letters?since=yesterday", "bad since")]
    [InlineData("/dead-letters?malformed=yes", "bad malformed")]
    [InlineData("/dead-letters/not!a!hash", "bad call hash")]
    public async Task A_bad_read_gets_a_400_problem(string path, string message)
    {
        await using var host = await AdminHost.StartAsync();
        var answer = await host.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(message, answer.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_action_gets_a_clear_problem_and_changes_nothing()
    {
        await using var host = await AdminHost.StartAsync(o =>
        {
            o.ReadPolicy = AdminHost.ReadPolicy;
            o.ActionPolicy = AdminHost.AdminPolicy;
            o.MaxBodyBytes = 1024;
        });
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100);
        (string Path, string Body, string Type, HttpStatusCode Status, string Message)[] cases =
        [
            ("/schedule", "task=pair", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json"),
            ("/schedule", "{\"task\":\"pair\"", "application/json", HttpStatusCode.BadRequest, "no JSON"),
            ("/schedule", "[]", "application/json", HttpStatusCode.BadRequest, "a JSON object"),
            ("/schedule", "", "application/json", HttpStatusCode.BadRequest, "a JSON object"),
            ("/schedule", deep, "application/json", HttpStatusCode.BadRequest, "no JSON"),
            ("/schedule", "{\"task\":\"pair\",\"topic\":\"admin\",\"evil\":1}", "application/json", HttpStatusCode.BadRequest, "unknown field 'evil'"),
            ("/schedule", "{\"task\":\"pair\"}", "application/json", HttpStatusCode.BadRequest, "'topic' is missing"),
            ("/schedule", "{\"task\":\"pa\\u0000ir\",\"topic\":\"admin\"}", "application/json", HttpStatusCode.BadRequest, "bad task name"),
            ("/schedule", "{\"task\":1,\"topic\":\"admin\"}", "application/json", HttpStatusCode.BadRequest, "'task' must be a string"),
            ("/schedule", "{\"task\":\"pair\",\"topic\":\"admin\",\"args\":\"n=1\"}", "application/json", HttpStatusCode.BadRequest, "'args' must be a JSON object"),
            ("/schedule", $"{{\"task\":\"pair\",\"topic\":\"admin\",\"args\":{{\"x\":\"{new string('x', 2000)}\"}}}}", "application/json", HttpStatusCode.RequestEntityTooLarge, "larger than 1024 bytes"),
            ("/cancel", "{\"root_id\":\"\"}", "application/json", HttpStatusCode.BadRequest, "'root_id' is missing"),
            ("/dead-letters/requeue", "{}", "application/json", HttpStatusCode.BadRequest, "name the letters"),
            ("/dead-letters/purge", "{\"all\":false}", "application/json", HttpStatusCode.BadRequest, "name the letters"),
            ("/dead-letters/purge", "{\"all\":\"yes\"}", "application/json", HttpStatusCode.BadRequest, "'all' must be true or false"),
            ("/dead-letters/purge", "{\"since\":\"soon\"}", "application/json", HttpStatusCode.BadRequest, "bad since"),
            ("/dead-letters/purge", "{\"id\":\"<script>\"}", "application/json", HttpStatusCode.BadRequest, "bad call hash"),
            ("/dead-letters/purge", "{\"ids\":[]}", "application/json", HttpStatusCode.BadRequest, "'ids' must be an array of 1 to 1000"),
            ("/dead-letters/requeue", "{\"ids\":[1]}", "application/json", HttpStatusCode.BadRequest, "'ids' must hold strings"),
            ("/dead-letters/requeue", "{\"ids\":[\"<b>\"]}", "application/json", HttpStatusCode.BadRequest, "bad call hash"),
            ("/requeue-lost", "{\"call_hash\":\"abc\",\"task\":\"pair\"}", "application/json", HttpStatusCode.BadRequest, "not both"),
        ];
        foreach (var (path, body, type, status, message) in cases)
        {
            var answer = await host.PostAsync(path, body, mediaType: type);
            Assert.True(answer.Status == status, $"{path} {body[..Math.Min(body.Length, 60)]}: {answer.Status} {answer.Body}");
            Assert.Contains(message, answer.Problem, StringComparison.Ordinal);
        }

        Assert.Equal(0, await host.Redis.Multiplexer.GetDatabase().ListLengthAsync(RedisLayout.Current.TopicList(AdminHost.Topic)));
        Assert.DoesNotContain((await host.GetAsync("/topics")).Json.AsArray(), t => (long)t!["waiting"]! > 0);
    }

    [Fact]
    public async Task An_unexpected_failure_that_is_no_outage_is_a_500_problem_without_its_message_or_stack()
    {
        await using var host = await AdminHost.StartAsync();
        var hash = JsonCodec.Default.EncodeCall("pair", new JsonObject { ["n"] = 1 }).CallHash;
        await host.Redis.Store.SetAsync(MemKey.ErrorOf(hash), "password=hunter2, no error record"u8.ToArray());

        var answer = await host.GetAsync($"/status?call_hash={hash}");

        Assert.True(answer.Status == HttpStatusCode.InternalServerError, $"{answer.Status} {answer.Body}");
        Assert.Equal("application/problem+json", answer.ContentType?.MediaType);
        Assert.Equal(500, (int)answer.Json["status"]!);
        Assert.Contains("ProtocolException", answer.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Brrr.", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_Redis_down_reads_and_actions_get_a_503_problem_and_recover_once_it_is_back()
    {
        await using var host = await AdminHost.StartAsync(o =>
        {
            o.ReadPolicy = AdminHost.ReadPolicy;
            o.ActionPolicy = AdminHost.AdminPolicy;
            o.RequestTimeout = TimeSpan.FromSeconds(3);
        });
        host.Server.Kill();

        foreach (var answer in new[]
        {
            await host.GetAsync("/topics"),
            await host.GetAsync("/status?task=pair&args={}"),
            await host.PostAsync("/schedule", """{"task":"pair","args":{"n":1},"topic":"admin"}"""),
        })
        {
            Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable, $"{answer.Status} {answer.Body}");
            Assert.Contains("queue or store", answer.Problem, StringComparison.Ordinal);
        }

        host.Server.Restart();
        await Eventually.HoldsAsync(async () => (await host.GetAsync("/topics")).Status == HttpStatusCode.OK, "answers again", Within);
    }
}
