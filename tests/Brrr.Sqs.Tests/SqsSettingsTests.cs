using System.Text;
using Akka.Configuration;
using Amazon.Runtime;
using Brrr.Akka.Hosting;
using Brrr.Sqs.Hosting;
using Microsoft.Extensions.Configuration;

namespace Brrr.Sqs.Tests;

/// <summary>The <c>brrr.sqs</c> settings: documented defaults, HOCON, appsettings and code agree, bad values name their key.</summary>
public sealed class SqsSettingsTests
{
    [Fact]
    public void Every_key_documented_in_reference_conf_shows_its_default()
    {
        using var stream = typeof(SqsQueueHocon).Assembly.GetManifestResourceStream("Brrr.Sqs.Hosting.reference.conf")!;
        using var reader = new StreamReader(stream);
        var documented = ConfigurationFactory.ParseString(reader.ReadToEnd().Replace("#: ", "", StringComparison.Ordinal));

        Assert.Equal(10, documented.GetConfig(SqsQueueSettings.ConfigPath).AsEnumerable().Count());
        Assert.Equal(Describe(SqsQueueSettings.Default), Describe(SqsQueueHocon.Create(documented)));
        Assert.NotEqual(Describe(SqsQueueSettings.Default), Describe(SqsQueueHocon.Create(ConfigurationFactory.ParseString("brrr.sqs.max-error-retries = 3"))));
    }

    [Fact]
    public void Hocon_appsettings_and_code_give_the_same_settings()
    {
        var fromHocon = SqsQueueHocon.Create(ConfigurationFactory.ParseString("""
            brrr.sqs {
              region = eu-west-1
              service-url = "http://127.0.0.1:4566"
              queue-name-prefix = "app-"
              queue-names { "fib-topic" = "fib-queue" }
              create-queues = off
              visibility-timeout = 45s
              max-message-bytes = 262144
              max-error-retries = 2
              retry-mode = adaptive
              request-timeout = 3s
            }
            """));
        var json = """
            { "Brrr": { "Sqs": { "Region": "eu-west-1", "ServiceUrl": "http://127.0.0.1:4566", "QueueNamePrefix": "app-",
              "QueueNames": { "fib-topic": "fib-queue" }, "CreateQueues": false, "VisibilityTimeout": "00:00:45",
              "MaxMessageBytes": 262144, "MaxErrorRetries": 2, "RetryMode": "adaptive", "RequestTimeout": "3s" } } }
            """;
        var section = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("Brrr");
        var fromAppSettings = SqsQueueHocon.Create(ConfigurationHocon.ToConfig(section));
        var code = new SqsQueueOptions
        {
            Region = "eu-west-1",
            ServiceUrl = new Uri("http://127.0.0.1:4566"),
            QueueNamePrefix = "app-",
            CreateQueues = false,
            VisibilityTimeout = TimeSpan.FromSeconds(45),
        };
        var fromCode = SqsQueueHocon.Create(code.ToConfig().WithFallback(ConfigurationFactory.ParseString("""
            brrr.sqs {
              queue-names { "fib-topic" = "fib-queue" }
              max-message-bytes = 262144
              max-error-retries = 2
              retry-mode = adaptive
              request-timeout = 3s
            }
            """)));

        Assert.Equal(Describe(fromHocon), Describe(fromAppSettings));
        Assert.Equal(Describe(fromHocon), Describe(fromCode));
        Assert.Equal("fib-queue", fromHocon.QueueName("fib-topic"));
        Assert.Equal("app-other-dead-letters", fromHocon.QueueName("other:dead-letters"));
        Assert.Equal(RequestRetryMode.Adaptive, fromHocon.RetryMode);
        Assert.False(fromHocon.CreateQueues);
    }

    [Theory]
    [InlineData("brrr.sqs.visibility-timeout = 1s", "brrr.sqs.visibility-timeout")]
    [InlineData("brrr.sqs.visibility-timeout = 2500ms", "brrr.sqs.visibility-timeout")]
    [InlineData("brrr.sqs.max-message-bytes = 2000000", "brrr.sqs.max-message-bytes")]
    [InlineData("brrr.sqs.queue-name-prefix = \"no spaces\"", "brrr.sqs.queue-name-prefix")]
    [InlineData("brrr.sqs.retry-mode = sometimes", "brrr.sqs.retry-mode")]
    [InlineData("brrr.sqs.service-url = \"ftp://x\"", "brrr.sqs.service-url")]
    [InlineData("brrr.sqs.queue-names { t = \"bad name\" }", "brrr.sqs.queue-names")]
    public void A_bad_value_is_refused_naming_its_key(string hocon, string key)
    {
        var error = Assert.Throws<ArgumentException>(() => SqsQueueHocon.Create(ConfigurationFactory.ParseString(hocon)));
        Assert.StartsWith(key + ":", error.Message, StringComparison.Ordinal);
    }

    private static string Describe(SqsQueueSettings s) =>
        $"{s.Region}|{s.ServiceUrl}|{s.QueueNamePrefix}|{string.Join(",", s.QueueNames.OrderBy(p => p.Key, StringComparer.Ordinal))}|{s.CreateQueues}|" +
        $"{s.VisibilityTimeout}|{s.MaxMessageBytes}|{s.MaxErrorRetries}|{s.RetryMode}|{s.RequestTimeout}";
}
