namespace ActorPool.Workers;

/// <summary>
/// Thrown by a worker that has run MaxTasksPerChild tasks, so that its supervisor replaces it.
/// It is a signal, not an error: <see cref="WorkerSupervision"/> restarts the worker without logging it.
/// </summary>
internal sealed class WorkerRecycle() : Exception("The worker ran its MaxTasksPerChild tasks and is replaced.");
