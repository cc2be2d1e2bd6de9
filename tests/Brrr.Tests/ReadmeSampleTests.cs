using System.Text.RegularExpressions;
using Brrr.Contracts;

namespace Brrr.Tests;

/// <summary>
/// Every C# and HOCON block of README.md is code that CI builds and runs: each one is found, verbatim up to indentation,
/// in a file under samples/ or of a test project. The samples are run by tests: the hosted worker, telemetry and Redis
/// and DynamoDB worker processes (Brrr.IntegrationTests' SampleProcessTests), and the snippets' tasks, client calls and
/// policy (the TestKit project samples/Brrr.Samples.Tests, which compiles samples/Brrr.ReadmeSamples' files).
/// </summary>
public sealed partial class ReadmeSampleTests
{
    [Fact]
    public void Every_csharp_block_of_the_readme_is_in_a_sample_or_test_that_ci_builds() => AssertQuoted("csharp", "*.cs");

    [Fact]
    public void Every_hocon_block_of_the_readme_is_in_a_sample_or_test_config_file() => AssertQuoted("hocon", "*.conf");

    [Fact]
    public void Normalizing_keeps_the_text_and_drops_only_indentation()
    {
        Assert.Equal("a\nb(\n)", Normalize("    a\r\n      b(\n    )\n\n"));
        Assert.NotEqual(Normalize("a b"), Normalize("ab"));
    }

    private static void AssertQuoted(string language, string filePattern)
    {
        var root = RepositoryRoot.Find();
        var blocks = CodeBlock().Matches(File.ReadAllText(Path.Combine(root, "README.md")))
            .Where(m => m.Groups["language"].Value == language)
            .Select(m => m.Groups["code"].Value)
            .ToArray();
        Assert.NotEmpty(blocks);
        var sources = new[] { "samples", "tests" }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(root, dir), filePattern, SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => Normalize(File.ReadAllText(path)))
            .ToArray();
        var missing = blocks.Where(block => !sources.Any(source => source.Contains(Normalize(block), StringComparison.Ordinal))).ToArray();
        Assert.True(missing.Length == 0, $"README {language} blocks found in no {filePattern} file of samples or tests:\n" + string.Join("\n---\n", missing));
    }

    /// <summary>Each line trimmed at both ends, blank lines dropped, joined with \n.</summary>
    private static string Normalize(string text) =>
        string.Join('\n', text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0));

    [GeneratedRegex(@"```(?<language>\w+)\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
