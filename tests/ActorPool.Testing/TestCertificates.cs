using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorPool.Testing;

/// <summary>
/// Self-signed certificates made at test time, as a user makes a cluster's certificate in C#, and
/// their PKCS#12 files for node hosts (<c>--certificate</c>) in a folder of their own that
/// <see cref="Dispose"/> deletes.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("actorpool-certs-").FullName;

    /// <summary>The password of every file written here, which node hosts take from <c>ACTORPOOL_CERTIFICATE_PASSWORD</c>.</summary>
    public const string Password = "test-only";

    /// <summary>The environment a node host needs to open the files written here.</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } =
        new Dictionary<string, string> { ["ACTORPOOL_CERTIFICATE_PASSWORD"] = Password };

    /// <summary>A new self-signed certificate with its private key, valid from <paramref name="notBefore"/> (default: a minute ago) for <paramref name="validFor"/> (default: a day).</summary>
    public static X509Certificate2 Create(string name, DateTimeOffset? notBefore = null, TimeSpan? validFor = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var from = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-1);
        using var made = request.CreateSelfSigned(from, from + (validFor ?? TimeSpan.FromDays(1)));
        // Through PKCS#12, as a node host loads it: a key usable by TLS on every OS.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes <paramref name="certificate"/> with its key, protected by <see cref="Password"/>; returns the file's path.</summary>
    public string Write(X509Certificate2 certificate)
    {
        var path = Path.Combine(_folder, $"{certificate.Thumbprint}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        return path;
    }

    /// <summary>Deletes the files written here.</summary>
    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
