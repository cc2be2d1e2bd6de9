using System.Reflection;
using Brrr.Contracts;
using PublicApiGenerator;

namespace Brrr.Api.Tests;

/// <summary>
/// The public API of each package, as PublicApiGenerator prints it, equals its approved text in approved/. A change
/// to the API fails here until approved/ is updated with it (run with <c>BRRR_APPROVE_API=1</c>, which rewrites the
/// files, then review and commit the diff).
/// </summary>
public sealed class PublicApiTests
{
    private static readonly string[] Pinned = ["Brrr", "Brrr.Akka", "Brrr.Redis", "Brrr.Redis.Hosting", "Brrr.DynamoDb", "Brrr.DynamoDb.Hosting", "Brrr.Sqs", "Brrr.Sqs.Hosting", "Brrr.Inspection", "Brrr.AspNetCore", "Brrr.Cli", "Brrr.TestKit"];

    // An async iterator's attribute names the compiler's state machine (<ScanAsync>d__31), whose number moves whenever
    // a private async method is added before it: not API.
    private static readonly ApiGeneratorOptions Options = new()
    {
        ExcludeAttributes = ["System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute"],
    };

    public static TheoryData<string> Packages() => new(Pinned);

    private static string PublicApiOf(string package) => Assembly.Load(package).GeneratePublicApi(Options).ReplaceLineEndings("\n");

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_public_api_is_the_approved_one(string package)
    {
        var api = PublicApiOf(package);
        var approved = Path.Combine(RepositoryRoot.Find(), "tests", "Brrr.Api.Tests", "approved", package + ".txt");
        if (Environment.GetEnvironmentVariable("BRRR_APPROVE_API") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(approved)!);
            File.WriteAllText(approved, api);
        }

        Assert.True(File.Exists(approved), $"{approved} is missing: run the tests with BRRR_APPROVE_API=1 to write it");
        Assert.Equal(File.ReadAllText(approved).ReplaceLineEndings("\n"), api);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_public_api_names_no_type_the_compiler_made(string package) =>
        Assert.DoesNotMatch(@"<\w+>d__\d+", PublicApiOf(package));

    [Fact]
    public void Every_package_under_src_is_pinned()
    {
        var projects = Directory.GetDirectories(Path.Combine(RepositoryRoot.Find(), "src"))
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj"))).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(projects, Pinned.Order(StringComparer.Ordinal));
    }
}
