using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Brrr.Contracts;

namespace Brrr.Tests;

/// <summary>
/// <c>dotnet pack</c> of the solution, from the build the tests run on, yields one package per project under src/ with
/// what a team needs to consume it: a version from git, the license, its README, the repository commit, XML docs, and
/// a symbols package; the tool is a .NET tool; and a newcomer's <c>dotnet new worker</c> with the README's hosting
/// example pasted in runs on those packages.
/// </summary>
public sealed class PackageTests(PackageTests.Packed packed) : IClassFixture<PackageTests.Packed>
{
    private static readonly string Root = RepositoryRoot.Find();

    [Fact]
    public async Task Every_src_project_packs_with_a_version_license_readme_repository_commit_docs_and_symbols()
    {
        var output = packed.Output;
        var head = (await RunAsync("git", "-C", Root, "rev-parse", "HEAD")).Text.Trim();
        Assert.Contains("Apache License", await File.ReadAllTextAsync(Path.Combine(Root, "LICENSE")), StringComparison.Ordinal);

        var projects = Directory.GetDirectories(Path.Combine(Root, "src")).Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj"))).Select(Path.GetFileName).ToList();
        Assert.Contains("Brrr.Cli", projects);
        foreach (var id in projects)
        {
            var package = Assert.Single(output.GetFiles($"{id}.*.nupkg"), f => IsVersionOf(f.Name, id, ".nupkg"));
            var version = package.Name[(id!.Length + 1)..^".nupkg".Length];
            Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$", version);
            Assert.NotEqual("1.0.0", version);

            using var zip = ZipFile.OpenRead(package.FullName);
            var nuspec = XDocument.Load(zip.GetEntry($"{id}.nuspec")!.Open()).Root!;
            XNamespace ns = nuspec.Name.Namespace;
            var metadata = nuspec.Element(ns + "metadata")!;
            Assert.Equal(version, metadata.Element(ns + "version")!.Value);
            Assert.Equal("Apache-2.0", metadata.Element(ns + "license")!.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")!.Value), $"{id} has no description");
            var repository = metadata.Element(ns + "repository")!;
            Assert.Equal("git", repository.Attribute("type")!.Value);
            Assert.Equal(head, repository.Attribute("commit")!.Value);
            var readme = new StreamReader(zip.GetEntry("README.md")!.Open()).ReadToEnd();
            Assert.StartsWith($"# {id}\n", readme, StringComparison.Ordinal);

            var folder = id == "Brrr.Cli" ? "tools/net10.0/any/" : "lib/net10.0/";
            Assert.Contains(zip.Entries, e => e.FullName == $"{folder}{id}.dll");
            if (id == "Brrr.Cli")
            {
                Assert.Contains(zip.Entries, e => e.FullName == $"{folder}DotnetToolSettings.xml");
                Assert.Equal("DotnetTool", metadata.Element(ns + "packageTypes")!.Element(ns + "packageType")!.Attribute("name")!.Value);
            }
            else
            {
                Assert.Contains(zip.Entries, e => e.FullName == $"{folder}{id}.xml");
            }

            using var symbols = ZipFile.OpenRead(Path.Combine(output.FullName, $"{id}.{version}.snupkg"));
            Assert.Contains(symbols.Entries, e => e.FullName == $"{folder}{id}.pdb");
        }

        // The README's install: a pre-release until a v tag, so --prerelease; then brrr runs and knows its version.
        var tools = Path.Combine(output.FullName, "tools");
        var install = await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--prerelease", "--add-source", output.FullName, "Brrr.Cli");
        Assert.True(install.ExitCode == 0, "dotnet tool install failed:\n" + install.Text);
        var brrr = await RunAsync(Path.Combine(tools, "brrr"), "--version");
        Assert.Equal(0, brrr.ExitCode);
        var cli = Assert.Single(output.GetFiles("Brrr.Cli.*.nupkg"), f => IsVersionOf(f.Name, "Brrr.Cli", ".nupkg"));
        Assert.StartsWith(cli.Name["Brrr.Cli.".Length..^".nupkg".Length] + "+", brrr.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_hosting_example_pasted_into_dotnet_new_worker_runs_on_the_packages()
    {
        var app = Path.Combine(packed.Output.FullName, "newcomer");
        var created = await RunAsync("dotnet", "new", "worker", "-o", app, "--no-restore");
        Assert.True(created.ExitCode == 0, "dotnet new worker failed:\n" + created.Text);
        // The packages of this build next to the usual feed, as a team's feed would hold them.
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <configuration><packageSources><add key="brrr" value="{packed.Output.FullName}" /></packageSources></configuration>
            """);
        var version = Assert.Single(packed.Output.GetFiles("Brrr.Akka.*.nupkg"), f => IsVersionOf(f.Name, "Brrr.Akka", ".nupkg")).Name["Brrr.Akka.".Length..^".nupkg".Length];
        var added = await RunAsync("dotnet", "add", Path.Combine(app, "newcomer.csproj"), "package", "Brrr.Akka", "--version", version);
        Assert.True(added.ExitCode == 0, "dotnet add package failed:\n" + added.Text);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ReadmeBlockAfter("## Embedding a worker with Akka.Hosting"));

        var built = await RunAsync("dotnet", "build", app, "-nologo", "-v", "quiet");
        Assert.True(built.ExitCode == 0, "the pasted example does not build:\n" + built.Text);
        using var run = DemoProcess.StartCommand("dotnet", ["run", "--no-build", "--project", app], app);
        Assert.True(await run.WaitForOutputAsync("fib(25) = 75025", TimeSpan.FromMinutes(2)), run.Output);
    }

    /// <summary>The first C# block after <paramref name="heading"/> in README.md.</summary>
    private static string ReadmeBlockAfter(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var start = readme.IndexOf("```csharp\n", readme.IndexOf(heading, StringComparison.Ordinal), StringComparison.Ordinal) + "```csharp\n".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    /// <summary>The solution packed once into a temporary folder, deleted after the class's tests.</summary>
    public sealed class Packed : IAsyncLifetime
    {
        /// <summary>The folder of the packages.</summary>
        public DirectoryInfo Output { get; } = Directory.CreateTempSubdirectory("brrr-pack-");

        /// <inheritdoc />
        public async Task InitializeAsync()
        {
            var configuration = typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            var pack = await RunAsync("dotnet", "pack", Path.Combine(Root, "BrrrAkka.sln"), "-c", configuration, "--no-build", "--nologo", "-v", "quiet", "-o", Output.FullName);
            Assert.True(pack.ExitCode == 0, "dotnet pack failed:\n" + pack.Text);
        }

        /// <inheritdoc />
        public Task DisposeAsync()
        {
            Output.Delete(recursive: true);
            return Task.CompletedTask;
        }
    }

    private static bool IsVersionOf(string file, string? id, string extension) =>
        file.Length > id!.Length + 1 && char.IsAsciiDigit(file[id.Length + 1]) && file.EndsWith(extension, StringComparison.Ordinal);

    private static async Task<(int ExitCode, string Text)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
