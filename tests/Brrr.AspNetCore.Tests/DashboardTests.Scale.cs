using System.Diagnostics;
using System.Text.Json.Nodes;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Redis;
using OpenQA.Selenium;
using StackExchange.Redis;

namespace Brrr.AspNetCore.Tests;

// The dashboard at scale: a tree deeper than the inspector's bound, and thousands of dead letters.
public sealed partial class DashboardTests
{
    [Fact]
    public async Task A_chain_two_hundred_calls_deep_is_fetched_a_few_levels_at_a_time_and_opened_down_to_its_stuck_leaf()
    {
        await using var host = await StartAsync();
        using var browser = Browser.Start();
        var args = new JsonObject { ["n"] = 200 };
        await host.Worker.Client.ScheduleAsync(AdminHost.Chain, args, AdminHost.Topic);
        var db = host.Redis.Multiplexer.GetDatabase();
        await Eventually.HoldsAsync(async () => await db.ListLengthAsync(RedisLayout.Current.TopicList(AdminHost.ParkedTopic)) == 1, "the leaf parked", TimeSpan.FromMinutes(3));

        var hash = JsonCodec.Default.EncodeCall(AdminHost.Chain.Name, args).CallHash;
        var top = (await host.GetAsync($"/inspect?call_hash={hash}&depth=2")).Json["root"]!;
        var second = Assert.Single(top["children"]!.AsArray())!;
        var third = Assert.Single(second["children"]!.AsArray())!;
        Assert.True((bool)third["more_below"]!);
        Assert.Empty(third["children"]!.AsArray());
        Assert.Equal("waiting", (string)third["state"]!);

        browser.Open(Page(host, "?task=chain&args=" + Uri.EscapeDataString(args.ToJsonString()), "#workflow"));
        await browser.ElementAsync("#verdict", v => v.Text.Length > 0, "a verdict");
        var leaf = await browser.UntilAsync(
            () =>
            {
                browser.Driver.ExecuteScript("""
                    const closed = [...document.querySelectorAll('#tree details:not([open]) > summary')];
                    if (closed.length > 0 && !document.querySelector('#tree .loading')) closed[closed.length - 1].click();
                    """);
                return browser.Driver.FindElements(By.CssSelector("#tree li[data-state='queued']")).FirstOrDefault();
            },
            "the leaf, 201 levels down",
            TimeSpan.FromMinutes(3));

        Assert.Equal("201", leaf.GetAttribute("data-depth"));
        Assert.Contains("sibling {\"n\":-1}", leaf.Text, StringComparison.Ordinal);
        Assert.Contains($"queued on topic {AdminHost.ParkedTopic}", leaf.Text, StringComparison.Ordinal);
        Assert.True(browser.Driver.FindElements(By.CssSelector("#tree li[data-more-below='true']")).Count >= 3, "the page fetched subtrees past the first levels");
    }

    [Fact]
    public async Task Five_thousand_dead_letters_are_paged_and_a_selected_page_is_purged_in_one_request()
    {
        await using var host = await StartAsync();
        using var browser = Browser.Start();
        var db = host.Redis.Multiplexer.GetDatabase();
        var key = RedisLayout.Current.TopicList(AdminHost.Topic + ":dead-letters");
        var batch = db.CreateBatch();
        var pushes = Enumerable.Range(0, 10)
            .Select(chunk => batch.ListRightPushAsync(key, [.. Enumerable.Range(chunk * 500, 500).Select(i => (RedisValue)Letter(i))]))
            .ToList();
        batch.Execute();
        await Task.WhenAll(pushes);

        var clock = Stopwatch.StartNew();
        var last = (await host.GetAsync("/dead-letters?offset=4950&limit=50")).Json;
        Assert.True(clock.Elapsed <= TimeSpan.FromSeconds(10), $"the last page took {clock.Elapsed}");
        Assert.Equal(5000, (int)last["total"]!);
        Assert.Equal("failure 4999", (string)last["letters"]!.AsArray()[^1]!["error"]!);

        browser.Open(Page(host, hash: "#dead-letters"));

        await browser.ElementAsync("#letters-total", t => t.Text == "5000 in all", "the total");
        await browser.ElementAsync("#page", p => p.Text == "1–50 of 5000", "the first page");
        Assert.Equal(50, browser.Driver.FindElements(By.CssSelector("#letters tbody tr[data-id]")).Count);
        Assert.False(browser.Driver.FindElement(By.Id("prev")).Enabled);
        browser.Driver.FindElement(By.Id("next")).Click();
        await browser.ElementAsync("#page", p => p.Text == "51–100 of 5000", "the second page");
        Assert.Contains("failure 50", browser.Driver.FindElement(By.CssSelector("#letters tbody tr[data-id]")).Text, StringComparison.Ordinal);
        browser.Driver.FindElement(By.Id("prev")).Click();
        await browser.ElementAsync("#page", p => p.Text == "1–50 of 5000", "the first page again");

        browser.Driver.FindElement(By.Id("select-all")).Click();
        browser.Driver.FindElement(By.Id("purge-selected")).Click();
        var confirm = browser.Driver.SwitchTo().Alert();
        Assert.Equal("Purge 50 dead letter(s) for good?", confirm.Text);
        confirm.Accept();

        await browser.ElementAsync("#letters-result", t => t.Text == "purge: 50 of 50 done", "the purge's count");
        await browser.ElementAsync("#letters-total", t => t.Text == "4950 in all", "the letters left");
        Assert.Equal(4950, await db.ListLengthAsync(key));
        Assert.Equal(1L, browser.Driver.ExecuteScript("return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/dead-letters/purge')).length;"));
    }

    private static string Letter(int i) => new DeadLetter(
        AdminHost.Topic, $"message-{i}", "System.InvalidOperationException", $"failure {i}", $"root-{i % 7}", $"hash-{i}", "flaky", 2, DateTimeOffset.UtcNow).ToJson();
}
