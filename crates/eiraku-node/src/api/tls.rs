//! TLS for the API (rustls), from a certificate chain and a private key in
//! PEM files. The files are watched: when either changes, the pair is read
//! again and, if it parses and the key matches the certificate, new
//! connections get it; connections already open keep theirs. A pair that
//! does not load leaves the one in use, with an error in the log — an
//! operator replacing the files one after the other never takes the API
//! down.
//!
//! Handshakes run apart from the accept loop, each within a time limit and
//! a bounded number at once, so a client that opens connections and says
//! nothing holds up nobody.

use super::connections::{Capped, Counted};
use axum::serve::Listener;
use rustls::{
    crypto::CryptoProvider,
    pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer},
    server::{ClientHello, ResolvesServerCert},
    sign::CertifiedKey,
    ServerConfig,
};
use serde::{Deserialize, Serialize};
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::{Duration, SystemTime},
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{mpsc, Semaphore},
};

/// A TCP connection holding its place under the connection caps.
type Connection = Counted<TcpStream>;
use tokio_rustls::{server::TlsStream, TlsAcceptor};

/// Where the API's certificate and key are, in `node.json` under
/// `"api_tls"`; relative paths are in the node's home folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    /// The certificate chain, PEM, the server's own first.
    pub certificate: PathBuf,
    /// Its private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub private_key: PathBuf,
}

impl TlsFiles {
    /// The same files, relative paths taken from `home`.
    pub fn in_home(&self, home: &Path) -> Self {
        Self {
            certificate: home.join(&self.certificate),
            private_key: home.join(&self.private_key),
        }
    }
}

/// Why a certificate and key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or holds no PEM of the kind needed.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The key is not the certificate's, or of a kind not supported.
    #[error("{certificate} and {private_key} do not make a pair: {reason}")]
    Pair {
        /// The certificate file.
        certificate: PathBuf,
        /// The key file.
        private_key: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// How long a client has to complete its handshake.
const HANDSHAKE_TIME: Duration = Duration::from_secs(10);
/// Handshakes in progress at once; connections beyond are closed.
const MAX_HANDSHAKES: usize = 1024;
/// How often the certificate files are looked at.
const WATCH_EVERY: Duration = Duration::from_secs(1);

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Reads a certificate chain and its key, checking that they match.
pub fn load(files: &TlsFiles) -> Result<CertifiedKey, TlsError> {
    let file_error = |path: &Path, reason: String| TlsError::File {
        path: path.to_path_buf(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(&files.certificate)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| file_error(&files.certificate, e.to_string()))?;
    if chain.is_empty() {
        return Err(file_error(
            &files.certificate,
            "no certificate in the file".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&files.private_key)
        .map_err(|e| file_error(&files.private_key, e.to_string()))?;
    CertifiedKey::from_der(chain, key, &provider()).map_err(|e| TlsError::Pair {
        certificate: files.certificate.clone(),
        private_key: files.private_key.clone(),
        reason: e.to_string(),
    })
}

/// The certificate handed to new connections, replaced when its files change.
#[derive(Debug)]
pub struct ReloadingCertificate {
    files: TlsFiles,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ReloadingCertificate {
    /// Loads the files (an error here stops the node from starting).
    pub fn new(files: TlsFiles) -> Result<Arc<Self>, TlsError> {
        let current = RwLock::new(Arc::new(load(&files)?));
        Ok(Arc::new(Self { files, current }))
    }

    /// A server configuration that asks this for its certificate.
    pub fn server_config(self: &Arc<Self>) -> Arc<ServerConfig> {
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("the provider supports the default TLS versions")
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Arc::new(config)
    }

    /// Watches the files until the process stops, replacing the certificate
    /// when they change and load.
    pub async fn watch(self: Arc<Self>) {
        let mut seen = self.stamp();
        loop {
            tokio::time::sleep(WATCH_EVERY).await;
            let now = self.stamp();
            if now == seen {
                continue;
            }
            seen = now;
            match load(&self.files) {
                Ok(replacement) => {
                    *self.current.write().expect("certificate lock") = Arc::new(replacement);
                    tracing::info!(certificate = %self.files.certificate.display(), "API certificate replaced");
                }
                Err(error) => {
                    tracing::error!(%error, "the API's new certificate files do not load; the one in use stays")
                }
            }
        }
    }

    /// What tells a changed file: modification time and length of both.
    fn stamp(&self) -> [Option<(SystemTime, u64)>; 2] {
        let stamp = |path: &Path| {
            let metadata = std::fs::metadata(path).ok()?;
            Some((metadata.modified().ok()?, metadata.len()))
        };
        [
            stamp(&self.files.certificate),
            stamp(&self.files.private_key),
        ]
    }
}

impl ResolvesServerCert for ReloadingCertificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.read().expect("certificate lock").clone())
    }
}

/// Connections that have completed their TLS handshake, for `axum::serve`.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<Connection>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Accepts on `tcp` (within its caps), handshaking with `config`.
    pub fn new(tcp: Capped<TcpListener>, config: Arc<ServerConfig>) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (sender, ready) = mpsc::channel(MAX_HANDSHAKES);
        tokio::spawn(accept(tcp, TlsAcceptor::from(config), sender));
        Ok(Self { ready, local })
    }
}

