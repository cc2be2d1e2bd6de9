using Akka.Actor;
using Akka.Configuration;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts;
using Brrr.Contracts.Servers;
using Brrr.DynamoDb;
using Brrr.Redis;
using Brrr.Tasks;
using Brrr.TestKit;

namespace Brrr.IntegrationTests;

/// <summary>Task retention on a real dynalite (which never deletes expired items): brrr reads a child past its expires_at as absent.</summary>
public sealed class DynamoRetentionTests(DynaliteServer dynalite) : IClassFixture<DynaliteServer>
{
    public sealed record N(int X);

    [Fact]
    public async Task A_child_with_a_two_second_retention_reads_as_absent_after_it_though_its_item_is_still_there_with_expires_at()
    {
        using var server = RedisServer.Start();
        await using var redis = await RedisBrrr.ConnectAsync(RedisBrrrSettings.Default with { Configuration = server.Configuration });
        var settings = DynamoDbStoreSettings.Default with { ServiceUrl = dynalite.ServiceUrl, Region = "us-east-1", TableName = "brrr-e2e-retention" };
        var credentials = new BasicAWSCredentials("dummy", "dummy");
        using var store = DynamoDbStore.Create(settings, credentials);
        using var raw = DynamoDbClientFactory.CreateClient(settings, credentials);
        await store.EnsureTableAsync();
        using var system = ActorSystem.Create("dynamo-retention", ConfigurationFactory.ParseString("""
            akka.loglevel = ERROR
            brrr.poll-timeout = 200ms
            brrr.tasks."leaf".retention = 2s
            """));
        var leaf = BrrrTask.Create<N, int>("leaf", (_, n) => Task.FromResult(n.X));
        var parent = BrrrTask.Create<N, int>("parent", async (ctx, n) => await ctx.Call(leaf, n) + 1);
        await using var brrr = new LocalBrrr(system, new Dictionary<string, TaskSet> { ["main"] = new(parent, leaf) },
            new BrrrBackends(store, redis.Cache, redis.Queue, JsonCodec.Default));
        var (leafHash, parentHash) = (JsonCodec.Default.EncodeCall("leaf", new N(7)).CallHash, JsonCodec.Default.EncodeCall("parent", new N(7)).CallHash);

        Assert.Equal(8, await brrr.RunAsync(parent, new N(7)));

        await Eventually.HoldsAsync(
            async () => !await store.HasAsync(MemKey.ValueOf(leafHash)) && !await store.HasAsync(MemKey.CallOf(leafHash)), "the leaf's records expired");
        var item = (await raw.GetItemAsync(new GetItemRequest
        {
            TableName = settings.TableName,
            Key = new() { ["pk"] = new AttributeValue { S = leafHash }, ["sk"] = new AttributeValue { S = "value" } },
            ConsistentRead = true,
        })).Item;
        Assert.NotNull(item?["expires_at"].N);
        Assert.True(await store.HasAsync(MemKey.ValueOf(parentHash)));

        // Asked again, the leaf runs again: its new value is written over the expired item.
        Assert.Equal(7, await brrr.RunAsync(leaf, new N(7)));
    }
}
