using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ActorPool.Remote;

/// <summary>
/// Who a process of a pool's cluster talks to: peers that present its own certificate or one of the
/// trusted ones, by thumbprint (<see cref="X509Certificate2.Thumbprint"/>, any case), within their
/// validity. No chain is built or required: a cluster shares one certificate like a secret, and a
/// self-signed one is the normal case. Immutable, shared by every connection of a system.
/// </summary>
internal sealed class PeerTrust
{
    private readonly HashSet<string> _thumbprints;

    private PeerTrust(X509Certificate2 certificate, HashSet<string> thumbprints)
    {
        Certificate = certificate;
        _thumbprints = thumbprints;
        // Built once: the chain of a self-signed certificate is itself, and offline nothing is fetched.
        Context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
    }

    /// <summary>The certificate this process presents.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary><see cref="Certificate"/> for <see cref="SslStream"/>, on both sides of a connection.</summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>
    /// The trust of a process presenting <paramref name="certificate"/> that also accepts
    /// <paramref name="trusted"/>. Refuses, naming the argument (<paramref name="certificateName"/>,
    /// <paramref name="trustedName"/>), a certificate without its private key or outside its
    /// validity, and a thumbprint that is not hexadecimal.
    /// </summary>
    public static PeerTrust Create(X509Certificate2 certificate, IReadOnlyList<string>? trusted, string certificateName, string trustedName)
    {
        if (!certificate.HasPrivateKey)
            throw new ArgumentException($"The certificate {certificate.Subject} ({certificate.Thumbprint}) has no private key; a process must be able to prove it is the certificate's owner.", certificateName);
        if (ExpiryOf(certificate) is { } expired)
            throw new ArgumentException($"The certificate {certificate.Subject} ({certificate.Thumbprint}) {expired}; make a new one.", certificateName);
        if (trusted is null)
            throw new ArgumentNullException(trustedName);
        var thumbprints = new HashSet<string>(StringComparer.Ordinal) { certificate.Thumbprint.ToUpperInvariant() };
        foreach (var thumbprint in trusted)
        {
            var normalized = thumbprint?.Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
            if (normalized is not { Length: > 0 } || normalized.Length % 2 != 0 || !normalized.All(char.IsAsciiHexDigit))
                throw new ArgumentException($"'{thumbprint}' is not a certificate thumbprint (hexadecimal digits, as X509Certificate2.Thumbprint).", trustedName);
            thumbprints.Add(normalized);
        }
        return new PeerTrust(certificate, thumbprints);
    }

    /// <summary>
    /// How TLS builds the chain of a peer's certificate before <see cref="Refusal"/> judges it:
    /// against this process's own certificate alone, never the system's store of authorities, which
    /// every process would otherwise load and parse for a verdict that is ignored.
    /// </summary>
    public X509ChainPolicy ChainPolicy() => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        CustomTrustStore = { Certificate },
        RevocationMode = X509RevocationMode.NoCheck,
        DisableCertificateDownloads = true,
    };

    /// <summary>
    /// Runs the TLS handshake on <paramref name="ssl"/> as the side that connected
    /// (<paramref name="client"/>) or accepted: both present their certificate, and the peer's is
    /// judged by <see cref="Refusal"/>; when that refuses it, <paramref name="refused"/> is told why
    /// before the handshake fails. Chain and name errors are expected: trust is by thumbprint.
    /// </summary>
    public Task HandshakeAsync(SslStream ssl, bool client, Action<string> refused, CancellationToken cancellation) =>
        client
            ? ssl.AuthenticateAsClientAsync(ClientOptions(CheckerFor(refused)), cancellation)
            : ssl.AuthenticateAsServerAsync(ServerOptions(CheckerFor(refused)), cancellation);

    /// <summary>
    /// <see cref="HandshakeAsync"/> on the calling thread, for a stream over a socket that must stay
    /// blocking (the data plane's, <see cref="Plane.PlaneOpening"/>): whoever bounds it in time closes the socket.
    /// </summary>
    public void Handshake(SslStream ssl, bool client, Action<string> refused)
    {
        if (client)
            ssl.AuthenticateAsClient(ClientOptions(CheckerFor(refused)));
        else
            ssl.AuthenticateAsServer(ServerOptions(CheckerFor(refused)));
    }

    /// <summary>The check of a peer's certificate by <see cref="Refusal"/>, telling <paramref name="refused"/> why it refuses one.</summary>
    private RemoteCertificateValidationCallback CheckerFor(Action<string> refused) => (_, certificate, _, _) =>
    {
        if (Refusal(certificate) is not { } why)
            return true;
        refused(why);
        return false;
    };

    /// <summary>
    /// The options of the side that connects: it presents <see cref="Certificate"/> and judges the
    /// peer's with <paramref name="check"/>. Every handshake checks the peer's certificate anew: a
    /// resumed session would skip the check, and connections live long, so resumption saves nothing.
    /// </summary>
    private SslClientAuthenticationOptions ClientOptions(RemoteCertificateValidationCallback check) => new()
    {
        TargetHost = TargetHost,
        ClientCertificateContext = Context,
        RemoteCertificateValidationCallback = check,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        CertificateChainPolicy = ChainPolicy(),
        AllowTlsResume = false,
    };

    /// <summary>The options of the side that accepts: it presents <see cref="Certificate"/>, requires the peer's, and judges it with <paramref name="check"/>.</summary>
    private SslServerAuthenticationOptions ServerOptions(RemoteCertificateValidationCallback check) => new()
    {
        ServerCertificateContext = Context,
        ClientCertificateRequired = true,
        RemoteCertificateValidationCallback = check,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        CertificateChainPolicy = ChainPolicy(),
        AllowTlsResume = false,
    };

    /// <summary>
    /// The name the client asks for. Certificates are pinned by thumbprint, not matched to host
    /// names, so it is only what the handshake carries (SNI), the same everywhere.
    /// </summary>
    private const string TargetHost = "actorpool";

    /// <summary>Why a peer presenting <paramref name="peer"/> is refused; null if it is trusted.</summary>
    public string? Refusal(X509Certificate? peer)
    {
        if (peer is null)
            return "it presented no certificate";
        var certificate = peer as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(peer.GetRawCertData());
        var thumbprint = certificate.Thumbprint.ToUpperInvariant();
        if (!_thumbprints.Contains(thumbprint))
            return $"its certificate {certificate.Subject} ({thumbprint}) is not trusted";
        return ExpiryOf(certificate) is { } expired ? $"its certificate {certificate.Subject} ({thumbprint}) {expired}" : null;
    }

    /// <summary>What is wrong with the validity of <paramref name="certificate"/> now; null if it is valid.</summary>
    private static string? ExpiryOf(X509Certificate2 certificate)
    {
        var now = DateTime.Now; // NotBefore and NotAfter are local times
        if (now > certificate.NotAfter)
            return $"expired on {certificate.NotAfter.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}";
        if (now < certificate.NotBefore)
            return $"is not valid before {certificate.NotBefore.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}";
        return null;
    }
}
