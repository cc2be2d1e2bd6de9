using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Configuration;
using Brrr.Akka;
using Brrr.Codecs;
using Brrr.Contracts.Servers;
using Brrr.Redis;
using Brrr.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brrr.AspNetCore.Tests;

/// <summary>
/// A worker on a real redis-server and a real Kestrel serving its admin API under <see cref="Prefix"/>. Requests
/// authenticate with the header <c>X-Test-Role</c> (<c>reader</c> or <c>admin</c>); the policies <c>brrr-read</c>
/// (reader or admin), <c>brrr-admin</c> (admin) and <c>anyone</c> (no identity needed, for a browser) are registered
/// for the options to name. With <c>dashboard</c>, it maps the dashboard under <see cref="DashboardPrefix"/>, whose API is
/// the same <see cref="Prefix"/>.
/// </summary>
internal sealed class AdminHost : IAsyncDisposable
{
    public const string Prefix = "/brrr/api";
    public const string Topic = "admin";
    public const string ReadPolicy = "brrr-read";
    public const string AdminPolicy = "brrr-admin";
    public const string AnyonePolicy = "anyone";
    public const string DashboardPrefix = "/brrr";
    public const string ParkedTopic = "parked";

    private static readonly Config WorkerConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        brrr.poll-timeout = 200ms
        brrr.retry-backoff-min = 10ms
        brrr.retry-backoff-max = 50ms
        brrr.task-attempts = 2
        brrr.shutdown-timeout = 2s
        """);

    private AdminHost(WorkerWeb web) => Web = web;

    /// <summary>pair(n, salt) = sibling(n) + flaky(n); flaky throws until <see cref="Fixed"/>.</summary>
    public static TaskRef<JsonObject, int> Pair { get; } = BrrrTask.Ref<JsonObject, int>("pair");

    /// <summary>outer(n) = sibling(n) + sibling(n + 100), the second on <see cref="ParkedTopic"/>, which no worker serves.</summary>
    public static TaskRef<JsonObject, int> Outer { get; } = BrrrTask.Ref<JsonObject, int>("outer");

    /// <summary>chain(n) = chain(n - 1), down to chain(0) = sibling(-1) on <see cref="ParkedTopic"/>: a tree n + 2 calls deep, stuck at its leaf.</summary>
    public static TaskRef<JsonObject, int> Chain { get; } = BrrrTask.Ref<JsonObject, int>("chain");

    /// <summary>Whether <c>flaky</c> succeeds now.</summary>
    public bool Fixed { get; set; }

    public WorkerWeb Web { get; }

    public RedisServer Server => Web.Server;

    public RedisBrrr Redis => Web.Redis;

    public BrrrWorker Worker => Web.Worker;

    /// <summary>Starts the worker and the web; <paramref name="configure"/> sets the admin options (default: reads need brrr-read, actions brrr-admin).</summary>
    public static async Task<AdminHost> StartAsync(Action<BrrrAdminOptions>? configure = null, bool dashboard = false)
    {
        AdminHost? host = null;
        var flaky = BrrrTask.Create<JsonObject, int>("flaky", (_, a) => host!.Fixed ? Task.FromResult((int)a["n"]!) : throw new InvalidOperationException("not fixed yet"));
        var sibling = BrrrTask.Create<JsonObject, int>("sibling", (_, a) => Task.FromResult((int)a["n"]! * 10));
        var pair = BrrrTask.Create<JsonObject, int>(Pair.Name, async (ctx, a) => (await ctx.Gather(ctx.Call(sibling, a), ctx.Call(flaky, a))).Sum());
        var outer = BrrrTask.Create<JsonObject, int>(Outer.Name, async (ctx, a) =>
            (await ctx.Gather(ctx.Call(sibling, a), ctx.Call(sibling, new JsonObject { ["n"] = (int)a["n"]! + 100 }, ParkedTopic))).Sum());
        var chain = BrrrTask.Create<JsonObject, int>(Chain.Name, (ctx, a) => (int)a["n"]! == 0
            ? ctx.Call(sibling, new JsonObject { ["n"] = -1 }, ParkedTopic)
            : ctx.Call(Chain, new JsonObject { ["n"] = (int)a["n"]! - 1 }));
        var web = await WorkerWeb.StartAsync(
            "brrr-admin",
            WorkerConfig,
            s => s,
            Topic,
            new TaskSet(flaky, sibling, pair, outer, chain),
            (services, _) =>
            {
                services.AddAuthentication(RoleHeaderHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, RoleHeaderHandler>(RoleHeaderHandler.SchemeName, null);
                services.AddAuthorization(o =>
                {
                    o.AddPolicy(ReadPolicy, p => p.RequireRole("reader", "admin"));
                    o.AddPolicy(AdminPolicy, p => p.RequireRole("admin"));
                    o.AddPolicy(AnyonePolicy, p => p.RequireAssertion(_ => true));
                });
                services.AddAntiforgery();
            },
            (app, worker) =>
            {
                var options = configure ?? (o =>
                {
                    o.ReadPolicy = ReadPolicy;
                    o.ActionPolicy = AdminPolicy;
                });
                if (dashboard)
                {
                    app.MapBrrrDashboard(DashboardPrefix, worker, options);
                }
                else
                {
                    app.MapBrrrAdmin(Prefix, worker, options);
                }
            });
        host = new AdminHost(web);
        return host;
    }

    /// <summary>GET <see cref="Prefix"/><paramref name="path"/> as <paramref name="role"/> (anonymous when null).</summary>
    public Task<Answer> GetAsync(string path, string? role = "reader") => SendAsync(new HttpRequestMessage(HttpMethod.Get, Prefix + path), role);

    /// <summary>POST <paramref name="json"/> to <see cref="Prefix"/><paramref name="path"/> as <paramref name="role"/>.</summary>
    public Task<Answer> PostAsync(string path, string json, string? role = "admin", string mediaType = "application/json") =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, Prefix + path) { Content = new StringContent(json, Encoding.UTF8, mediaType) }, role);

    public async Task<Answer> SendAsync(HttpRequestMessage request, string? role)
    {
        using (request)
        {
            if (role is not null)
            {
                request.Headers.Add(RoleHeaderHandler.Header, role);
            }

            using var response = await Web.Http.SendAsync(request);
            return new Answer(response.StatusCode, response.Content.Headers.ContentType, await response.Content.ReadAsStringAsync());
        }
    }

    public ValueTask DisposeAsync() => Web.DisposeAsync();


    /// <summary>Authenticates a request whose <see cref="Header"/> names a role; no header, no identity (401 where one is needed).</summary>
    private sealed class RoleHeaderHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestRole";
        public const string Header = "X-Test-Role";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers[Header] is not [{ } role])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}

/// <summary>An HTTP answer: its status, its content type and its body.</summary>
internal sealed record Answer(HttpStatusCode Status, MediaTypeHeaderValue? ContentType, string Body)
{
    /// <summary>The body as JSON.</summary>
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("a null body");

    /// <summary>A problem body's message.</summary>
    public string Problem => ContentType?.MediaType == "application/problem+json" ? (string)Json["detail"]! : throw new InvalidOperationException($"no problem body: {Status} {Body}");
}
