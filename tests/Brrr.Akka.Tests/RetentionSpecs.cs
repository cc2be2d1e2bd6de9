using Akka.Configuration;
using Brrr.Akka.Hosting;
using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.TestKit;
using Brrr.Tasks;
using Microsoft.Extensions.Configuration;

namespace Brrr.Akka.Tests;

/// <summary><c>brrr.tasks."name".retention</c>: read from HOCON, options and appsettings, applied by a worker, refused on a store that cannot expire.</summary>
public sealed class RetentionSpecs
{
    public sealed record N(int X);

    private static readonly BrrrTask<N, int> Leaf = BrrrTask.Create<N, int>("leaf", (_, n) => Task.FromResult(n.X));
    private static readonly BrrrTask<N, int> Parent = BrrrTask.Create<N, int>("parent", async (ctx, n) => await ctx.Call(Leaf, n) + 1);

    [Fact]
    public async Task A_worker_lets_the_records_of_a_task_with_a_two_second_retention_expire_and_keeps_the_others()
    {
        using var kit = new global::Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("brrr.tasks.\"leaf\".retention = 2s"));
        var store = new InMemoryStore();
        await using var brrr = new LocalBrrr(kit.Sys, new Dictionary<string, TaskSet> { ["main"] = new(Parent, Leaf) },
            new BrrrBackends(store, new InMemoryCache(), new InMemoryQueue(), JsonCodec.Default));

        Assert.Equal(8, await brrr.RunAsync(Parent, new N(7)));

        var (leaf, parent) = (JsonCodec.Default.EncodeCall("leaf", new N(7)).CallHash, JsonCodec.Default.EncodeCall("parent", new N(7)).CallHash);
        await Eventually.HoldsAsync(
            async () => !await store.HasAsync(MemKey.ValueOf(leaf)) && !await store.HasAsync(MemKey.CallOf(leaf)), "the leaf's records expired");
        Assert.True(await store.HasAsync(MemKey.ValueOf(parent)));
        Assert.True(await store.HasAsync(MemKey.CallOf(parent)));
    }

    [Fact]
    public async Task A_task_with_a_retention_on_a_store_that_cannot_expire_fails_the_start_naming_both()
    {
        using var kit = new global::Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("brrr.tasks.\"leaf\".retention = 1h"));
        var error = await Record.ExceptionAsync(async () =>
        {
            await using var brrr = new LocalBrrr(kit.Sys, new Dictionary<string, TaskSet> { ["main"] = new(Parent, Leaf) },
                new BrrrBackends(new NonExpiringStore(new InMemoryStore()), new InMemoryCache(), new InMemoryQueue(), JsonCodec.Default));
        });

        var message = error?.GetBaseException().Message ?? "";
        Assert.Contains("Task 'leaf'", message, StringComparison.Ordinal);
        Assert.Contains("NonExpiringStore cannot expire records", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_reads_from_hocon_options_and_appsettings_alike_and_defaults_to_forever()
    {
        Assert.Null(BrrrSettings.Create(ConfigurationFactory.Empty).TaskPolicies().RetentionOf(Leaf));

        var options = new BrrrOptions();
        options.Tasks["leaf"] = new TaskOptions { Retention = TimeSpan.FromDays(7) };
        var bound = new BrrrOptions().Bind(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Brrr:Tasks:leaf:Retention"] = "7d" })
            .Build().GetSection("Brrr"));

        foreach (var config in new[] { ConfigurationFactory.ParseString("brrr.tasks.\"leaf\".retention = 7d"), options.ToConfig(), bound.ToConfig() })
        {
            var policies = BrrrSettings.Create(config).TaskPolicies();
            Assert.Equal(TimeSpan.FromDays(7), policies.RetentionOf(Leaf));
            Assert.Null(policies.RetentionOf(Parent));
        }

        var zero = Assert.Throws<ConfigurationException>(() => BrrrSettings.Create(ConfigurationFactory.ParseString("brrr.tasks.\"leaf\".retention = 0s")));
        Assert.StartsWith("brrr.tasks.\"leaf\".retention must be > 0 or infinite", zero.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_retention_sample_keeps_thumbnails_a_day_and_reports_thirty_days()
    {
        var conf = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "samples", "Brrr.ReadmeSamples", "retention.conf"));
        var policies = BrrrSettings.Create(ConfigurationFactory.ParseString(conf)).TaskPolicies();
        TimeSpan? RetentionOf(string name) => policies.RetentionOf(BrrrTask.Create<N, int>(name, (_, n) => Task.FromResult(n.X)));

        Assert.Equal((TimeSpan.FromDays(1), TimeSpan.FromDays(30), null), (RetentionOf("thumbnail"), RetentionOf("report.daily"), RetentionOf("other")));
    }

    [Fact]
    public void A_task_s_own_retention_applies_unless_configured_and_infinite_keeps_forever()
    {
        var own = BrrrTask.Create<N, int>("own", (_, n) => Task.FromResult(n.X), new TaskOptions { Retention = TimeSpan.FromMinutes(1) });
        var defaults = BrrrSettings.Create(ConfigurationFactory.ParseString("brrr.task-defaults.retention = 1h")).TaskPolicies();
        var forever = BrrrSettings.Create(ConfigurationFactory.ParseString("brrr.tasks.\"own\".retention = infinite")).TaskPolicies();

        Assert.Equal(TimeSpan.FromMinutes(1), defaults.RetentionOf(own));
        Assert.Equal(TimeSpan.FromHours(1), defaults.RetentionOf(Leaf));
        Assert.Null(forever.RetentionOf(own));
    }

    /// <summary>A store that keeps records forever: it has no expiry of its own.</summary>
    /// <summary>A store that cannot expire records, over one that can.</summary>
    private sealed class NonExpiringStore(IStore inner) : ForwardingStore(inner)
    {
        public override bool CanExpire => false;

        public override Task ExpireAsync(MemKey key, TimeSpan ttl, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("NonExpiringStore cannot expire records.");

        public override Task PersistAsync(MemKey key, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("NonExpiringStore cannot expire records.");
    }
}
