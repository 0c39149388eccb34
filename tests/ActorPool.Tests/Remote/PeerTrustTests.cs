using ActorPool.Remote;
using ActorPool.Testing;

namespace ActorPool.Tests.Remote;

/// <summary>Whom a member trusts: its own certificate and the trusted thumbprints, in any case, within their validity; no chain needed.</summary>
public sealed class PeerTrustTests
{
    private static readonly System.Security.Cryptography.X509Certificates.X509Certificate2 Own = TestCertificates.Create("own");

    [Fact]
    public void Refusal_OwnCertificate_IsTrustedWithoutAChain() =>
        Assert.Null(PeerTrust.Create(Own, [], "c", "t").Refusal(Own));

    [Fact]
    public void Refusal_TrustedThumbprintInLowerCase_IsTrusted()
    {
        var other = TestCertificates.Create("other");
        Assert.Null(PeerTrust.Create(Own, [other.Thumbprint.ToLowerInvariant()], "c", "t").Refusal(other));
    }

    [Fact]
    public void Refusal_OtherCertificateOrNone_SaysWhy()
    {
        var trust = PeerTrust.Create(Own, [], "c", "t");
        var other = TestCertificates.Create("other");
        Assert.Contains(other.Thumbprint, trust.Refusal(other));
        Assert.Contains("no certificate", trust.Refusal(null));
    }

    [Fact]
    public void Refusal_TrustedButNotYetValid_SaysSo()
    {
        var later = TestCertificates.Create("later", DateTimeOffset.UtcNow.AddDays(1));
        Assert.Contains("not valid before", PeerTrust.Create(Own, [later.Thumbprint], "c", "t").Refusal(later));
    }

    [Fact]
    public void Create_NotAThumbprint_ThrowsNamingTheArgument() =>
        Assert.Equal("options.TrustedThumbprints", Assert.Throws<ArgumentException>(() => PeerTrust.Create(Own, ["not hex"], "options.Certificate", "options.TrustedThumbprints")).ParamName);

    [Fact]
    public void Create_CertificateWithoutPrivateKey_ThrowsNamingIt()
    {
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(Own.RawData);
        Assert.Equal("options.Certificate", Assert.Throws<ArgumentException>(() => PeerTrust.Create(publicOnly, [], "options.Certificate", "t")).ParamName);
    }
}
