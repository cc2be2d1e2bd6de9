using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2.Model;

namespace Brrr.DynamoDb;

public sealed partial class DynamoDbCache
{
    /// <summary>The most ticks one <see cref="TakeUnpushedScheduleTicksAsync"/> takes, whatever its <c>max</c>: its expressions stay far below DynamoDB's 4 KB.</summary>
    internal const int MaxTakenAtOnce = 100;

    private const string LastAttribute = "last";
    private const string UnpushedAttribute = "unpushed";
    private const string LastName = "#last";
    private const string UnpushedName = "#unpushed";
    private const string TickName = "#tick";
    private const string Tick = ":tick";
    private const string Claimed = ":claimed";

    private const string ClaimNext = "SET #last = :tick, #unpushed.#tick = :claimed";
    private const string IsKeptAndBefore = "attribute_exists(#unpushed) AND #last < :tick";
    private const string ClaimFirst = "SET #last = :tick, #unpushed = :claimed";
    private const string IsNew = "attribute_not_exists(#last)";
    private const string PushedTick = "REMOVE #unpushed.#tick";
    private const string IsUnpushed = "attribute_exists(#unpushed.#tick)";

    /// <inheritdoc />
    /// <remarks>
    /// One conditional <c>UpdateItem</c> of the schedule's item (a second and third only when it creates the item in a
    /// race): it sets <c>last</c> to the tick, if the tick is after <c>last</c>, and lists the tick in <c>unpushed</c>.
    /// No item per tick: <c>last</c> never expires and only moves forward, so a tick at or before it can never be
    /// claimed again, which is what a set-if-absent per tick would add; a single item needs no TransactWriteItems (whose
    /// concurrent claims of one tick cancel each other with TransactionConflict rather than one winning) and is one
    /// write. <paramref name="expiry"/> is checked and otherwise not needed. Claim times are the caller's clock.
    /// </remarks>
    public async Task<bool> ClaimScheduleTickAsync(string schedule, DateTimeOffset tick, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        var pk = ScheduleKey(schedule);
        var ms = tick.ToUnixTimeMilliseconds();
        var claimed = ItemLayout.Number(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var claimNext = new UpdateItemRequest
        {
            TableName = TableName,
            Key = Key(pk),
            UpdateExpression = ClaimNext,
            ConditionExpression = IsKeptAndBefore,
            ExpressionAttributeNames = new() { [LastName] = LastAttribute, [UnpushedName] = UnpushedAttribute, [TickName] = TickText(ms) },
            ExpressionAttributeValues = new() { [Tick] = ItemLayout.Number(ms), [Claimed] = claimed },
        };
        var claimFirst = new UpdateItemRequest
        {
            TableName = TableName,
            Key = Key(pk),
            UpdateExpression = ClaimFirst,
            ConditionExpression = IsNew,
            ExpressionAttributeNames = new() { [LastName] = LastAttribute, [UnpushedName] = UnpushedAttribute },
            ExpressionAttributeValues = new()
            {
                [Tick] = ItemLayout.Number(ms),
                [Claimed] = new AttributeValue { M = new() { [TickText(ms)] = claimed } },
            },
        };

        // The item, once created, always has its unpushed map: when the first and second writes both fail, the item was
        // created in between, and the third write's failure means that last is at or after the tick.
        return await UpdateIfAsync(pk, claimNext, cancellationToken).ConfigureAwait(false)
            || await UpdateIfAsync(pk, claimFirst, cancellationToken).ConfigureAwait(false)
            || await UpdateIfAsync(pk, claimNext, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<DateTimeOffset?> GetScheduleLastTickAsync(string schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var item = await GetLiveAsync(ScheduleKey(schedule), cancellationToken).ConfigureAwait(false);
        return item is not null && item.TryGetValue(LastAttribute, out var last) && last.N is not null
            ? DateTimeOffset.FromUnixTimeMilliseconds(NumberOf(last))
            : null;
    }

    /// <inheritdoc />
    /// <remarks>One <c>UpdateItem</c> removing the tick from the schedule's <c>unpushed</c> map, if it is there.</remarks>
    public async Task MarkScheduleTickPushedAsync(string schedule, DateTimeOffset tick, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var pk = ScheduleKey(schedule);
        await UpdateIfAsync(
            pk,
            new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(pk),
                UpdateExpression = PushedTick,
                ConditionExpression = IsUnpushed,
                ExpressionAttributeNames = new() { [UnpushedName] = UnpushedAttribute, [TickName] = TickText(tick.ToUnixTimeMilliseconds()) },
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A consistent read of the schedule's item, then one <c>UpdateItem</c> that resets the times of the ticks it takes,
    /// conditional on each still having the time read (so a concurrent take or push makes it read again). The grace is
    /// measured by the callers' clocks, at most <see cref="MaxTakenAtOnce"/> (100) ticks are taken at once.
    /// </remarks>
    public async Task<IReadOnlyList<DateTimeOffset>> TakeUnpushedScheduleTicksAsync(string schedule, TimeSpan grace, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var pk = ScheduleKey(schedule);
        while (true)
        {
            var item = await GetLiveAsync(pk, cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var stale = item is not null && item.TryGetValue(UnpushedAttribute, out var unpushed) && unpushed.M is { } listed
                ? listed
                    .Select(entry => (Tick: long.Parse(entry.Key, NumberStyles.Integer, CultureInfo.InvariantCulture), Since: entry.Value))
                    .Where(entry => NumberOf(entry.Since) <= now - (long)grace.TotalMilliseconds)
                    .OrderBy(entry => entry.Tick)
                    .Take(Math.Min(max, MaxTakenAtOnce))
                    .ToArray()
                : [];
            if (stale.Length == 0)
            {
                return [];
            }

            if (await UpdateIfAsync(pk, TakeRequest(pk, stale, now), cancellationToken).ConfigureAwait(false))
            {
                return [.. stale.Select(entry => DateTimeOffset.FromUnixTimeMilliseconds(entry.Tick))];
            }
        }
    }

    private static string ScheduleKey(string schedule) => "cache/schedule/" + schedule;

    private static string TickText(long ms) => ms.ToString(CultureInfo.InvariantCulture);

    // SET unpushed.#t0 = :now, ... IF unpushed.#t0 = :s0 AND ...
    private UpdateItemRequest TakeRequest(string pk, (long Tick, AttributeValue Since)[] stale, long now)
    {
        var names = new Dictionary<string, string> { [UnpushedName] = UnpushedAttribute };
        var values = new Dictionary<string, AttributeValue> { [Claimed] = ItemLayout.Number(now) };
        var update = new StringBuilder("SET ");
        var condition = new StringBuilder();
        for (var i = 0; i < stale.Length; i++)
        {
            names[$"#t{i}"] = TickText(stale[i].Tick);
            values[$":s{i}"] = stale[i].Since;
            update.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}#unpushed.#t{i} = :claimed");
            condition.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : " AND ")}#unpushed.#t{i} = :s{i}");
        }

        return new UpdateItemRequest
        {
            TableName = TableName,
            Key = Key(pk),
            UpdateExpression = update.ToString(),
            ConditionExpression = condition.ToString(),
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
        };
    }

    private Task<bool> UpdateIfAsync(string pk, UpdateItemRequest request, CancellationToken cancellationToken) =>
        DynamoDbStore.ConditionallyAsync(SendAsync("UpdateItem", pk, token => _client.UpdateItemAsync(request, token), cancellationToken));
}
