using System.Text;

namespace Brrr.Tests;

/// <summary>The error record of a call that failed for good: its JSON, its bounds, and what it records of an error.</summary>
public sealed class ErrorRecordTests
{
    private static readonly DateTimeOffset FailedAt = new(2026, 12, 3, 15, 0, 0, TimeSpan.Zero);

    private static ErrorRecord Record(string message = "kaput", params ErrorCause[] causes) =>
        new("boom", "hash0", "System.InvalidOperationException", message, 3, FailedAt, "root1", causes);

    private static ErrorCause Cause(int i) => new("boom", $"hash{i}", "Brrr.ChildFailedException", $"cause {i}");

    [Fact]
    public void An_error_record_reads_back_what_it_wrote()
    {
        var record = Record("it broke\n\"badly\" é", Cause(1), Cause(2));

        var read = ErrorRecord.Decode(record.Encode());

        Assert.Equal(record with { Causes = read.Causes }, read);
        Assert.Equal(record.Causes, read.Causes);
        Assert.Contains("\"failed_at\":\"2026-12-03T15:00:00.0000000Z\"", Encoding.UTF8.GetString(record.Encode()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_message_and_a_long_chain_are_cut_to_stay_under_ten_kilobytes()
    {
        var huge = new string('x', 100_000);
        var causes = Enumerable.Range(1, 40).Select(i => Cause(i) with { Message = huge }).Append(Cause(1)).ToArray();

        var bounded = Record(huge, causes).Bounded();

        Assert.Equal(ErrorRecord.MaxMessageChars, bounded.Message.Length);
        Assert.Equal(Enumerable.Range(1, ErrorRecord.MaxCauses).Select(i => $"hash{i}"), bounded.Causes.Select(c => c.CallHash));
        Assert.All(bounded.Causes, c => Assert.Equal(ErrorRecord.MaxCauseMessageChars, c.Message.Length));
        Assert.True(bounded.Encode().Length < 10_000, $"{bounded.Encode().Length} bytes");
    }

    [Fact]
    public void A_task_that_threw_is_recorded_with_what_it_threw_and_one_failed_by_its_child_with_the_child_chain()
    {
        var call = new Call("parent", [], "parenthash");
        var leaf = ErrorRecord.Of("boom", "hash0", "root1", new TaskFailedException(new Call("boom", [], "hash0"), new InvalidOperationException("kaput")), 2, FailedAt);
        var parent = ErrorRecord.Of("parent", "parenthash", "root1", new TaskFailedException(call, new ChildFailedException(leaf)), 1, FailedAt);

        Assert.Equal(typeof(InvalidOperationException).FullName, leaf.ErrorType);
        Assert.Equal("kaput", leaf.Message);
        Assert.Empty(leaf.Causes);
        Assert.Equal(typeof(ChildFailedException).FullName, parent.ErrorType);
        Assert.Equal([leaf.AsCause], parent.Causes);
        Assert.Equal("kaput", parent.RootCause.Message);
        Assert.True(ErrorRecord.IsChildFailure(new TaskFailedException(call, new ChildFailedException(leaf))));
        Assert.False(ErrorRecord.IsChildFailure(new TaskFailedException(call, new InvalidOperationException())));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1]")]
    [InlineData("{\"task_name\":\"t\"}")]
    [InlineData("{\"task_name\":\"t\",\"call_hash\":\"h\",\"error_type\":\"E\",\"message\":\"m\",\"attempts\":1,\"failed_at\":\"soon\",\"root_id\":\"r\",\"causes\":[]}")]
    [InlineData("{\"task_name\":\"t\",\"call_hash\":\"h\",\"error_type\":\"E\",\"message\":\"m\",\"attempts\":1,\"failed_at\":\"2026-01-01T00:00:00Z\",\"root_id\":\"r\",\"causes\":[1]}")]
    public void Bytes_that_are_not_an_error_record_are_a_protocol_error(string json) =>
        Assert.Throws<ProtocolException>(() => ErrorRecord.Decode(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void The_error_key_has_the_type_word_error() => Assert.Equal("error", MemKey.ErrorOf("abc").TypeWord);
}
