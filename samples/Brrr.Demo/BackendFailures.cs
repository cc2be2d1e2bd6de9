using System.Net;
using System.Net.Sockets;
using Brrr.DynamoDb;
using Amazon.SQS;
using Brrr.Redis;
using Brrr.Sqs;
using StackExchange.Redis;

namespace Brrr.Demo;

/// <summary>
/// Says which backend a failure comes from, for the web's 503 answers: "Redis at 127.0.0.1:6379 is unreachable", or
/// in SQS mode "SQS at http://127.0.0.1:4566/ is unreachable". Names endpoints only, never credentials.
/// </summary>
public sealed class BackendFailures
{
    private readonly Func<bool>? _redisConnected;
    private readonly Uri? _sqsUrl;
    private readonly Uri? _dynamoUrl;

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

    private BackendFailures(SqsQueueSettings sqs, Uri? dynamoUrl, string dynamo)
    {
        _sqsUrl = sqs.ServiceUrl;
        _dynamoUrl = dynamoUrl;
        Sqs = Name("SQS", sqs.ServiceUrl, sqs.Region);
        Redis = "";
        Dynamo = dynamo;
    }

    /// <summary>Describes the failures of <paramref name="environment"/>'s backends.</summary>
    public static BackendFailures Of(DemoEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var dynamo = Name("DynamoDB", environment.Dynamo?.Settings.ServiceUrl, environment.Dynamo?.Settings.Region);
        if (environment.Sqs is { } sqs)
        {
            return new BackendFailures(sqs.Settings, environment.Dynamo?.Settings.ServiceUrl, dynamo);
        }

        var multiplexer = (environment.Redis ?? throw new ArgumentException("the environment has neither Redis nor SQS", nameof(environment))).Multiplexer;
        return new BackendFailures($"Redis at {string.Join(", ", multiplexer.GetEndPoints().Select(Format))}", dynamo, () => multiplexer.IsConnected);
    }

    /// <summary>"Redis at host:port"; empty in SQS mode, which has no Redis.</summary>
    public string Redis { get; }

    /// <summary>"SQS at URL" (or in a region) in SQS mode, else <c>null</c>.</summary>
    public string? Sqs { get; }

    /// <summary>"DynamoDB at URL" (or in a region).</summary>
    public string Dynamo { get; }

    /// <summary>
    /// Why no request can succeed now (the Redis connection is down), or <c>null</c>. Always <c>null</c> in SQS mode:
    /// SQS and DynamoDB hold no connection to watch, so each request's own failure says which is down (<see cref="Describe"/>).
    /// </summary>
    public string? Down() => _redisConnected is null || _redisConnected() ? null : $"{Redis} is unreachable";

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
                AmazonSQSException e when Sqs is not null => $"{Sqs} failed: {e.Message}",
                HttpRequestException or SocketException => $"{Unreachable(cause)} is unreachable",
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

    /// <summary>
    /// The backend a connection failure names: DynamoDB in Redis mode; in SQS mode the one whose endpoint (host:port)
    /// the message names, else both.
    /// </summary>
    private string Unreachable(Exception error)
    {
        if (Sqs is null)
        {
            return Dynamo;
        }

        bool Names(Uri? url) => url is not null && error.Message.Contains($"{url.Host}:{url.Port}", StringComparison.OrdinalIgnoreCase);
        return (Names(_sqsUrl), Names(_dynamoUrl)) switch
        {
            (true, false) => Sqs,
            (false, true) => Dynamo,
            _ => $"{Sqs} or {Dynamo}",
        };
    }

    private static string Name(string service, Uri? url, string? region) => (url, region) switch
    {
        ({ } u, _) => $"{service} at {Redaction.Redact(u.ToString())}",
        (null, { } r) => $"{service} in {r}",
        _ => service,
    };

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
