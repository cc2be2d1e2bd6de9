using System.Net;
using System.Net.Sockets;
using Brrr.DynamoDb;
using Brrr.Redis;
using StackExchange.Redis;

namespace Brrr.Demo;

/// <summary>
/// Says which backend a failure comes from, for the web's 503 answers: "Redis at 127.0.0.1:6379 is unreachable".
/// Names endpoints only, never credentials.
/// </summary>
public sealed class BackendFailures
{
    private readonly Func<bool> _redisConnected;

    /// <summary>Describes failures of a Redis (and a DynamoDB) known by these names.</summary>
    /// <param name="redis">"Redis at host:port".</param>
    /// <param name="dynamo">"DynamoDB at URL".</param>
    /// <param name="redisConnected">Whether the Redis connection is up now.</param>
    public BackendFailures(string redis, string dynamo, Func<bool> redisConnected)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(dynamo);
        ArgumentNullException.ThrowIfNull(redisConnected);
        Redis = redis;
        Dynamo = dynamo;
        _redisConnected = redisConnected;
    }

    /// <summary>Describes the failures of <paramref name="environment"/>'s backends.</summary>
    public static BackendFailures Of(DemoEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var dynamo = environment.Dynamo?.Settings switch
        {
            { ServiceUrl: { } url } => $"DynamoDB at {Redaction.Redact(url.ToString())}",
            { Region: { } region } => $"DynamoDB in {region}",
            _ => "DynamoDB",
        };
        var multiplexer = environment.Redis.Multiplexer;
        return new BackendFailures($"Redis at {string.Join(", ", multiplexer.GetEndPoints().Select(Format))}", dynamo, () => multiplexer.IsConnected);
    }

    /// <summary>"Redis at host:port".</summary>
    public string Redis { get; }

    /// <summary>"DynamoDB at URL" (or in a region).</summary>
    public string Dynamo { get; }

    /// <summary>Why no request can succeed now (the Redis connection is down), or <c>null</c>.</summary>
    public string? Down() => _redisConnected() ? null : $"{Redis} is unreachable";

    /// <summary>What <paramref name="error"/> (or an exception inside it) says about a backend, or <c>null</c> when it is no backend failure.</summary>
    public string? Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        foreach (var cause in Causes(error))
        {
            var description = cause switch
            {
                RedisTimeoutException => $"{Redis} is unreachable (no reply in time)",
                RedisConnectionException => $"{Redis} is unreachable",
                RedisServerException e => $"{Redis} refused the command: {e.Message}",
                DynamoDbTimeoutException => $"{Dynamo} is unreachable (no reply in time)",
                HttpRequestException or SocketException => $"{Dynamo} is unreachable",
                Amazon.Runtime.AmazonServiceException e => $"{Dynamo} failed: {e.Message}",
                _ => null,
            };
            if (description is not null)
            {
                return description;
            }
        }

        return null;
    }

    private static IEnumerable<Exception> Causes(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.Flatten().InnerExceptions.SelectMany(Causes))
                {
                    yield return inner;
                }

                yield break;
            }

            yield return e;
        }
    }

    private static string Format(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? "?",
    };
}
