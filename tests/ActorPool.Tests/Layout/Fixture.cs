// Types for FolderReferenceTests to scan: two folders, Lower referring to Upper only in a method's IL
// (no signature, no local), where the sources' usings need not show it either.
namespace ActorPool.Tests.Layout.Fixture.Upper
{
    internal sealed class Job;
}

namespace ActorPool.Tests.Layout.Fixture.Lower
{
    internal static class Worker
    {
        public static int Count() => new List<Upper.Job>().Count;
    }
}
