using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ActorPool.Node;

/// <summary>
/// Ends this node when the process named by <c>--parent-pid</c> has gone. A
/// <c>LocalProcesses</c> pool passes its own id, so its workers never outlive it, even when it
/// dies without disposing the pool (SIGKILL, a crash).
/// </summary>
internal static class ParentWatch
{
    public static void Start(Process parent)
    {
        var id = parent.Id;
        // Process.HasExited can only ask kill(pid, 0) of a process that is not this one's child,
        // and a parent that has died but that nobody has reaped yet (a zombie) still answers it.
        // A node started by the parent itself (as LocalProcesses starts them) is re-parented the
        // moment the parent dies, so a changed parent id tells at once, zombie or not.
        var startedByParent = !OperatingSystem.IsWindows() && GetParentProcessId() == id;
        _ = Task.Run(async () =>
        {
            // Polled once a second. Process.Exited would poll a process that is not this one's
            // child dozens of times a second, waking threads that take the core from the worker.
            using var poll = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (!parent.HasExited && !(startedByParent && GetParentProcessId() != id))
                await poll.WaitForNextTickAsync().ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"The pool's process {id} has exited; this node stops.").ConfigureAwait(false);
            // Killed, not exited: Environment.Exit would run Akka's shutdown hook, a graceful
            // leave that waits (10 to 20 s, measured) for a cluster whose leader is gone, while
            // the workers go on running orphaned tasks. There is no pool left to hand work back to.
            Process.GetCurrentProcess().Kill();
        });
    }

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentProcessId();
}
