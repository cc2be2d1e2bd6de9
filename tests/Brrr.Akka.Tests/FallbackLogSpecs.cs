using Akka.Configuration;
using Akka.Event;
using Brrr.Tasks;
using Brrr.TestKit;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Brrr.Akka.Tests;

/// <summary>Without a host's logger factory, the runtime's entries go to Akka's own logging, rendered.</summary>
public sealed class FallbackLogSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    public FallbackLogSpecs() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        brrr.task-attempts = 1
        """))
    {
    }

    [Fact]
    public async Task A_worker_started_without_a_host_publishes_a_call_that_fails_for_good_as_an_akka_error()
    {
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Error));
        var boom = BrrrTask.Create<int, int>("boom", (_, _) => throw new InvalidOperationException("boom without a host"));
        await using var brrr = new LocalBrrr(Sys, "t", boom);
        var call = brrr.Backends.Codec.EncodeCall(boom.Name, 3);
        await brrr.Client.ScheduleAsync(call, "t", "root-without-host");

        // Akka names the source after the category and the system: "Brrr.Akka.Calls (akka://test)".
        var error = errors.FishForMessage<Error>(e => e.LogSource.StartsWith(BrrrLog.CallsCategory, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Equal("boom without a host", Assert.IsType<InvalidOperationException>(Assert.IsType<TaskFailedException>(error.Cause).InnerException).Message);
        var text = error.Message.ToString();
        Assert.Contains($"call {call.CallHash} of task boom on topic t (root root-without-host) failed for good on run 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_akka_logger_renders_braces_in_values_as_text_and_follows_akkas_level()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        var logger = new AkkaLogger(Logging.GetLogger(Sys, BrrrLog.QueueCategory));

        logger.LogWarning("message {Message} on topic {Topic}", "{\"args\":[1]}", "t");

        var warning = warnings.ExpectMsg<Warning>();
        Assert.Equal("message {\"args\":[1]} on topic t", warning.Message.ToString());
        Assert.StartsWith(BrrrLog.QueueCategory, warning.LogSource, StringComparison.Ordinal);
        Assert.Equal((false, true, true), (logger.IsEnabled(LogLevel.Information), logger.IsEnabled(LogLevel.Warning), logger.IsEnabled(LogLevel.Critical)));
    }
}
