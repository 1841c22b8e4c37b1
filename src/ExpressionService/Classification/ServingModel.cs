using ExpressionNet.Checkpoints;

namespace ExpressionService.Classification;

/// <summary>
/// A loaded model version in service, shared by the requests preprocessed for it and the batches
/// that run it. It is disposed when it has been replaced and the last user has let go of it, so
/// requests in flight during a promotion finish on the version they started with.
/// </summary>
public sealed class ServingModel
{
    private int _users = 1;

    public ServingModel(string name, int version, ExpressionModel model)
    {
        Name = name;
        Version = version;
        Model = model;
    }

    public string Name { get; }

    public int Version { get; }

    public ExpressionModel Model { get; }

    /// <summary>Takes a reference, or returns false when the model is already being disposed.</summary>
    public bool TryAcquire()
    {
        var users = Volatile.Read(ref _users);
        while (users > 0)
        {
            var seen = Interlocked.CompareExchange(ref _users, users + 1, users);
            if (seen == users)
            {
                return true;
            }

            users = seen;
        }

        return false;
    }

    /// <summary>Lets go of a reference; the last one disposes the model.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _users) == 0)
        {
            Model.Dispose();
        }
    }

    public override string ToString() => $"{Name} v{Version}";
}
