using System.Diagnostics;
using Brrr.Contracts;

namespace Brrr.Cli.Tests;

/// <summary>The built <c>brrr</c> tool run as a real process, with its own environment and no terminal.</summary>
public static class BrrrTool
{
    /// <summary>The tool's assembly, built next to this test assembly's configuration.</summary>
    public static string Binary
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var path = Path.Combine(RepositoryRoot.Find(), "src", "Brrr.Cli", "bin", configuration, "net10.0", "Brrr.Cli.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"The brrr tool is not built at {path}: build BrrrAkka.sln first.");
        }
    }

    /// <summary>Runs <c>brrr</c> with <paramref name="args"/> to its end; BRRR_REDIS_URL is <paramref name="redisUrl"/> (none when null).</summary>
    public static Task<ToolResult> RunAsync(string? redisUrl, params string[] args) => RunWithAsync(RedisOnly(redisUrl), args);

    /// <summary>
    /// Runs <c>brrr</c> with <paramref name="args"/> to its end, with <paramref name="environment"/> as the only
    /// connection variables (BRRR_*, AWS_*, DYNAMODB_TABLE_NAME) it sees.
    /// </summary>
    public static async Task<ToolResult> RunWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(environment, args);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Runs <c>brrr</c> with <paramref name="args"/> on a pseudo-terminal (util-linux <c>script</c>), types
    /// <paramref name="answer"/> and Enter, and waits for its end; <see cref="ToolResult.Out"/> is what the terminal showed.
    /// </summary>
    public static async Task<ToolResult> RunOnTerminalAsync(string redisUrl, string answer, params string[] args)
    {
        var command = string.Join(' ', new[] { "dotnet", Binary }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        using var process = Start("script", ["-qec", command, "/dev/null"], RedisOnly(redisUrl));
        await process.StandardInput.WriteLineAsync(answer);
        await process.StandardInput.FlushAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>brrr</c> with <paramref name="args"/>, its standard streams redirected, for a command that runs until stopped.</summary>
    public static Process Start(string? redisUrl, params string[] args) => Start(RedisOnly(redisUrl), args);

    private static Process Start(IReadOnlyDictionary<string, string> environment, string[] args) => Start("dotnet", [Binary, .. args], environment);

    private static Process Start(string program, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(IsConnectionVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
    }

    private static bool IsConnectionVariable(string name) =>
        name.StartsWith("BRRR_", StringComparison.Ordinal) || name.StartsWith("AWS_", StringComparison.Ordinal) || name == "DYNAMODB_TABLE_NAME";

    private static Dictionary<string, string> RedisOnly(string? redisUrl) =>
        redisUrl is null ? [] : new() { ["BRRR_REDIS_URL"] = redisUrl };
}

/// <summary>How a run of the tool ended.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Out">What it printed on standard output.</param>
/// <param name="Error">What it printed on standard error.</param>
public sealed record ToolResult(int ExitCode, string Out, string Error)
{
    /// <summary>Everything it printed.</summary>
    public string All => Out + Error;
}