async fn accept(
    mut tcp: Capped<TcpListener>,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<Connection>, SocketAddr)>,
) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        // Errors (out of file descriptors) are waited out by the listener.
        let (stream, client) = tcp.accept().await;
        let Ok(place) = handshakes.clone().try_acquire_owned() else {
            continue; // dropped: too many handshakes in progress
        };
        let (acceptor, ready) = (acceptor.clone(), ready.clone());
        tokio::spawn(async move {
            let _place = place;
            match tokio::time::timeout(HANDSHAKE_TIME, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = ready.send((tls, client)).await;
                }
                Ok(Err(error)) => tracing::debug!(%client, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%client, "TLS handshake took too long"),
            }
        });
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<Connection>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept loop never ends while the listener lives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::test_certificates::TestAuthority;

    fn write_pair(dir: &Path, certificate: &str, key: &str) -> TlsFiles {
        let files = TlsFiles {
            certificate: dir.join("api.crt"),
            private_key: dir.join("api.key"),
        };
        std::fs::write(&files.certificate, certificate).unwrap();
        std::fs::write(&files.private_key, key).unwrap();
        files
    }

    #[test]
    fn a_matching_pair_loads() {
        let dir = tempfile::tempdir().unwrap();
        let (certificate, key) = TestAuthority::new("test CA").issue();
        let loaded = load(&write_pair(dir.path(), &certificate, &key)).unwrap();
        assert_eq!(loaded.cert.len(), 1);
    }

    #[test]
    fn a_key_of_another_certificate_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let authority = TestAuthority::new("test CA");
        let (certificate, _) = authority.issue();
        let (_, other_key) = authority.issue();
        let error = load(&write_pair(dir.path(), &certificate, &other_key)).unwrap_err();
        assert!(matches!(error, TlsError::Pair { .. }), "{error}");
        assert!(error.to_string().contains("do not make a pair"), "{error}");
    }

    #[test]
    fn files_without_pem_are_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (certificate, key) = TestAuthority::new("test CA").issue();
        let no_certificate = write_pair(dir.path(), "not a certificate", &key);
        let error = load(&no_certificate).unwrap_err();
        assert!(error.to_string().contains("api.crt"), "{error}");
        let no_key = write_pair(dir.path(), &certificate, "not a key");
        let error = load(&no_key).unwrap_err();
        assert!(error.to_string().contains("api.key"), "{error}");
        let missing = TlsFiles {
            certificate: dir.path().join("absent.crt"),
            private_key: dir.path().join("api.key"),
        };
        assert!(load(&missing)
            .unwrap_err()
            .to_string()
            .contains("absent.crt"));
    }
}
