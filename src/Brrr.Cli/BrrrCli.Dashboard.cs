using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Brrr.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brrr.Cli;

public static partial class BrrrCli
{
    private const string ToolPolicy = "brrr-tool";

    /// <summary>Where the dashboard listens: loopback (127.0.0.1:8081) unless told otherwise.</summary>
    internal static readonly Option<string> ListenOption = new("--listen") { Description = "host:port to serve on; port 0 takes a free one. A host other than loopback must be named here", DefaultValueFactory = _ => "127.0.0.1:8081" };
    private static readonly Option<bool> ActionsOption = new("--actions") { Description = "Enable requeue, purge, retry and cancel on the pages, for anyone who can reach them (loopback only)" };

    internal static Command DashboardCommand() =>
        Sub("dashboard", "Serves the web dashboard (overview, workflows, dead letters) of the fleet on /brrr/, read only unless --actions, until Ctrl+C.")
            .With(ListenOption, ActionsOption)
            .Connected(async run =>
            {
                var (host, port) = Listen(run.Get(ListenOption));
                var actions = run.Get(ActionsOption);
                if (actions && !IsLoopback(host))
                {
                    throw new UsageException($"--actions serves actions with no sign-in: it is for loopback only, not {host}");
                }

                var builder = WebApplication.CreateSlimBuilder();
                builder.WebHost.UseUrls($"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}");
                builder.Logging.ClearProviders();
                builder.Services.AddAuthorization(o => o.AddPolicy(ToolPolicy, p => p.RequireAssertion(_ => true)));
                builder.Services.AddAntiforgery();
                var loopback = IsLoopback(host);
                if (loopback)
                {
                    // DNS rebinding: a page of another site that resolves its name to 127.0.0.1 reaches this server
                    // with its own name in the Host header; on loopback only loopback names are served.
                    builder.Services.AddHostFiltering(o => o.AllowedHosts = LoopbackHosts(host));
                }

                await using var app = builder.Build();
                if (loopback)
                {
                    app.UseHostFiltering();
                }

                app.MapBrrrDashboard(BrrrDashboardEndpoints.DefaultPrefix, run.Fleet.Backends, o =>
                {
                    o.ReadPolicy = ToolPolicy;
                    o.ActionPolicy = actions ? ToolPolicy : null;
                    o.DeadLetterSuffix = run.Fleet.DeadLetters.Suffix;
                    o.SpawnLimit = run.Fleet.Settings.Brrr.SpawnLimit;
                });
                await app.StartAsync(run.CancellationToken);
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                var url = $"{address}{BrrrDashboardEndpoints.DefaultPrefix}/";
                // One line, so a script reads the address before the server's lifetime ends.
                (run.Output with { Compact = true }).Write(
                    new JsonObject { ["url"] = url, ["actions"] = actions },
                    () => [$"serving the dashboard on {url} ({(actions ? "actions enabled" : "read only")}); Ctrl+C stops"]);
                await run.Output.Out.FlushAsync(run.CancellationToken);
                try
                {
                    await Task.Delay(Timeout.Infinite, run.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: stop serving.
                }

                await app.StopAsync(CancellationToken.None);
                return ExitCodes.Ok;
            });

    internal static (string Host, int Port) Listen(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon].Trim('[', ']') : "";
        if (host.Length == 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535
            || (Uri.CheckHostName(host) == UriHostNameType.Unknown))
        {
            throw new UsageException($"bad --listen '{text}': give host:port, e.g. 127.0.0.1:8081");
        }

        return (host, port);
    }

    internal static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The Host header names a server bound to the loopback <paramref name="host"/> answers: that address, and <c>localhost</c>.</summary>
    internal static List<string> LoopbackHosts(string host) => host == "localhost"
        ? ["localhost", "127.0.0.1", "[::1]"]
        : ["localhost", host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host];
}
