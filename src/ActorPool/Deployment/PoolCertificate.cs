using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorPool.Remote;

namespace ActorPool.Deployment;

/// <summary>
/// The certificate of a <see cref="PoolDeployment.LocalProcesses"/> pool: made at start, self-signed,
/// its key in memory only. The pool and its worker processes present it and trust nothing else, so
/// no other process, of this user or another, can talk to them. The workers get it as PKCS#12 on
/// their standard input (<see cref="Pkcs12"/>), a pipe only the pool and the worker hold: not in a
/// file, which would need care to keep from other users and to delete, nor in an argument or an
/// environment variable, which other processes can read.
/// </summary>
internal sealed class PoolCertificate
{
    /// <summary>
    /// How long the certificate is valid. Its key never leaves the pool's processes, so validity
    /// guards nothing here; it must outlast the pool, whose workers are replaced, and must present
    /// a valid certificate, for as long as it runs.
    /// </summary>
    private static readonly TimeSpan Validity = TimeSpan.FromDays(366);

    private PoolCertificate(byte[] pkcs12, PeerTrust trust)
    {
        Pkcs12 = pkcs12;
        Trust = trust;
    }

    /// <summary>The certificate and its private key, without a password, for the worker processes.</summary>
    public byte[] Pkcs12 { get; }

    /// <summary>The pool's side: this certificate only.</summary>
    public PeerTrust Trust { get; }

    public static PoolCertificate Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=ActorPool LocalProcesses pool (process {Environment.ProcessId})", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var made = request.CreateSelfSigned(now.AddMinutes(-5), now + Validity); // a little before now: clocks of processes agree, but a second may tick
        var pkcs12 = made.Export(X509ContentType.Pkcs12);
        // Loaded as the workers load it, so that both sides hold the same kind of key.
        var certificate = Load(pkcs12, password: null);
        return new PoolCertificate(pkcs12, PeerTrust.Create(certificate, [], "options", "options"));
    }

    /// <summary>
    /// The environment variable that holds the password of a cluster's PKCS#12 file, for node hosts
    /// (<c>--certificate</c>) and hosted pools (<c>ActorPool:Certificate:Path</c>): never on a
    /// command line, which every user of the machine can read.
    /// </summary>
    public const string PasswordVariable = "ACTORPOOL_CERTIFICATE_PASSWORD";

    /// <summary>
    /// Loads a PKCS#12 certificate with its key. The key is kept in memory where the OS allows
    /// (not Windows, whose TLS needs a stored key), so nothing of it is written to disk.
    /// </summary>
    public static X509Certificate2 Load(byte[] pkcs12, string? password) =>
        X509CertificateLoader.LoadPkcs12(pkcs12, password, OperatingSystem.IsWindows() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet);
}
