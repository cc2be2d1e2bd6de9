using System.CommandLine;
using System.Text.Json.Nodes;
using Brrr.Redis;
using StackExchange.Redis;

namespace Brrr.Cli;

public static partial class BrrrCli
{
    private static readonly Option<string[]> ResetTopicOption = new("--topic") { Description = "A topic whose lists (and dead letters) go too, beside every topic the queue lists; repeatable", Arity = ArgumentArity.ZeroOrMore };

    private static Command ResetCommand() =>
        Sub("reset", "Deletes everything brrr keeps in this Redis (records, spawn counters, topic lists with their dead letters and bookkeeping, in both key layouts) and drops the DynamoDB table when the store is DynamoDB. For development fleets: nothing is left to recover.")
            .With(ResetTopicOption, YesOption)
            .Connected(async run =>
            {
                Confirmation.Require(run.Get(YesOption), "delete every brrr record and queued job of this Redis" + (run.Fleet.Dynamo is null ? "" : " and drop the DynamoDB table"), run.Output);
                string? table = null;
                if (run.Fleet.Dynamo is { } dynamo)
                {
                    await dynamo.DeleteTableAsync(run.CancellationToken);
                    table = dynamo.TableName;
                }

                var deleted = await DeleteBrrrKeysAsync(run.Fleet, run.Get(ResetTopicOption) ?? [], run.CancellationToken);
                run.Output.Write(
                    new JsonObject { ["dropped_table"] = table, ["deleted_keys"] = deleted },
                    () => [.. table is null ? Array.Empty<string>() : [$"dropped DynamoDB table {table}"], $"deleted {deleted} Redis key(s)"]);
                return ExitCodes.Ok;
            });

    /// <summary>Deletes the store's keys, the spawn counters of both layouts and the lists of every topic (and its dead letters) in both layouts.</summary>
    private static async Task<long> DeleteBrrrKeysAsync(Fleet fleet, IEnumerable<string> named, CancellationToken cancellationToken)
    {
        var prefix = fleet.Redis.Settings.KeyPrefix;
        if (prefix.Length == 0)
        {
            throw new UsageException("reset needs brrr.redis.key-prefix: with no prefix, brrr's records cannot be told from other keys");
        }

        var topics = (await ((Backends.IQueueAdmin)fleet.Queue).ListTopicsAsync(cancellationToken)).Concat(named).ToHashSet(StringComparer.Ordinal);
        topics.UnionWith(topics.Select(t => t + fleet.DeadLetters.Suffix).ToList());
        var layouts = Enum.GetValues<RedisLayout>();
        var patterns = new[] { $"{prefix}*", $"{{*}}:{prefix}*" }
            .Concat(layouts.Select(layout => layout.SpawnCounterPattern()))
            .Concat(layouts.SelectMany(layout => topics.Select(topic => layout.TopicList(topic))))
            .ToList();
        var database = fleet.Redis.Multiplexer.GetDatabase();
        var deleted = 0L;
        foreach (var server in fleet.Redis.Multiplexer.GetServers().Where(s => !s.IsReplica))
        {
            foreach (var pattern in patterns)
            {
                var keys = new List<RedisKey>();
                await foreach (var key in server.KeysAsync(fleet.Redis.Settings.Database, pattern).WithCancellation(cancellationToken))
                {
                    keys.Add(key);
                }

                // One DEL per hash slot: a cluster refuses a DEL whose keys span slots (CROSSSLOT); a single server has
                // no slots (every key maps to -1), so it gets one DEL as before.
                foreach (var slot in keys.GroupBy(key => fleet.Redis.Multiplexer.HashSlot(key)))
                {
                    deleted += await database.KeyDeleteAsync([.. slot]);
                }
            }
        }

        return deleted;
    }
}
