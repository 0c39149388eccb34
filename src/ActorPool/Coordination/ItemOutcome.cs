namespace ActorPool.Coordination;

/// <summary>
/// One item of a streamed job as the consumer receives it: a value, or the exception its task threw.
/// <see cref="EndsChunk"/> marks the last item of its chunk: taking it frees one chunk of the in-flight window.
/// </summary>
internal readonly record struct ItemOutcome<T>(T Value, Exception? Error, bool EndsChunk);
