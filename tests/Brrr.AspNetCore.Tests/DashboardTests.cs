using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Redis;
using OpenQA.Selenium;

namespace Brrr.AspNetCore.Tests;

/// <summary>The dashboard in a real headless Chromium, over a real worker on a real redis-server.</summary>
public sealed partial class DashboardTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private static Task<AdminHost> StartAsync(bool actions = true) => AdminHost.StartAsync(
        o =>
        {
            o.ReadPolicy = AdminHost.AnyonePolicy;
            o.ActionPolicy = actions ? AdminHost.AnyonePolicy : null;
        },
        dashboard: true);

    private static Uri Page(AdminHost host, string query = "", string hash = "") => new(host.Web.Http.BaseAddress!, $"{AdminHost.DashboardPrefix}/{query}{hash}");

    [Fact]
    public async Task The_overview_lists_the_topics_with_their_depth_and_acknowledgement_rate_and_refreshes_without_a_reload()
    {
        await using var host = await StartAsync();
        using var browser = Browser.Start();
        for (var i = 0; i < 3; i++)
        {
            await host.Redis.Queue.PushAsync("idle-topic", $"job-{i}");
        }

        var failedRoot = await FailAsync(host, new JsonObject { ["n"] = 9, ["salt"] = "overview" });
        host.Fixed = true;
        for (var n = 1; n <= 3; n++)
        {
            await host.Worker.Client.ScheduleAsync(AdminHost.Pair, new JsonObject { ["n"] = n }, AdminHost.Topic);
            Assert.Equal(n * 11, await host.Worker.Client.WaitAsync(AdminHost.Pair, new JsonObject { ["n"] = n }, Within));
        }

        browser.Open(Page(host));

        var row = await browser.ElementAsync("#topics tr[data-topic='idle-topic']", r => r.FindElement(By.CssSelector(".waiting")).Text == "3", "idle-topic waiting 3");
        Assert.Equal("0", row.FindElement(By.CssSelector(".dead-letters")).Text);
        Assert.NotNull(await browser.ElementAsync($"#topics tr[data-topic='{AdminHost.Topic}']", _ => true, "the worker's topic"));
        await host.Redis.Queue.PushAsync("idle-topic", "job-3");
        await browser.ElementAsync("#topics tr[data-topic='idle-topic']", r => r.FindElement(By.CssSelector(".waiting")).Text == "4", "the new depth, without a reload");
        Assert.Contains("alive", (await browser.ElementAsync("#consumers tbody tr", _ => true, "a consumer")).Text, StringComparison.Ordinal);

        // Each pair is at least four messages acknowledged (pair deferring, its two children, pair again): twelve in the
        // last minute, 0.2 a second, once the next heartbeat carries them.
        await browser.ElementAsync(
            $"#topics tr[data-topic='{AdminHost.Topic}']",
            r => double.TryParse(r.FindElement(By.CssSelector(".rate")).Text, CultureInfo.InvariantCulture, out var rate) && rate >= 0.2
                && r.FindElement(By.CssSelector("svg.spark polyline")).GetAttribute("points")!.Length > 0,
            "at least 0.2 acks/s and a sparkline on the worker's topic");
        await browser.ElementAsync(
            "#consumers tbody tr",
            r => r.FindElements(By.CssSelector("td")) is var cells && cells[0].Text == AdminHost.Topic
                && long.TryParse(cells[5].Text, CultureInfo.InvariantCulture, out var acks) && acks >= 12,
            "the worker's consumer with at least 12 acknowledgements in the last minute");
        await browser.ElementAsync("#topics tr[data-topic='idle-topic']", r => r.FindElement(By.CssSelector(".rate")).Text == "n/a", "no rate on a topic nobody consumes");
        var heartbeat = (await browser.ElementAsync("#consumers tbody tr .heartbeat", _ => true, "a consumer's heartbeat age")).Text;
        Assert.Matches(@"^\d+\.\d s ago$", heartbeat);
        Assert.True(double.Parse(heartbeat.Split(' ')[0], CultureInfo.InvariantCulture) <= 30, $"a live consumer's heartbeat is {heartbeat}");
        var failed = await browser.ElementAsync($"#failed-roots tr[data-root='{failedRoot}']", _ => true, "the root that failed");
        Assert.Contains("not fixed yet", failed.Text, StringComparison.Ordinal);
        browser.Screenshot("dashboard-overview");
    }

    [Fact]
    public async Task A_failing_workflow_shows_as_failed_with_its_chain_and_requeuing_its_letters_through_the_page_after_the_fix_completes_it()
    {
        await using var host = await StartAsync();
        using var browser = Browser.Start();
        var args = new JsonObject { ["n"] = 3, ["salt"] = Guid.NewGuid().ToString("N") };
        var rootId = await FailAsync(host, args);

        browser.Open(Page(host));
        var failedRoot = await browser.ElementAsync($"#failed-roots tr[data-root='{rootId}']", _ => true, "the failed root");
        Assert.Contains("not fixed yet", failedRoot.Text, StringComparison.Ordinal);
        failedRoot.FindElement(By.LinkText("inspect")).Click();
        await browser.ElementAsync("#verdict", v => v.Text.StartsWith("failed: ", StringComparison.Ordinal) && v.Text.Contains("not fixed yet", StringComparison.Ordinal), "the root's verdict");
        Assert.Equal(rootId, browser.Driver.FindElement(By.Id("find-root")).GetAttribute("value"));

        browser.Open(Page(host, $"?task=pair&args={Uri.EscapeDataString(args.ToJsonString())}", "#workflow"));

        var verdict = await browser.ElementAsync("#verdict", v => v.Text.Length > 0, "a verdict");
        Assert.StartsWith("failed: pair", verdict.Text, StringComparison.Ordinal);
        Assert.Contains("failed", verdict.GetAttribute("class"), StringComparison.Ordinal);
        var flaky = await browser.ElementAsync("#tree li[data-state='failed']", li => li.Text.Contains("flaky", StringComparison.Ordinal), "the failed leaf");
        Assert.Contains("not fixed yet", flaky.Text, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException", browser.Driver.FindElement(By.CssSelector("#tree .chain")).Text, StringComparison.Ordinal);
        browser.Screenshot("dashboard-failed-workflow");

        host.Fixed = true;
        browser.Driver.FindElement(By.Id("nav-dead-letters")).Click();
        await browser.ElementAsync("#letters-total", t => t.Text == "2 in all", "two letters");
        browser.Driver.FindElement(By.Id("select-all")).Click();
        browser.Driver.FindElement(By.Id("requeue-selected")).Click();
        await browser.ElementAsync("#letters-result", t => t.Text == "requeue: 2 of 2 done", "the requeue's count");
        Assert.Equal(33, await host.Worker.Client.WaitAsync(AdminHost.Pair, args, Within));
        await browser.ElementAsync("#letters-total", t => t.Text == "0 in all", "no letters left");
    }

    [Fact]
    public async Task Letters_are_filtered_and_shown_a_tree_found_by_call_hash_collapses_and_Retry_runs_the_failed_root_again_after_the_fix()
    {
        await using var host = await StartAsync();
        using var browser = Browser.Start();
        var args = new JsonObject { ["n"] = 2, ["salt"] = Guid.NewGuid().ToString("N") };
        await FailAsync(host, args);

        browser.Open(Page(host, hash: "#dead-letters"));
        await browser.ElementAsync("#letters-total", t => t.Text == "2 in all", "both letters");
        browser.Driver.FindElement(By.Id("filter-task")).SendKeys("flaky");
        browser.Driver.FindElement(By.Id("filter-go")).Click();
        await browser.ElementAsync("#letters-total", t => t.Text == "1 in all", "the flaky letter only");
        browser.Driver.FindElement(By.CssSelector("#letters tbody tr[data-id] button.show")).Click();
        var shown = await browser.ElementAsync("#letter", l => l.Text.Length > 0, "the letter");
        Assert.Contains("\"task\": \"flaky\"", shown.Text, StringComparison.Ordinal);
        Assert.Contains("\"message\":", shown.Text, StringComparison.Ordinal);
        browser.Screenshot("dashboard-dead-letters");

        var hash = JsonCodec.Default.EncodeCall(AdminHost.Pair.Name, args).CallHash;
        browser.Driver.FindElement(By.Id("nav-workflow")).Click();
        browser.Driver.FindElement(By.Id("find-hash")).SendKeys(hash);
        browser.Driver.FindElement(By.Id("find-go")).Click();
        await browser.ElementAsync("#verdict", v => v.Text.StartsWith("failed: pair", StringComparison.Ordinal), "the verdict of the call hash");
        var leaf = await browser.ElementAsync("#tree li[data-state='failed'][data-depth='1']", _ => true, "the failed leaf");
        browser.Driver.FindElement(By.CssSelector("#tree > li > details > summary")).Click();
        await browser.UntilAsync(() => leaf.Displayed ? null : leaf, "the leaf hidden once its parent collapses");

        host.Fixed = true;
        browser.Driver.FindElement(By.Id("retry")).Click();
        var confirm = browser.Driver.SwitchTo().Alert();
        Assert.Equal($"Retry pair on topic {AdminHost.Topic}?", confirm.Text);
        confirm.Accept();
        await browser.ElementAsync("#action-result", r => r.Text.StartsWith("retried under root ", StringComparison.Ordinal), "the retry");
        Assert.Equal(22, await host.Worker.Client.WaitAsync(AdminHost.Pair, args, Within));
    }

    [Fact]
    public async Task A_stuck_workflow_found_by_its_root_id_is_cancelled_with_the_Cancel_button()
    {
        await using var host = await StartAsync();
        using var browser = Browser.Start();
        var rootId = BrrrClient.NewRootId();
        await host.Worker.Client.ScheduleAsync(host.Worker.Client.Codec.EncodeCall(AdminHost.Outer.Name, new JsonObject { ["n"] = 7 }), AdminHost.Topic, rootId);
        var parked = RedisLayout.Current.TopicList(AdminHost.ParkedTopic);
        await Eventually.HoldsAsync(async () => await host.Redis.Multiplexer.GetDatabase().ListLengthAsync(parked) == 1, "outer parks its second child", Within);

        browser.Open(Page(host, hash: "#workflow"));
        browser.Driver.FindElement(By.Id("find-root")).SendKeys(rootId);
        browser.Driver.FindElement(By.Id("find-go")).Click();
        await browser.ElementAsync("#verdict", v => v.Text.StartsWith("in progress: 1 call queued", StringComparison.Ordinal), "the root's verdict");
        Assert.Equal("waiting", browser.Driver.FindElement(By.CssSelector("#tree > li")).GetAttribute("data-state"));
        Assert.False(await host.Worker.Client.IsCancelledAsync(rootId));

        browser.Driver.FindElement(By.Id("cancel")).Click();
        var confirm = browser.Driver.SwitchTo().Alert();
        Assert.Equal($"Cancel root {rootId}?", confirm.Text);
        confirm.Accept();

        await browser.ElementAsync("#action-result", r => r.Text == $"cancelled root {rootId}", "the cancellation");
        Assert.True(await host.Worker.Client.IsCancelledAsync(rootId));
    }

    /// <summary>Schedules pair(<paramref name="args"/>) under a new root while flaky fails, and waits for its two dead letters; returns the root.</summary>
    private static async Task<string> FailAsync(AdminHost host, JsonObject args)
    {
        var rootId = BrrrClient.NewRootId();
        await host.Worker.Client.ScheduleAsync(host.Worker.Client.Codec.EncodeCall(AdminHost.Pair.Name, args), AdminHost.Topic, rootId);
        await Assert.ThrowsAsync<CallFailedException>(() => host.Worker.Client.WaitAsync(AdminHost.Pair, args, Within));
        await Eventually.HoldsAsync(async () => (int)(await host.GetAsync($"/dead-letters?root_id={rootId}")).Json["total"]! == 2, "both letters", Within);
        return rootId;
    }

    [Fact]
    public async Task A_stuck_tree_shows_its_verdict_and_the_lost_leaf_below_its_waiting_parent()
    {
        await using var host = await StartAsync();
        using var browser = Browser.Start();
        var args = new JsonObject { ["n"] = 5 };
        await host.Worker.Client.ScheduleAsync(AdminHost.Outer, args, AdminHost.Topic);
        var db = host.Redis.Multiplexer.GetDatabase();
        var parked = RedisLayout.Current.TopicList(AdminHost.ParkedTopic);
        await Eventually.HoldsAsync(async () => await db.ListLengthAsync(parked) == 1, "outer parks its second child", Within);
        Assert.Equal(1, await db.ListRemoveAsync(parked, (await db.ListRangeAsync(parked))[0]));

        browser.Open(Page(host, "?task=outer&args=" + Uri.EscapeDataString(args.ToJsonString()), "#workflow"));

        var verdict = await browser.ElementAsync("#verdict", v => v.Text.Length > 0, "a verdict");
        Assert.StartsWith("lost: sibling {\"n\":105} is awaited but no job exists", verdict.Text, StringComparison.Ordinal);
        Assert.Contains("lost", verdict.GetAttribute("class"), StringComparison.Ordinal);
        var top = await browser.ElementAsync("#tree > li", li => li.GetAttribute("data-state") == "waiting", "outer waiting");
        Assert.Contains("waiting on 1 child", top.Text, StringComparison.Ordinal);
        var lost = await browser.ElementAsync("#tree li li[data-state='lost']", _ => true, "the lost child under its parent");
        Assert.Contains("sibling {\"n\":105}", lost.Text, StringComparison.Ordinal);
        browser.Screenshot("dashboard-stuck-workflow");
    }

    [Fact]
    public async Task Without_an_action_policy_the_page_is_read_only_and_the_api_refuses_every_action()
    {
        await using var host = await StartAsync(actions: false);
        using var browser = Browser.Start();
        await host.Redis.Queue.PushAsync(AdminHost.Topic + ":dead-letters", "garbage");

        browser.Open(Page(host, hash: "#dead-letters"));

        await browser.ElementAsync("#mode", m => m.Text == "read only", "read only");
        await browser.ElementAsync("#letters-total", t => t.Text == "1 in all", "the letter");
        Assert.False(browser.Driver.FindElement(By.Id("requeue-selected")).Enabled);
        Assert.False(browser.Driver.FindElement(By.Id("purge-selected")).Enabled);
        var status = browser.Driver.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            fetch('api/dead-letters/purge', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"all":true}' }).then(r => done(r.status));
            """);
        Assert.True(Convert.ToInt32(status, System.Globalization.CultureInfo.InvariantCulture) is 404 or 405, $"purge answered {status}");
        Assert.Equal(1, (await host.Redis.Queue.GetStatsAsync(AdminHost.Topic + ":dead-letters")).Waiting);
    }

    [Fact]
    public async Task An_action_without_the_pages_anti_forgery_token_is_refused_and_the_pages_carry_a_strict_policy()
    {
        await using var host = await StartAsync();
        await host.Redis.Queue.PushAsync(AdminHost.Topic + ":dead-letters", "garbage");

        var forged = await host.PostAsync("/dead-letters/purge", """{"all":true}""", role: null);

        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Contains("anti-forgery", forged.Problem, StringComparison.Ordinal);
        Assert.Equal(1, (await host.Redis.Queue.GetStatsAsync(AdminHost.Topic + ":dead-letters")).Waiting);
        using var page = await host.Web.Http.GetAsync(new Uri($"{AdminHost.DashboardPrefix}/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        using var bare = await host.Web.Http.GetAsync(new Uri(AdminHost.DashboardPrefix, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
        Assert.EndsWith($"{AdminHost.DashboardPrefix}/", bare.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        using var other = await host.Web.Http.GetAsync(new Uri($"{AdminHost.DashboardPrefix}/app.exe", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }
}
