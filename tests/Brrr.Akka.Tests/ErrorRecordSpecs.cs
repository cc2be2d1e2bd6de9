using Akka.Configuration;
using Brrr.Backends;
using Brrr.Protocol;
using Brrr.TestKit;

namespace Brrr.Akka.Tests;

/// <summary>Which failures get an error record: every one whose message names a call; an undecodable one only its dead letter.</summary>
public sealed class ErrorRecordSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    public ErrorRecordSpecs() : base(ConfigurationFactory.ParseString("akka.loglevel = OFF"))
    {
    }

    [Fact]
    public async Task An_undecodable_message_is_only_dead_lettered_and_a_decodable_one_without_a_call_record_gets_an_error_record_too()
    {
        await using var brrr = new LocalBrrr(Sys, "t");
        var store = (InMemoryStore)brrr.Backends.Store;

        await brrr.Backends.Queue.PushAsync("t", "this is not bencode");
        await brrr.Backends.Queue.PushAsync("t", new ScheduleMessage("root-x", "no-call-record-here").ToWire());

        await AwaitAssertAsync(() => Assert.Equal(2, brrr.Failures.Count(f => !f.Released)), TimeSpan.FromSeconds(10));
        Assert.Equal(2, (await brrr.Backends.Queue.GetStatsAsync("t:dead-letters")).Waiting);
        Assert.Equal(1, store.CountOf(MemKeyType.Error));
        var error = await brrr.Client.Memory.GetErrorAsync("no-call-record-here");
        Assert.Equal(typeof(CallNotFoundException).FullName, error!.ErrorType);
        Assert.Equal("root-x", error.RootId);
    }
}
