using System.Security.Cryptography;
using ActorPool.Deployment;
using ActorPool.Remote;
using Akka.Configuration;

namespace ActorPool.Node;

/// <summary>The node's side of TLS: its certificate (<c>--certificate</c>) and the others it accepts (<c>--trust</c>).</summary>
internal static class NodeCertificate
{
    /// <summary>The environment variable that holds the PKCS#12 file's password: never on the command line, which every user of the machine can read.</summary>
    public const string PasswordVariable = PoolCertificate.PasswordVariable;

    /// <summary>
    /// The node's trust: null for plain TCP, which a node may use only on loopback or with
    /// <c>--insecure</c> (<see cref="RefusePlainTcpOffLoopback"/>). Throws an
    /// <see cref="ArgumentException"/> saying what is wrong, before anything listens.
    /// </summary>
    public static PeerTrust? Load(NodeHostOptions options)
    {
        if (options.Certificate is not { } path)
            return null;
        byte[] pkcs12;
        try
        {
            // A LocalProcesses pool writes its own certificate on the node's standard input, then closes it.
            if (path == LocalNodes.StandardInputCertificate)
            {
                using var input = Console.OpenStandardInput();
                using var bytes = new MemoryStream();
                input.CopyTo(bytes);
                pkcs12 = bytes.ToArray();
            }
            else
            {
                pkcs12 = File.ReadAllBytes(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--certificate {path}: {ex.Message}", ex);
        }
        try
        {
            // The pool's own certificate has no password; the variable, if this process inherited
            // it from its pool's, is for files.
            var password = path == LocalNodes.StandardInputCertificate ? null : Environment.GetEnvironmentVariable(PasswordVariable);
            var certificate = PoolCertificate.Load(pkcs12, password);
            return PeerTrust.Create(certificate, options.Trust ?? [], "--certificate", "--trust");
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"--certificate {path} is not a PKCS#12 file this node can open with the password in {PasswordVariable} (if any): {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Refuses a node without a certificate whose remoting is off loopback in
    /// <paramref name="effective"/>, the configuration its system is created with (--hostname, and
    /// --config's file, merged), unless <c>--insecure</c>. Throws an <see cref="ArgumentException"/>
    /// naming what is off loopback, --certificate and --insecure; call it before the system starts.
    /// </summary>
    public static void RefusePlainTcpOffLoopback(NodeHostOptions options, Config effective)
    {
        if (options.Insecure)
            return;
        // --hostname wins over the file's hostname: off loopback, it is what to name.
        var where = !LoopbackHost.Is(options.Hostname) ? $"--hostname {options.Hostname} is not a loopback address"
            : LoopbackHost.OffLoopback(effective) is { } setting ? $"{(options.Config is { } file ? $"--config {file.FullName}" : "The node's configuration")} sets {setting}, not a loopback address"
            : null;
        if (where is not null)
        {
            throw new ArgumentException(
                $"{where}, and without a certificate anyone who can reach the port could join the cluster and run or read its work, in plain "
                + "text. Give the cluster's certificate with --certificate FILE (TLS with mutual authentication), or --insecure to use plain TCP "
                + "on a network you trust.");
        }
    }
}
