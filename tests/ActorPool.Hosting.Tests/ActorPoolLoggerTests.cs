namespace ActorPool.Hosting.Tests;

public sealed class ActorPoolLoggerTests
{
    [Theory]
    [InlineData(typeof(Pool), "ActorPool.Pool")]
    [InlineData(typeof(PoolIterator<int>), "ActorPool.PoolIterator")]
    [InlineData(typeof(Akka.Actor.ActorSystem), null)]
    [InlineData(typeof(string), null)]
    public void Category_OfALoggingClass_IsItsNameForActorPoolsOwn(Type type, string? category)
    {
        Assert.Equal(category, ActorPoolLogger.Category(type));
    }
}
