using Brrr;

namespace Brrr.Tests;

public sealed class DeadLetterTests
{
    [Fact]
    public void A_dead_letter_reads_back_what_it_wrote_with_the_message_verbatim()
    {
        var message = "d4:call3:abc7:root_id5:r\"oot\u00e9e";
        var letter = DeadLetter.Of("brrr-cs-demo", message, new InvalidOperationException("it broke\nbadly"), "root", "abc", "fib", 3);

        var read = DeadLetter.Parse(letter.ToJson());

        Assert.Equal(letter with { FailedAt = read.FailedAt }, read);
        Assert.Equal(message, read.Message);
        Assert.Equal("System.InvalidOperationException", read.ErrorType);
        Assert.True(Math.Abs((read.FailedAt - letter.FailedAt).TotalMilliseconds) < 1);
    }

    [Fact]
    public void Unknown_parts_of_an_undecodable_message_are_left_out_and_read_back_as_null()
    {
        var json = DeadLetter.Of("t", "garbage", new ProtocolException("not bencode"), null, null, null, 1).ToJson();

        Assert.DoesNotContain("call_hash", json, StringComparison.Ordinal);
        var read = DeadLetter.Parse(json);
        Assert.Null(read.RootId);
        Assert.Null(read.CallHash);
        Assert.Null(read.TaskName);
        Assert.Equal("garbage", read.Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"topic\":\"t\"}")]
    [InlineData("{\"topic\":\"t\",\"message\":\"m\",\"error_type\":\"E\",\"error\":\"e\",\"attempts\":1,\"failed_at\":\"yesterday\"}")]
    [InlineData("{\"topic\":\"t\",\"message\":\"m\",\"error_type\":\"E\",\"error\":\"e\",\"attempts\":\"one\",\"failed_at\":\"2026-01-01T00:00:00Z\"}")]
    public void Text_that_is_not_a_dead_letter_is_a_protocol_error(string json)
    {
        var error = Assert.Throws<ProtocolException>(() => DeadLetter.Parse(json));
        Assert.Contains("dead letter", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_dead_letter_topic_is_the_topic_followed_by_the_suffix()
    {
        Assert.Equal("brrr-cs-demo:dead-letters", DeadLetter.TopicOf("brrr-cs-demo", ":dead-letters"));
        Assert.Throws<ArgumentException>(() => DeadLetter.TopicOf("t", ""));
    }
}
