using System.Net;
using System.Net.Sockets;

namespace Brrr.AspNetCore;

/// <summary>
/// Tells a backend outage (Redis or DynamoDB unreachable, timing out, or answering with a server error) from any other
/// failure, by the exception and its inner exceptions. This package references no backend client, so their connection
/// and service errors are known by their type names.
/// </summary>
internal static class BackendOutage
{
    private const string RedisConnection = "StackExchange.Redis.RedisConnectionException";
    private const string AmazonService = "Amazon.Runtime.AmazonServiceException";

    /// <summary>Whether <paramref name="error"/> says the queue or store could not be reached or did not answer in time.</summary>
    public static bool Is(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or OperationCanceledException or SocketException or HttpRequestException or IOException
                || Named(e, RedisConnection)
                || (Named(e, AmazonService) && e.GetType().GetProperty("StatusCode")?.GetValue(e) is HttpStatusCode status && (int)status >= 500))
            {
                return true;
            }

            if (e is AggregateException { InnerExceptions.Count: > 0 } many && many.InnerExceptions.All(Is))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Named(Exception error, string fullName)
    {
        for (var type = error.GetType(); type is not null; type = type.BaseType)
        {
            if (type.FullName == fullName)
            {
                return true;
            }
        }

        return false;
    }
}
