using System.Collections.Frozen;
using Brrr.Akka;
using Brrr.Backends;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Brrr.AspNetCore;

/// <summary>
/// Maps the brrr dashboard: static pages (overview, workflow, dead letters; HTML, CSS and JS embedded in this
/// assembly, nothing from a CDN) under a prefix, over the admin API under <c>prefix/api</c>. The pages and reads take
/// <see cref="BrrrAdminOptions.ReadPolicy"/>; the actions exist only with <see cref="BrrrAdminOptions.ActionPolicy"/>,
/// and then also need the anti-forgery token the page gets from <c>api/capabilities</c> (the host calls
/// <c>services.AddAntiforgery()</c>). Every page is served with a Content-Security-Policy that allows only its own
/// scripts, styles and API.
/// </summary>
public static class BrrrDashboardEndpoints
{
    /// <summary>The usual prefix: <c>/brrr</c>.</summary>
    public const string DefaultPrefix = "/brrr";

    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (string ContentType, byte[] Bytes)> Assets = new[]
    {
        ("index.html", "text/html; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("common.js", "text/javascript; charset=utf-8"),
        ("overview.js", "text/javascript; charset=utf-8"),
        ("workflow.js", "text/javascript; charset=utf-8"),
        ("letters.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
    }.ToFrozenDictionary(a => a.Item1, a => (a.Item2, Read(a.Item1)), StringComparer.Ordinal);

    /// <summary>Maps the dashboard of the fleet behind <paramref name="backends"/> under <paramref name="prefix"/>.</summary>
    /// <param name="endpoints">The host's endpoints (<c>app</c>).</param>
    /// <param name="prefix">The route prefix, e.g. <see cref="DefaultPrefix"/>.</param>
    /// <param name="backends">The fleet's queue, store, cache and codec; the queue must implement <see cref="IQueueAdmin"/>.</param>
    /// <param name="configure">Sets the policies and limits, as for the admin API.</param>
    /// <returns>The route group of the pages and the API.</returns>
    public static RouteGroupBuilder MapBrrrDashboard(this IEndpointRouteBuilder endpoints, string prefix, BrrrBackends backends, Action<BrrrAdminOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        var options = BrrrAdminEndpoints.OptionsOf(configure);
        return Map(endpoints, prefix, options, api => BrrrAdminEndpoints.Map(api, "/api", backends.CreateClient(options.SpawnLimit), backends.Queue, options, antiforgery: true));
    }

    /// <summary>Maps the dashboard of <paramref name="worker"/>'s fleet under <paramref name="prefix"/>.</summary>
    /// <param name="endpoints">The host's endpoints (<c>app</c>).</param>
    /// <param name="prefix">The route prefix, e.g. <see cref="DefaultPrefix"/>.</param>
    /// <param name="worker">The worker; its queue must implement <see cref="IQueueAdmin"/>.</param>
    /// <param name="configure">Sets the policies and limits, as for the admin API.</param>
    /// <returns>The route group of the pages and the API.</returns>
    public static RouteGroupBuilder MapBrrrDashboard(this IEndpointRouteBuilder endpoints, string prefix, BrrrWorker worker, Action<BrrrAdminOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var options = BrrrAdminEndpoints.OptionsOf(worker, configure);
        return Map(endpoints, prefix, options, api => BrrrAdminEndpoints.Map(api, "/api", worker.Client, worker.Backends.Queue, options, antiforgery: true));
    }

    private static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix, BrrrAdminOptions options, Action<RouteGroupBuilder> mapApi)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var group = endpoints.MapGroup(prefix);
        mapApi(group);
        string[] reads = options.ReadPolicy is { } read ? [read] : [];
        group.MapGet("/", (RequestDelegate)(http => ServeAsync(http, "index.html"))).RequireAuthorization(reads);
        foreach (var asset in Assets.Keys.Where(name => name != "index.html"))
        {
            group.MapGet("/" + asset, (RequestDelegate)(http => ServeAsync(http, asset))).RequireAuthorization(reads);
        }
        return group;
    }

    private static Task ServeAsync(HttpContext http, string name)
    {
        var response = http.Response;
        if (name == "index.html" && !(http.Request.Path.Value ?? "").EndsWith('/'))
        {
            // The page's links are relative: it must be read at prefix/.
            response.Redirect(http.Request.PathBase + http.Request.Path + "/" + http.Request.QueryString);
            return Task.CompletedTask;
        }

        var (contentType, bytes) = Assets[name];
        response.ContentType = contentType;
        response.Headers.ContentSecurityPolicy = Policy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-cache";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, http.RequestAborted).AsTask();
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(BrrrDashboardEndpoints).Assembly.GetManifestResourceStream("Brrr.AspNetCore.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard's {name} is not embedded in Brrr.AspNetCore.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
