using System.CommandLine;
using Brrr.Inspection;

namespace Brrr.Cli;

public static partial class BrrrCli
{
    private static readonly Option<string?> InspectRootOption = new("--root") { Description = "A workflow root id, instead of a call (found from the root's jobs and dead letters)" };
    private static readonly Option<bool> RequeueLostOption = new("--requeue-lost") { Description = "Push the job of the inspected call again when it is lost (needs --yes off a terminal)" };
    private static readonly Option<string?> RequeueTopicOption = new("--topic") { Description = "With --requeue-lost: the topic to push the job to, when the inspector cannot tell it" };

    private static Command InspectCommand() =>
        Sub("inspect", "Why a workflow is not done: the tree of calls it waits on, each with its state, and a one-line verdict (exit 0 done, 3 failed or stuck, 4 anything else).")
            .With(TaskArgument, ArgsArgument, HashOption, InspectRootOption, RequeueLostOption, RequeueTopicOption, YesOption)
            .Connected(async run =>
            {
                var inspector = new BrrrInspector(run.Fleet.Client, run.Fleet.Queue, run.Fleet.DeadLetters.Suffix);
                InspectionReport report;
                if (run.Get(InspectRootOption) is { } rootId)
                {
                    if (run.Get(TaskArgument) is not null || run.Get(HashOption) is not null)
                    {
                        throw new UsageException("give either --root or a call (a task with its arguments, or --hash), not both");
                    }

                    if (await inspector.InspectRootAsync(rootId, run.CancellationToken) is not { } found)
                    {
                        run.Output.Fail($"no job or dead letter of root {rootId} is left: inspect its call instead (`brrr inspect <task> k=v`)");
                        return ExitCodes.NotDone;
                    }

                    report = found;
                }
                else
                {
                    report = await inspector.InspectAsync(Target(run).Hash, run.CancellationToken);
                }

                if (run.Get(RequeueLostOption))
                {
                    Confirmation.Require(run.Get(YesOption), $"push the job of {report.Root.Label} again", run.Output);
                    if (await inspector.RequeueLostAsync(report.Root.CallHash, topic: run.Get(RequeueTopicOption), cancellationToken: run.CancellationToken) is { } why)
                    {
                        run.Output.Fail(why);
                        return ExitCodes.NotDone;
                    }

                    report = await inspector.InspectAsync(report.Root.CallHash, run.CancellationToken);
                }

                run.Output.Write(InspectionText.Json(report), () => [InspectionText.Render(report).TrimEnd()]);
                return report.Root.State switch
                {
                    CallNodeState.Completed => ExitCodes.Ok,
                    CallNodeState.Failed => ExitCodes.Failed,
                    _ when report.Verdict.StartsWith("stuck:", StringComparison.Ordinal) => ExitCodes.Failed,
                    _ => ExitCodes.NotDone,
                };
            });
}
