namespace Brrr.Contracts;

/// <summary>Finds the repository checkout the tests run from (the folder holding BrrrAkka.sln).</summary>
public static class RepositoryRoot
{
    /// <summary>The repository root above the test assembly.</summary>
    /// <exception cref="InvalidOperationException">The tests do not run from a checkout.</exception>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BrrrAkka.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No BrrrAkka.sln above {AppContext.BaseDirectory}: run the tests from the repository checkout.");
    }
}
