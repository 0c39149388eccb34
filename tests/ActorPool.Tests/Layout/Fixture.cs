// Types for FolderReferenceTests to scan: two folders, Lower referring to Upper only inside a method
// body, where the sources' usings cannot show it.
namespace ActorPool.Tests.Layout.Fixture.Upper
{
    internal sealed class Job;
}

namespace ActorPool.Tests.Layout.Fixture.Lower
{
    internal static class Worker
    {
        public static int Count()
        {
            var jobs = new List<Upper.Job>();
            return jobs.Count;
        }
    }
}
