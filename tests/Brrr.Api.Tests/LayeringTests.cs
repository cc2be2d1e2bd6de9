using System.Reflection;
using System.Xml.Linq;
using Brrr.Contracts;

namespace Brrr.Api.Tests;

/// <summary>
/// The core, the backends and the inspection library run without the Akka runtime: a plain client that schedules,
/// reads or inspects pulls in no Akka. Checked twice: in the built assemblies (every assembly they load, followed
/// through the brrr ones) and in the project files (no reference to Akka or to the runtime, even an unused one).
/// </summary>
public sealed class LayeringTests
{
    public static TheoryData<string> RuntimeFree() => new(["Brrr", "Brrr.Redis", "Brrr.DynamoDb", "Brrr.Sqs", "Brrr.Inspection"]);

    [Theory]
    [MemberData(nameof(RuntimeFree))]
    public void The_assembly_loads_nothing_of_Akka(string package)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>([Assembly.Load(package).GetName()]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!) || !name.Name!.StartsWith("Brrr", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies())
            {
                pending.Push(reference);
            }
        }

        Assert.DoesNotContain(seen, n => n.StartsWith("Akka", StringComparison.Ordinal) || n == "Brrr.Akka");
        Assert.Contains(package, seen);
    }

    [Theory]
    [MemberData(nameof(RuntimeFree))]
    public void The_project_references_neither_Akka_nor_the_runtime(string package)
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot.Find(), "src", package, package + ".csproj"));
        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference")
            .Select(e => (string?)e.Attribute("Include") ?? "")
            .ToList();

        Assert.NotEmpty(references);
        Assert.DoesNotContain(references, r => r.StartsWith("Akka", StringComparison.Ordinal) || r.Contains("Brrr.Akka", StringComparison.Ordinal));
    }
}
