using Brrr.Backends;
using Brrr.Codecs;
using Brrr.Protocol;
using Brrr.Tasks;

namespace Brrr.Tests;

/// <summary>
/// Size limits (<see cref="BrrrLimits"/>): nothing over a limit is written, a message over its limit is never decoded,
/// and a message of any size becomes a bounded log line and dead letter.
/// </summary>
public sealed class SizeLimitTests
{
    private const string Topic = "limits";
    private static readonly BrrrLimits Small = new() { MaxMessageBytes = 1024, MaxRecordBytes = 2048, MaxValueBytes = 1024 };

    private readonly InMemoryStore _store = new();
    private readonly InMemoryQueue _queue = new();
    private readonly BrrrClient _client;
    private readonly CallProcessor _processor;

    public SizeLimitTests()
    {
        _client = new BrrrClient(_store, new InMemoryCache(), _queue, limits: Small);
        _processor = new CallProcessor(_client.Memory, _client.Jobs, JsonCodec.Default);
    }

    public sealed record Blob(string Text);

    [Fact]
    public void The_defaults_stay_well_under_the_dynamodb_item_limit()
    {
        Assert.Equal(4096, BrrrLimits.Default.MaxMessageBytes);
        Assert.Equal(256 * 1024, BrrrLimits.Default.MaxRecordBytes);
        Assert.Equal(256 * 1024, BrrrLimits.Default.MaxValueBytes);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new BrrrLimits { MaxValueBytes = 1023 });
        Assert.Contains("BrrrLimits.MaxValueBytes must be at least 1024 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scheduling_a_call_whose_arguments_are_over_the_record_limit_fails_naming_the_limit_and_writes_nothing()
    {
        var task = BrrrTask.Create<Blob, int>("blob", (_, _) => Task.FromResult(1));
        var error = await Assert.ThrowsAsync<SizeLimitException>(() => _client.ScheduleAsync(task, new Blob(new string('x', 3000)), Topic));

        Assert.Equal("brrr.max-record-bytes", error.LimitName);
        Assert.Equal(2048, error.Limit);
        Assert.InRange(error.Size, 3000, 3100);
        Assert.Contains($"is {error.Size} bytes, over the limit of 2048 bytes (brrr.max-record-bytes)", error.Message, StringComparison.Ordinal);
        Assert.False(await _store.HasAsync(MemKey.CallOf(JsonCodec.Default.EncodeCall("blob", new Blob(new string('x', 3000))).CallHash)));
        Assert.Equal(new QueueStats(Topic, 0, 0), await _queue.GetStatsAsync(Topic));
    }

    [Fact]
    public async Task The_record_size_checked_is_the_size_of_the_encoded_record()
    {
        var call = JsonCodec.Default.EncodeCall("blob", new Blob(new string('x', 1900)));
        var encoded = CallRecord.Encode(call.TaskName, call.Payload).Length;
        Assert.Equal(encoded, CallRecord.EncodedLength(call.TaskName, call.Payload.Length));
        await _client.Memory.SetCallAsync(call);
        Assert.Equal(encoded, (await _store.GetAsync(MemKey.CallOf(call.CallHash)))!.Length);
    }

    [Fact]
    public async Task Storing_a_value_over_the_value_limit_fails_naming_the_limit_and_the_size_and_stores_nothing()
    {
        var error = await Assert.ThrowsAsync<SizeLimitException>(() => _client.Memory.SetValueAsync("h", new byte[1025]));
        Assert.Equal("The value of call h is 1025 bytes, over the limit of 1024 bytes (brrr.max-value-bytes): return less (a reference to data kept elsewhere) or raise the limit.", error.Message);
        await Assert.ThrowsAsync<SizeLimitException>(() => _client.Memory.SetValueAndSendReturnsAsync("h", new byte[1025], _ => Task.CompletedTask));
        Assert.False(await _store.HasAsync(MemKey.ValueOf("h")));
        await _client.Memory.SetValueAsync("h", new byte[1024]);
    }

    [Fact]
    public async Task A_task_returning_a_value_over_the_limit_fails_naming_the_task_the_limit_and_the_size()
    {
        var big = BrrrTask.Create<Blob, string>("big", (_, a) => Task.FromResult(new string('v', 2000) + a.Text));
        var call = await _client.ScheduleAsync(big, new Blob("!"), Topic);
        var loaded = await _processor.LoadAsync(await ReceiveAsync());

        var error = await Assert.ThrowsAsync<SizeLimitException>(() => _processor.RunAsync(loaded, new TaskSet(big)));
        Assert.StartsWith($"The value task 'big' returned for call {call.CallHash} is 2003 bytes, over the limit of 1024 bytes (brrr.max-value-bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_call_with_arguments_over_the_record_limit_fails_the_run_before_the_child_is_registered()
    {
        var child = BrrrTask.Create<Blob, int>("child", (_, a) => Task.FromResult(a.Text.Length));
        var parent = BrrrTask.Create<Blob, int>("parent", (ctx, a) => ctx.Call(child, new Blob(new string('c', 3000))));
        await _client.ScheduleAsync(parent, new Blob("p"), Topic);
        var loaded = await _processor.LoadAsync(await ReceiveAsync());

        var error = await Assert.ThrowsAsync<SizeLimitException>(() => _processor.RunAsync(loaded, new TaskSet(parent, child)));
        Assert.Equal("brrr.max-record-bytes", error.LimitName);
        Assert.Contains("The call record of task 'child'", error.Message, StringComparison.Ordinal);
        var childHash = JsonCodec.Default.EncodeCall("child", new Blob(new string('c', 3000))).CallHash;
        Assert.False(await _store.HasAsync(MemKey.PendingReturnsOf(childHash)));
    }

    [Fact]
    public async Task A_received_message_over_the_message_limit_is_refused_without_being_decoded()
    {
        var huge = "li2e4:r00t" + new string('9', 2000) + ":" + new string('h', 2000) + "e";
        var error = await Assert.ThrowsAsync<SizeLimitException>(() => _processor.LoadAsync(new QueueDelivery(Topic, huge, false)));
        Assert.Equal($"A queue message is {huge.Length} bytes, over the limit of 1024 bytes (brrr.max-message-bytes): it was not decoded or run.", error.Message);
    }

    [Fact]
    public void A_dead_letter_of_a_message_over_the_limit_keeps_a_bounded_prefix_and_the_full_size_and_says_so()
    {
        var huge = new string('m', 10 * 1024 * 1024);
        var letter = DeadLetter.Of(Topic, huge, new SizeLimitException("too big", "brrr.max-message-bytes", huge.Length, 4096), null, null, null, 1);

        Assert.Equal(new string('m', DeadLetter.KeptChars), letter.Message);
        Assert.Equal(huge.Length, letter.MessageBytes);
        Assert.Equal($"too big The dead letter keeps only the first {DeadLetter.KeptChars} characters of the {huge.Length}-byte message (message_bytes).", letter.Error);
        var json = letter.ToJson();
        Assert.True(json.Length < 2 * 1024, $"the dead letter is {json.Length} characters");
        Assert.Equal(letter.MessageBytes, DeadLetter.Parse(json).MessageBytes);

        var whole = DeadLetter.Of(Topic, "li2e1:r1:he", new ProtocolException("bad"), null, null, null, 1);
        Assert.Equal("li2e1:r1:he", whole.Message);
        Assert.Null(whole.MessageBytes);
        Assert.DoesNotContain("message_bytes", whole.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_excerpt_of_a_message_is_bounded_and_never_splits_a_surrogate_pair()
    {
        Assert.Equal("short", LogText.Excerpt("short"));
        var excerpt = LogText.Excerpt(new string('x', 1_000_000));
        Assert.Equal(new string('x', LogText.ExcerptChars) + "… (1000000 characters in all)", excerpt);
        var emoji = new string('a', LogText.ExcerptChars - 1) + "😀tail";
        Assert.StartsWith(new string('a', LogText.ExcerptChars - 1) + "…", LogText.Excerpt(emoji), StringComparison.Ordinal);
    }

    private async Task<QueueDelivery> ReceiveAsync()
    {
        await using var consumer = _queue.CreateConsumer(Topic);
        var delivery = await consumer.ReceiveAsync(TimeSpan.Zero);
        Assert.NotNull(delivery);
        await consumer.AckAsync(delivery);
        return delivery;
    }
}
