using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.Inspection;
using Brrr.Protocol;
using Brrr.Redis;

namespace Brrr.Cli.Tests;

/// <summary>The <c>brrr</c> tool as a real process against a real redis-server: help, JSON output, exit codes, confirmation.</summary>
public sealed class ToolProcessTests : IAsyncLifetime
{
    private readonly RedisServer _server = RedisServer.Start();
    private RedisBrrr? _redis;

    private string Url => $"redis://127.0.0.1:{_server.Port}";

    private RedisBrrr Redis => _redis ?? throw new InvalidOperationException("not initialised");

    private BrrrClient Client => new(Redis.Store, Redis.Cache, Redis.Queue, JsonCodec.Default);

    public static TheoryData<string> EveryCommand()
    {
        var data = new TheoryData<string>();
        foreach (var path in Paths(BrrrCli.CreateRoot(), []))
        {
            data.Add(path);
        }

        return data;
    }

    public async Task InitializeAsync() => _redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = _server.Configuration });

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _server.Dispose();
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task Help_works_on_every_subcommand_and_documents_the_exit_codes(string command)
    {
        var result = await BrrrTool.RunAsync(null, [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Usage:", result.Out, StringComparison.Ordinal);
        Assert.Contains(ExitCodes.Help, result.Out.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_requeues_a_lost_child_the_store_scan_found_on_the_topic_it_is_given()
    {
        // A reference worker's parent waits on a child whose job is gone: only the child's pending_returns link them.
        var memory = new Memory(Redis.Store);
        var parent = JsonCodec.Default.EncodeCall("ts_parent", new JsonObject { ["x"] = "1" });
        var child = JsonCodec.Default.EncodeCall("ts_child", new JsonObject { ["x"] = "2" });
        await memory.SetCallAsync(parent);
        await memory.SetCallAsync(child);
        await Redis.Store.SetAsync(MemKey.PendingReturnsOf(child.CallHash), new PendingReturns([new PendingReturn("ts-root", parent.CallHash, "ts-topic")], 1_700_000_000).Encode());

        var lost = await BrrrTool.RunAsync(Url, "inspect", "--hash", parent.CallHash);
        Assert.Equal(ExitCodes.NotDone, lost.ExitCode);
        Assert.Contains($"`brrr inspect --hash {child.CallHash} --requeue-lost --topic <its topic>` schedules it", lost.Out, StringComparison.Ordinal);

        var noTopic = await BrrrTool.RunAsync(Url, "inspect", "--hash", child.CallHash, "--requeue-lost", "--yes");
        Assert.Equal(ExitCodes.NotDone, noTopic.ExitCode);
        Assert.Contains("its topic is unknown", noTopic.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await Redis.Queue.GetStatsAsync("ts-topic")).Waiting);

        var requeued = await BrrrTool.RunAsync(Url, "inspect", "--hash", child.CallHash, "--requeue-lost", "--topic", "ts-topic", "--yes");
        Assert.Contains("queued on topic ts-topic", requeued.Out, StringComparison.Ordinal);
        var job = ScheduleMessage.FromWire(Assert.Single(await ((Brrr.Backends.IQueueAdmin)Redis.Queue).PeekAsync("ts-topic", 0, 10)));
        Assert.Equal(("ts-root", child.CallHash), (job.RootId, job.CallHash));
    }

    [Fact]
    public async Task Schedule_status_read_and_wait_speak_json_and_exit_by_the_calls_state()
    {
        var scheduled = await BrrrTool.RunAsync(Url, "schedule", "fib", "n=12", "--topic", "cli-work", "--json");
        Assert.Equal(ExitCodes.Ok, scheduled.ExitCode);
        var json = JsonNode.Parse(scheduled.Out)!;
        var hash = (string)json["call_hash"]!;
        Assert.Equal(JsonCodec.Default.EncodeCall("fib", new JsonObject { ["n"] = "12" }).CallHash, hash);
        Assert.Equal(32, ((string)json["root_id"]!).Length);
        Assert.Equal(1, (await Redis.Queue.GetStatsAsync("cli-work")).Waiting);

        var inspected = await BrrrTool.RunAsync(Url, "inspect", "fib", "n=12", "--json");
        Assert.Equal(ExitCodes.NotDone, inspected.ExitCode);
        Assert.Equal("in progress: 1 call queued, 0 running, 0 waiting on children", (string)JsonNode.Parse(inspected.Out)!["verdict"]!);
        var byRoot = await BrrrTool.RunAsync(Url, "inspect", "--root", (string)json["root_id"]!);
        Assert.Contains("queued on topic cli-work", byRoot.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotDone, (await BrrrTool.RunAsync(Url, "inspect", "--root", "gone-root")).ExitCode);

        var pending = await BrrrTool.RunAsync(Url, "status", "fib", "n=12", "--json");
        Assert.Equal(ExitCodes.NotDone, pending.ExitCode);
        Assert.Equal("pending", (string)JsonNode.Parse(pending.Out)!["status"]!);
        var noValue = await BrrrTool.RunAsync(Url, "read", "--hash", hash);
        Assert.Equal(ExitCodes.NotDone, noValue.ExitCode);
        Assert.Contains("no value", noValue.Error, StringComparison.Ordinal);
        var timedOut = await BrrrTool.RunAsync(Url, "wait", "fib", "n=12", "--timeout", "200ms", "--json");
        Assert.Equal(ExitCodes.NotDone, timedOut.ExitCode);

        await new Memory(Redis.Store).SetValueAsync(hash, "144"u8.ToArray());

        var done = await BrrrTool.RunAsync(Url, "status", "--hash", hash, "--json");
        Assert.Equal(ExitCodes.Ok, done.ExitCode);
        Assert.Equal(144, (int)JsonNode.Parse(done.Out)!["value"]!);
        var read = await BrrrTool.RunAsync(Url, "read", "fib", "n=12");
        Assert.Equal((ExitCodes.Ok, "144"), (read.ExitCode, read.Out.Trim()));
        var waited = await BrrrTool.RunAsync(Url, "wait", "fib", "n=12", "--json");
        Assert.Equal(ExitCodes.Ok, waited.ExitCode);
        Assert.Equal("completed", (string)JsonNode.Parse(waited.Out)!["status"]!);
    }

    [Fact]
    public async Task Schedule_at_or_in_holds_the_job_back_in_the_topics_delayed_set_until_it_is_due()
    {
        const string topic = "cli-delayed";
        var before = DateTimeOffset.UtcNow;
        var later = await BrrrTool.RunAsync(Url, "schedule", "fib", "n=12", "--topic", topic, "--in", "1h", "--json");
        Assert.Equal(ExitCodes.Ok, later.ExitCode);
        var notBefore = DateTimeOffset.Parse((string)JsonNode.Parse(later.Out)!["not_before"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(notBefore, before + TimeSpan.FromHours(1), DateTimeOffset.UtcNow + TimeSpan.FromHours(1));

        var at = await BrrrTool.RunAsync(Url, "schedule", "fib", "n=13", "--topic", topic, "--at", "2030-01-01T10:00:00+02:00");
        Assert.Equal(ExitCodes.Ok, at.ExitCode);
        Assert.Contains("not before 2030-01-01T08:00:00.000Z", at.Out, StringComparison.Ordinal);

        // Nothing in the topic list that a reference worker pops: both wait in the delayed set, scored by due time.
        Assert.Equal(0, (await Redis.Queue.GetStatsAsync(topic)).Waiting);
        Assert.Equal(2, await Redis.Queue.CountDelayedAsync(topic));
        var scores = (await Redis.Multiplexer.GetDatabase().SortedSetRangeByRankWithScoresAsync("{brrr/messages/cli-delayed}:brrr:delayed")).Select(e => (long)e.Score).ToArray();
        Assert.Equal([notBefore.ToUnixTimeMilliseconds(), DateTimeOffset.Parse("2030-01-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()], scores);

        // A time already past goes straight to the topic.
        var now = await BrrrTool.RunAsync(Url, "schedule", "fib", "n=14", "--topic", topic, "--at", "2001-01-01T00:00:00Z");
        Assert.Equal(ExitCodes.Ok, now.ExitCode);
        Assert.Equal(1, (await Redis.Queue.GetStatsAsync(topic)).Waiting);
        Assert.Equal(2, await Redis.Queue.CountDelayedAsync(topic));
    }

    [Fact]
    public async Task A_config_file_alone_names_the_redis_to_talk_to()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, $"brrr.redis.configuration = \"127.0.0.1:{_server.Port}\"");

            var scheduled = await BrrrTool.RunAsync(null, "schedule", "fib", "n=5", "--topic", "cli-config", "--config", file, "--json");

            Assert.Equal(ExitCodes.Ok, scheduled.ExitCode);
            Assert.Equal(1, (await Redis.Queue.GetStatsAsync("cli-config")).Waiting);
            var status = await BrrrTool.RunAsync(null, "status", "fib", "n=5", "--config", file, "--json");
            Assert.Equal((ExitCodes.NotDone, "pending"), (status.ExitCode, (string)JsonNode.Parse(status.Out)!["status"]!));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Schedules_lists_the_config_s_schedules_with_the_fleet_s_last_tick_and_the_next_one()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, $$"""
                brrr.redis.configuration = "127.0.0.1:{{_server.Port}}"
                brrr.schedules."nightly.report" { cron = "0 3 * * *", time-zone = "Europe/Paris", topic = "reports", task = "report", args = "{\"kind\": \"daily\"}" }
                brrr.schedules.every-second { cron = "* * * * * *", topic = "ticks", task = "tick", missed-ticks = skip }
                """);
            var claimed = new DateTimeOffset(2026, 1, 2, 2, 0, 0, TimeSpan.Zero);
            Assert.True(await Redis.Cache.ClaimScheduleTickAsync("nightly.report", claimed, TimeSpan.FromMinutes(1)));
            var before = DateTimeOffset.UtcNow;

            var listed = await BrrrTool.RunAsync(null, "schedules", "--config", file, "--json");
            var text = await BrrrTool.RunAsync(null, "schedules", "--config", file);

            Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (listed.ExitCode, text.ExitCode));
            var rows = JsonNode.Parse(listed.Out)!.AsArray();
            Assert.Equal(["every-second", "nightly.report"], rows.Select(r => (string)r!["name"]!));
            var (second, nightly) = (rows[0]!, rows[1]!);
            Assert.Equal(("* * * * * *", "UTC", "ticks", "tick", "skip"), ((string)second["cron"]!, (string)second["time_zone"]!, (string)second["topic"]!, (string)second["task"]!, (string)second["missed_ticks"]!));
            Assert.Null(second["last_tick"]);
            Assert.InRange(DateTimeOffset.Parse((string)second["next_tick"]!, CultureInfo.InvariantCulture), before, before.AddSeconds(30));
            Assert.Equal(("2026-01-02T02:00:00Z", "schedule:nightly.report:20260102T020000Z", "daily", "run-once", "Europe/Paris"),
                ((string)nightly["last_tick"]!, (string)nightly["last_root_id"]!, (string)nightly["args"]!["kind"]!, (string)nightly["missed_ticks"]!, (string)nightly["time_zone"]!));
            // 03:00 in Paris is 01:00 or 02:00 UTC, on the next day at the latest.
            var next = DateTimeOffset.Parse((string)nightly["next_tick"]!, CultureInfo.InvariantCulture);
            Assert.InRange(next, before, before.AddDays(1));
            Assert.Contains(next.Hour, new[] { 1, 2 });
            Assert.Contains("nightly.report: '0 3 * * *' in Europe/Paris, task report on reports, missed ticks: run-once; last 2026-01-02T02:00:00Z (root schedule:nightly.report:20260102T020000Z), next ", text.Out, StringComparison.Ordinal);
            Assert.Contains("every-second: '* * * * * *' in UTC, task tick on ticks, missed ticks: skip; never ran, next ", text.Out, StringComparison.Ordinal);

            var none = await BrrrTool.RunAsync(Url, "schedules");
            Assert.Equal((ExitCodes.Ok, "no schedules: give --config the workers' HOCON file, with its brrr.schedules"), (none.ExitCode, none.Out.Trim()));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_failed_call_reads_as_failed_with_its_chain_and_exit_3_and_retry_clears_it()
    {
        var args = new JsonObject { ["n"] = "7" };
        var hash = JsonCodec.Default.EncodeCall("leaf", args).CallHash;
        await new Memory(Redis.Store).SetCallAsync(JsonCodec.Default.EncodeCall("leaf", args));
        await new Memory(Redis.Store).SetErrorAndSendReturnsAsync(
            new ErrorRecord("leaf", hash, "System.InvalidOperationException", "kaput", 3, DateTimeOffset.UtcNow, "root", []), _ => Task.CompletedTask);

        var status = await BrrrTool.RunAsync(Url, "status", "leaf", "n=7");
        Assert.Equal(ExitCodes.Failed, status.ExitCode);
        Assert.StartsWith("failed: leaf: kaput", status.Out, StringComparison.Ordinal);
        var json = await BrrrTool.RunAsync(Url, "wait", "leaf", "n=7", "--json");
        Assert.Equal(ExitCodes.Failed, json.ExitCode);
        Assert.Equal(("failed", "kaput"), ((string)JsonNode.Parse(json.Out)!["status"]!, (string)JsonNode.Parse(json.Out)!["error"]!));

        var refused = await BrrrTool.RunAsync(Url, "retry", "leaf", "n=7", "--topic", "cli-work");
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("--yes", refused.Error, StringComparison.Ordinal);
        Assert.NotNull(await new Memory(Redis.Store).GetErrorAsync(hash));

        var retried = await BrrrTool.RunAsync(Url, "retry", "leaf", "n=7", "--topic", "cli-work", "--yes", "--json");
        Assert.Equal(ExitCodes.Ok, retried.ExitCode);
        Assert.True((bool)JsonNode.Parse(retried.Out)!["retried"]!);
        Assert.Null(await new Memory(Redis.Store).GetErrorAsync(hash));
        Assert.Equal(1, (await Redis.Queue.GetStatsAsync("cli-work")).Waiting);
    }

    [Fact]
    public async Task Cancel_needs_yes_off_a_terminal_and_then_marks_the_root()
    {
        var refused = await BrrrTool.RunAsync(Url, "cancel", "root-to-cancel");
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.False(await Client.IsCancelledAsync("root-to-cancel"));

        var cancelled = await BrrrTool.RunAsync(Url, "cancel", "root-to-cancel", "--yes", "--json");

        Assert.Equal(ExitCodes.Ok, cancelled.ExitCode);
        Assert.True((bool)JsonNode.Parse(cancelled.Out)!["cancelled"]!);
        Assert.True(await Client.IsCancelledAsync("root-to-cancel"));
    }

    [Fact]
    public async Task Topics_and_dead_letters_list_show_requeue_and_purge_in_json_with_counts()
    {
        var letter = new DeadLetter("cli-topic", "the-message", "Brrr.TaskFailedException", "it broke", "root-1", null, "leaf", 3, DateTimeOffset.UtcNow);
        await Redis.Queue.PushAsync("cli-topic:dead-letters", letter.ToJson());
        await Redis.Queue.PushAsync("cli-topic:dead-letters", "garbage");
        await Redis.Queue.PushAsync("cli-topic", "waiting-job");

        var topics = JsonNode.Parse((await BrrrTool.RunAsync(Url, "topics", "--json")).Out)!.AsArray();
        var topic = Assert.Single(topics, t => (string)t!["topic"]! == "cli-topic")!;
        Assert.Equal((1, 2), ((int)topic["waiting"]!, (int)topic["dead_letters"]!));

        var list = await BrrrTool.RunAsync(Url, "dead-letters", "list", "--json");
        Assert.Equal(ExitCodes.Ok, list.ExitCode);
        var letters = JsonNode.Parse(list.Out)!.AsArray();
        Assert.Equal(2, letters.Count);
        var id = (string)letters.Single(l => l!["task"] is not null)!["id"]!;
        Assert.Contains(letters, l => l!["malformed"] is not null);

        var show = await BrrrTool.RunAsync(Url, "dead-letters", "show", id, "--json");
        Assert.Equal(("the-message", ExitCodes.Ok), ((string)JsonNode.Parse(show.Out)!["message"]!, show.ExitCode));
        var unknown = await BrrrTool.RunAsync(Url, "dead-letters", "show", "00000000deadbeef");
        Assert.Equal(ExitCodes.NotDone, unknown.ExitCode);

        var everything = await BrrrTool.RunAsync(Url, "dead-letters", "purge");
        Assert.Equal(ExitCodes.Usage, everything.ExitCode);
        var unconfirmed = await BrrrTool.RunAsync(Url, "dead-letters", "requeue", id);
        Assert.Equal(ExitCodes.Usage, unconfirmed.ExitCode);
        Assert.Equal(2, (await Redis.Queue.GetStatsAsync("cli-topic:dead-letters")).Waiting);

        var requeued = await BrrrTool.RunAsync(Url, "dead-letters", "requeue", id, "--yes", "--json");
        Assert.Equal(ExitCodes.Ok, requeued.ExitCode);
        Assert.Equal((1, 1), ((int)JsonNode.Parse(requeued.Out)!["matched"]!, (int)JsonNode.Parse(requeued.Out)!["done"]!));
        Assert.Equal(["waiting-job", "the-message"], await ((Backends.IQueueAdmin)Redis.Queue).PeekAsync("cli-topic", 0, 10));

        var purged = await BrrrTool.RunAsync(Url, "dead-letters", "purge", "--malformed", "--yes", "--json");
        Assert.Equal(1, (int)JsonNode.Parse(purged.Out)!["done"]!);
        Assert.Equal(0, (await Redis.Queue.GetStatsAsync("cli-topic:dead-letters")).Waiting);
        var human = await BrrrTool.RunAsync(Url, "dead-letters", "list");
        Assert.Equal(("no dead letters", ExitCodes.Ok), (human.Out.Trim(), human.ExitCode));
    }

    [Fact]
    public async Task Topics_reports_named_topics_warns_of_the_other_layouts_list_and_watches_a_given_number_of_times()
    {
        // What a legacy reference producer pushes: the bare topic name, which the current layout does not read.
        await Redis.Multiplexer.GetDatabase().ListRightPushAsync("cli-legacy", "not a brrr message");

        var current = await BrrrTool.RunAsync(Url, "topics", "--topic", "cli-legacy", "--topic", "cli-empty");
        Assert.Equal(ExitCodes.Ok, current.ExitCode);
        Assert.Contains("cli-empty: waiting 0, in flight 0, dead letters 0", current.Out, StringComparison.Ordinal);
        Assert.Contains("cli-legacy: waiting 0, in flight 0", current.Out, StringComparison.Ordinal);
        Assert.Contains("warning: Redis layout mismatch on topic 'cli-legacy'", current.Error, StringComparison.Ordinal);

        var legacy = await BrrrTool.RunAsync(Url, "topics", "--layout", "legacy", "--topic", "cli-legacy");
        Assert.Contains("cli-legacy: waiting 1, in flight 0", legacy.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("layout mismatch", legacy.All, StringComparison.Ordinal);

        var watched = await BrrrTool.RunAsync(Url, "topics", "--topic", "cli-empty", "--watch", "--interval", "100ms", "--count", "3", "--json");
        Assert.Equal(ExitCodes.Ok, watched.ExitCode);
        var reports = watched.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsArray()).ToList();
        Assert.Equal(3, reports.Count);
        Assert.All(reports, r => Assert.Contains(r, t => (string)t!["topic"]! == "cli-empty"));
        Assert.Equal(ExitCodes.Usage, (await BrrrTool.RunAsync(Url, "topics", "--watch", "--count", "0")).ExitCode);
    }

    [Fact]
    public async Task Reset_needs_yes_and_then_deletes_the_records_counters_and_topic_lists_of_both_layouts_and_nothing_else()
    {
        var database = Redis.Multiplexer.GetDatabase();
        await Client.ScheduleAsync(Brrr.Tasks.BrrrTask.Ref<JsonObject, int>("leaf"), new JsonObject { ["n"] = 1 }, "cli-reset");
        await Redis.Queue.PushAsync("cli-reset:dead-letters", "garbage");
        StackExchange.Redis.RedisKey[] keys = ["brrr/count/r00t", "brrr_count/r00t", "brrr/messages/cli-reset", "cli-reset", "{brrr/messages/cli-reset}:brrr:consumers", "{cli-reset}:brrr:consumers"];
        foreach (var key in keys)
        {
            await database.ListRightPushAsync(key, "x");
        }

        await database.StringSetAsync("unrelated", "kept");
        var refused = await BrrrTool.RunAsync(Url, "reset");
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("pass --yes", refused.Error, StringComparison.Ordinal);
        Assert.True(await database.KeyExistsAsync("brrr/count/r00t"));

        var reset = await BrrrTool.RunAsync(Url, "reset", "--yes", "--json");

        Assert.Equal(ExitCodes.Ok, reset.ExitCode);
        Assert.True((long)JsonNode.Parse(reset.Out)!["deleted_keys"]! >= keys.Length + 2);
        foreach (var key in keys.Append("brrr/messages/cli-reset:dead-letters"))
        {
            Assert.False(await database.KeyExistsAsync(key), $"{key} survived reset");
        }

        Assert.Equal(["unrelated"], (await Redis.Multiplexer.GetServers()[0].KeysAsync().ToListAsync()).Select(k => k.ToString()));
        Assert.Equal("kept", (string?)await database.StringGetAsync("unrelated"));
    }

    [Fact]
    public async Task Dashboard_serves_the_pages_and_a_read_only_api_on_loopback_until_stopped()
    {
        await Redis.Queue.PushAsync("cli-dash", "waiting-job");
        using var process = BrrrTool.Start(Url, "dashboard", "--listen", "127.0.0.1:0", "--json");
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                ?? throw new InvalidOperationException("brrr dashboard printed nothing: " + await process.StandardError.ReadToEndAsync());
            var started = JsonNode.Parse(line)!;
            Assert.False((bool)started["actions"]!);
            var url = new Uri((string)started["url"]!);
            Assert.Equal("127.0.0.1", url.Host);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

            var page = await http.GetStringAsync(url);
            Assert.Contains("<title>brrr</title>", page, StringComparison.Ordinal);
            foreach (var (name, status) in new[] { ("rebound.example", System.Net.HttpStatusCode.BadRequest), ("localhost", System.Net.HttpStatusCode.OK) })
            {
                using var named = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "api/topics")) { Headers = { Host = $"{name}:{url.Port}" } };
                using var answer = await http.SendAsync(named);
                Assert.True(answer.StatusCode == status, $"Host {name} answered {answer.StatusCode}");
            }

            var topics = JsonNode.Parse(await http.GetStringAsync(new Uri(url, "api/topics")))!.AsArray();
            Assert.Equal(1, (int)topics.Single(t => (string)t!["topic"]! == "cli-dash")!["waiting"]!);
            Assert.False((bool)JsonNode.Parse(await http.GetStringAsync(new Uri(url, "api/capabilities")))!["actions"]!);
            using var purge = await http.PostAsync(new Uri(url, "api/dead-letters/purge"), new StringContent("""{"all":true}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(purge.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.MethodNotAllowed, $"purge answered {purge.StatusCode}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Dashboard_refuses_actions_off_loopback_and_a_bad_listen_address()
    {
        var open = await BrrrTool.RunAsync(Url, "dashboard", "--listen", "0.0.0.0:0", "--actions");
        Assert.Equal(ExitCodes.Usage, open.ExitCode);
        Assert.Contains("loopback only", open.Error, StringComparison.Ordinal);
        var bad = await BrrrTool.RunAsync(Url, "dashboard", "--listen", "nowhere");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("bad --listen", bad.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "status" }, "needs a task")]
    [InlineData(new[] { "status", "fib", "n" }, "key=text")]
    [InlineData(new[] { "status", "fib", "n:=x" }, "needs a JSON value")]
    [InlineData(new[] { "status", "fib", "n=1", "n=2" }, "given twice")]
    [InlineData(new[] { "status", "--hash", "../../etc" }, "bad call hash")]
    [InlineData(new[] { "wait", "fib", "n=1", "--timeout", "soon" }, "bad duration")]
    [InlineData(new[] { "schedule", "fib", "n=1" }, "needs --topic")]
    [InlineData(new[] { "schedule", "fib", "n=1", "--topic", "t", "--at", "2030-01-01T00:00:00Z", "--in", "1m" }, "not both")]
    [InlineData(new[] { "schedule", "fib", "n=1", "--topic", "t", "--at", "next tuesday" }, "bad time")]
    [InlineData(new[] { "schedule", "fib", "n=1", "--topic", "t", "--in", "soon" }, "bad duration")]
    [InlineData(new[] { "dead-letters", "list", "--since", "yesterday-ish" }, "bad --since")]
    [InlineData(new[] { "no-such-command" }, "Unrecognized command")]
    [InlineData(new[] { "topics", "--layout", "sideways" }, "sideways")]
    public async Task Usage_mistakes_get_one_clear_line_and_exit_2(string[] args, string message)
    {
        var result = await BrrrTool.RunAsync(Url, args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_redis_url_is_a_usage_error_and_an_unreachable_one_exits_5_without_its_password()
    {
        var none = await BrrrTool.RunAsync(null, "topics");
        Assert.Equal(ExitCodes.Usage, none.ExitCode);
        Assert.Contains("BRRR_REDIS_URL", none.Error, StringComparison.Ordinal);

        const string password = "Sup3r-s3cret-pw";
        var port = RedisServer.FreePort();
        var closed = await BrrrTool.RunAsync($"redis://:{password}@127.0.0.1:{port}", "topics", "--json");
        Assert.Equal(ExitCodes.Backend, closed.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", closed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(password, closed.All, StringComparison.Ordinal);

        var option = await BrrrTool.RunAsync(null, "--redis", $"redis://:{password}@127.0.0.1:{port}", "status", "fib", "n=1");
        Assert.Equal(ExitCodes.Backend, option.ExitCode);
        Assert.DoesNotContain(password, option.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workflow_that_fails_on_a_demo_worker_reads_as_failed_through_the_tool_within_seconds()
    {
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, "brrr.poll-timeout = 200ms\nbrrr.retry-backoff-min = 10ms\nbrrr.retry-backoff-max = 50ms");
        try
        {
            using var worker = DemoProcess.Start(new Dictionary<string, string> { ["BRRR_DEMO_REDIS_URL"] = Url }, "worker", "--config", config);

            var scheduled = await BrrrTool.RunAsync(Url, "schedule", "boom", "message=kaput", "depth=3", "--topic", "brrr-cs-demo");
            Assert.Equal(ExitCodes.Ok, scheduled.ExitCode);
            var waited = await BrrrTool.RunAsync(Url, "wait", "boom", "message=kaput", "depth=3", "--timeout", "60s");

            Assert.Equal(ExitCodes.Failed, waited.ExitCode);
            Assert.StartsWith("failed: boom: kaput", waited.Out, StringComparison.Ordinal);
            var chain = waited.Out.Split('\n').Where(l => l.TrimStart().StartsWith("boom", StringComparison.Ordinal) || l.TrimStart().StartsWith("→ boom", StringComparison.Ordinal)).ToList();
            Assert.Equal(4, chain.Count);
            Assert.Contains("\"depth\":\"0\"", chain[0], StringComparison.Ordinal);
            Assert.Contains("\"depth\":\"3\"", chain[^1], StringComparison.Ordinal);
            var json = await BrrrTool.RunAsync(Url, "status", "boom", "message=kaput", "depth=3", "--json");
            Assert.Equal(4, JsonNode.Parse(json.Out)!["chain"]!.AsArray().Count);
            var inspected = await BrrrTool.RunAsync(Url, "inspect", "boom", "message=kaput", "depth=3");
            Assert.Equal(ExitCodes.Failed, inspected.ExitCode);
            Assert.Contains("verdict: failed: boom {\"depth\":\"3\",\"message\":\"kaput\"}: InvalidOperationException: kaput", inspected.Out, StringComparison.Ordinal);
            Assert.Contains("└─ boom {\"depth\":\"2\",\"message\":\"kaput\"}  failed: InvalidOperationException: kaput", inspected.Out, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static IEnumerable<string> Paths(Command command, string[] prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            string[] path = [.. prefix, sub.Name];
            yield return string.Join(' ', path);
            foreach (var deeper in Paths(sub, path))
            {
                yield return deeper;
            }
        }
    }
}
