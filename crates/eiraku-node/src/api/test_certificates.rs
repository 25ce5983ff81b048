//! Certificates for tests of the API's TLS: a certificate authority of its
//! own and server certificates for loopback it signs (rcgen).

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// A certificate authority made for one test.
pub struct TestAuthority {
    /// Its certificate, PEM: what clients are told to trust.
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl TestAuthority {
    /// A new authority named `name`.
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let pem = params.self_signed(&key).expect("self-signed").pem();
        Self {
            pem,
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for `127.0.0.1` and `localhost` it signed, and
    /// its private key, both PEM.
    pub fn issue(&self) -> (String, String) {
        let key = KeyPair::generate().expect("key");
        let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        let params = CertificateParams::new(names).expect("parameters");
        let certificate = params.signed_by(&key, &self.issuer).expect("signed");
        (certificate.pem(), key.serialize_pem())
    }
}
