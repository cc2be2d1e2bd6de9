using System.Net;
using Amazon.Runtime;
using StackExchange.Redis;

namespace Brrr.AspNetCore.Tests;

/// <summary>Which failures the admin API answers 503 (the backends are out) rather than 500.</summary>
public sealed class BackendOutageTests
{
    public static TheoryData<Exception, bool> Failures() => new()
    {
        { new TimeoutException("slow"), true },
        { new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down"), true },
        { new AmazonServiceException("unavailable") { StatusCode = HttpStatusCode.ServiceUnavailable }, true },
        { new AmazonClientException("no route", new HttpRequestException("refused")), true },
        { new AmazonServiceException("bad request") { StatusCode = HttpStatusCode.BadRequest }, false },
        { new RedisServerException("WRONGTYPE Operation against a key holding the wrong kind of value"), false },
        { new InvalidOperationException("a bug"), false },
        { new ProtocolException("a corrupt record"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Only_unreachable_or_slow_backends_are_an_outage(Exception failure, bool outage) =>
        Assert.Equal(outage, BackendOutage.Is(failure));
}
