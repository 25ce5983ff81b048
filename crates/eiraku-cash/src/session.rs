//! Offline sessions between two wallets: mutual authentication by wallet
//! certificates over a Noise XX handshake, then encrypted messages.
//!
//! Each side's certificate travels inside the handshake (encrypted), and is
//! accepted only if the device supply center signed it, it is valid now,
//! the wallet is not blacklisted, and the peer proved the static key the
//! certificate names. After the handshake every message is encrypted and
//! bound to the transcript with a counter nonce, so a replayed, reordered,
//! altered or foreign message does not open.

use crate::{CashError, SecureElement, SignedCertificate, WalletNumber};
use commonware_codec::Encode;
use eiraku_core::PublicKey;
use std::collections::BTreeSet;

/// The Noise protocol of wallet sessions.
pub const NOISE_PATTERN: &str = "Noise_XX_25519_ChaChaPoly_SHA256";

/// Largest Noise message.
pub const MAX_MESSAGE: usize = 65_535;

/// Largest plaintext of one session message (Noise adds a 16-byte tag).
pub const MAX_PLAINTEXT: usize = MAX_MESSAGE - 16;

/// What a wallet checks a peer's certificate against.
#[derive(Clone, Copy)]
pub struct PeerPolicy<'a> {
    /// The device supply center's key.
    pub device_center: &'a PublicKey,
    /// The wallet's own clock, ms since the Unix epoch.
    pub now_ms: u64,
    /// Wallets this wallet refuses (from the latest blacklist it holds).
    pub blacklist: &'a BTreeSet<WalletNumber>,
}

impl PeerPolicy<'_> {
    fn admit(&self, certificate: &SignedCertificate, proven_key: &[u8]) -> Result<(), CashError> {
        certificate.verify(self.device_center, self.now_ms)?;
        let wallet = certificate.wallet();
        if proven_key != certificate.certificate.agreement_key.as_slice() {
            return Err(CashError::PeerKeyMismatch(wallet));
        }
        if self.blacklist.contains(&wallet) {
            return Err(CashError::Blacklisted(wallet));
        }
        Ok(())
    }
}

fn handshake_error(error: snow::Error) -> CashError {
    CashError::HandshakeFailed(error.to_string())
}

fn write(state: &mut snow::HandshakeState, payload: &[u8]) -> Result<Vec<u8>, CashError> {
    let mut message = vec![0u8; MAX_MESSAGE];
    let n = state
        .write_message(payload, &mut message)
        .map_err(handshake_error)?;
    message.truncate(n);
    Ok(message)
}

fn read(state: &mut snow::HandshakeState, message: &[u8]) -> Result<Vec<u8>, CashError> {
    let mut payload = vec![0u8; MAX_MESSAGE];
    let n = state
        .read_message(message, &mut payload)
        .map_err(handshake_error)?;
    payload.truncate(n);
    Ok(payload)
}

/// The peer's certificate from a handshake payload, checked against the key
/// the peer proved.
fn peer_certificate(
    state: &snow::HandshakeState,
    payload: &[u8],
    policy: &PeerPolicy<'_>,
) -> Result<SignedCertificate, CashError> {
    let certificate = SignedCertificate::from_bytes(payload)?;
    let proven = state
        .get_remote_static()
        .ok_or_else(|| CashError::HandshakeFailed("the peer sent no static key".into()))?;
    policy.admit(&certificate, proven)?;
    Ok(certificate)
}

/// The initiating wallet (the payer, usually) before the handshake ends.
pub struct Initiator {
    state: snow::HandshakeState,
    own: SignedCertificate,
}

impl Initiator {
    /// Starts a session; returns the first message (`-> e`).
    pub fn start(element: &impl SecureElement) -> Result<(Self, Vec<u8>), CashError> {
        let mut state = element.start_handshake(true);
        let first = write(&mut state, &[])?;
        Ok((
            Self {
                state,
                own: element.certificate().clone(),
            },
            first,
        ))
    }

    /// Reads the responder's answer (`<- e, ee, s, es` with its
    /// certificate), checks it, and returns the session and the last
    /// handshake message (`-> s, se` with this wallet's certificate).
    pub fn finish(
        mut self,
        second: &[u8],
        policy: &PeerPolicy<'_>,
    ) -> Result<(Session, Vec<u8>), CashError> {
        let payload = read(&mut self.state, second)?;
        let peer = peer_certificate(&self.state, &payload, policy)?;
        let third = write(&mut self.state, &self.own.encode())?;
        let transport = self.state.into_transport_mode().map_err(handshake_error)?;
        Ok((Session { transport, peer }, third))
    }
}

/// The responding wallet (the payee, usually) before the handshake ends.
pub struct Responder {
    state: snow::HandshakeState,
}

impl Responder {
    /// Answers a first message with this wallet's ephemeral and certificate.
    pub fn respond(
        element: &impl SecureElement,
        first: &[u8],
    ) -> Result<(Self, Vec<u8>), CashError> {
        let mut state = element.start_handshake(false);
        read(&mut state, first)?;
        let second = write(&mut state, &element.certificate().encode())?;
        Ok((Self { state }, second))
    }

    /// Reads the initiator's certificate and checks it.
    pub fn finish(mut self, third: &[u8], policy: &PeerPolicy<'_>) -> Result<Session, CashError> {
        let payload = read(&mut self.state, third)?;
        let peer = peer_certificate(&self.state, &payload, policy)?;
        let transport = self.state.into_transport_mode().map_err(handshake_error)?;
        Ok(Session { transport, peer })
    }
}

/// An authenticated, encrypted session with one peer wallet.
pub struct Session {
    transport: snow::TransportState,
    peer: SignedCertificate,
}

impl Session {
    /// The peer's checked certificate.
    pub fn peer(&self) -> &SignedCertificate {
        &self.peer
    }

    /// Encrypts the next message to the peer.
    pub fn seal(&mut self, plaintext: &[u8]) -> Vec<u8> {
        assert!(
            plaintext.len() <= MAX_PLAINTEXT,
            "session messages are at most {MAX_PLAINTEXT} bytes"
        );
        let mut message = vec![0u8; plaintext.len() + 16];
        let n = self
            .transport
            .write_message(plaintext, &mut message)
            .expect("a bounded message encrypts");
        message.truncate(n);
        message
    }

    /// Encrypts a message of any length as a sequence of session messages:
    /// the first carries the total length (4 bytes, big-endian).
    pub fn seal_long(&mut self, plaintext: &[u8]) -> Vec<Vec<u8>> {
        let length = u32::try_from(plaintext.len()).expect("messages are below 4 GiB");
        let mut framed = Vec::with_capacity(4 + plaintext.len());
        framed.extend_from_slice(&length.to_be_bytes());
        framed.extend_from_slice(plaintext);
        framed
            .chunks(MAX_PLAINTEXT)
            .map(|chunk| self.seal(chunk))
            .collect()
    }

    /// Reads a message sealed with [`Session::seal_long`]; refuses one whose
    /// parts do not add up to its announced length, or longer than `limit`.
    pub fn open_long(&mut self, parts: &[Vec<u8>], limit: usize) -> Result<Vec<u8>, CashError> {
        let mut framed = Vec::new();
        for part in parts {
            framed.extend_from_slice(&self.open(part)?);
        }
        let malformed = |reason: &str| CashError::Malformed {
            what: "session message",
            reason: reason.into(),
        };
        if framed.len() < 4 {
            return Err(malformed("no length"));
        }
        let length = u32::from_be_bytes([framed[0], framed[1], framed[2], framed[3]]) as usize;
        if length > limit {
            return Err(malformed("longer than allowed"));
        }
        if framed.len() != 4 + length {
            return Err(malformed("parts do not add up to the announced length"));
        }
        framed.drain(..4);
        Ok(framed)
    }

    /// Decrypts the next message from the peer. Anything but the next
    /// message, unaltered, is rejected and leaves the session able to read
    /// the genuine next message.
    pub fn open(&mut self, message: &[u8]) -> Result<Vec<u8>, CashError> {
        let mut plaintext = vec![0u8; message.len()];
        let n = self
            .transport
            .read_message(message, &mut plaintext)
            .map_err(|_| CashError::SessionMessageRejected)?;
        plaintext.truncate(n);
        Ok(plaintext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{secure_element::UncertifiedElement, DeviceCenter, SoftwareSecureElement};
    use eiraku_core::Keypair;

    fn wallet(number: u64, center: &DeviceCenter, until: u64) -> SoftwareSecureElement {
        SoftwareSecureElement::from_seed_certified(number, center, until)
    }

    struct Fixture {
        center: DeviceCenter,
        blacklist: BTreeSet<WalletNumber>,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                center: DeviceCenter::new(Keypair::from_seed(100)),
                blacklist: BTreeSet::new(),
            }
        }

        /// Wallets 1 and 2, valid until 1,000.
        fn two_wallets(&self) -> (SoftwareSecureElement, SoftwareSecureElement) {
            (
                wallet(1, &self.center, 1_000),
                wallet(2, &self.center, 1_000),
            )
        }

        fn policy<'a>(&'a self, key: &'a PublicKey) -> PeerPolicy<'a> {
            PeerPolicy {
                device_center: key,
                now_ms: 500,
                blacklist: &self.blacklist,
            }
        }
    }

    fn connect(
        payer: &SoftwareSecureElement,
        payee: &SoftwareSecureElement,
        payer_policy: &PeerPolicy<'_>,
        payee_policy: &PeerPolicy<'_>,
    ) -> Result<(Session, Session), CashError> {
        let (initiator, first) = Initiator::start(payer)?;
        let (responder, second) = Responder::respond(payee, &first)?;
        let (payer_session, third) = initiator.finish(&second, payer_policy)?;
        let payee_session = responder.finish(&third, payee_policy)?;
        Ok((payer_session, payee_session))
    }

    #[test]
    fn two_certified_wallets_agree_a_session_and_know_each_other() {
        let fixture = Fixture::new();
        let key = fixture.center.public_key();
        let policy = fixture.policy(&key);
        let (a, b) = fixture.two_wallets();
        let (mut payer, mut payee) = connect(&a, &b, &policy, &policy).unwrap();
        assert_eq!(payer.peer().wallet(), WalletNumber(2));
        assert_eq!(payee.peer().wallet(), WalletNumber(1));
        let message = payer.seal(b"offer");
        assert_ne!(&message[..], b"offer", "messages travel encrypted");
        assert_eq!(payee.open(&message).unwrap(), b"offer");
        assert_eq!(payer.open(&payee.seal(b"accept")).unwrap(), b"accept");
    }

    #[test]
    fn replayed_reordered_altered_and_foreign_messages_are_rejected() {
        let fixture = Fixture::new();
        let key = fixture.center.public_key();
        let policy = fixture.policy(&key);
        let (a, b) = fixture.two_wallets();
        let (mut payer, mut payee) = connect(&a, &b, &policy, &policy).unwrap();
        let (first, second) = (payer.seal(b"one"), payer.seal(b"two"));
        assert_eq!(payee.open(&second), Err(CashError::SessionMessageRejected));
        assert_eq!(payee.open(&first).unwrap(), b"one");
        assert_eq!(payee.open(&first), Err(CashError::SessionMessageRejected));
        let mut altered = second.clone();
        altered[0] ^= 1;
        assert_eq!(payee.open(&altered), Err(CashError::SessionMessageRejected));
        // A message of another session between the same wallets.
        let (mut other_payer, _) = connect(&a, &b, &policy, &policy).unwrap();
        let foreign = other_payer.seal(b"two");
        assert_eq!(payee.open(&foreign), Err(CashError::SessionMessageRejected));
        assert_eq!(payee.open(&second).unwrap(), b"two");
    }

    #[test]
    fn expired_blacklisted_and_uncertified_peers_are_refused() {
        let mut fixture = Fixture::new();
        let key = fixture.center.public_key();
        let payee = wallet(2, &fixture.center, 1_000);

        let expired = wallet(1, &fixture.center, 400);
        let policy = fixture.policy(&key);
        assert!(matches!(
            connect(&expired, &payee, &policy, &policy),
            Err(CashError::CertificateNotValidNow { .. })
        ));

        let rogue_center = DeviceCenter::new(Keypair::from_seed(666));
        let uncertified = wallet(3, &rogue_center, 1_000);
        assert_eq!(
            connect(&uncertified, &payee, &policy, &policy).err(),
            Some(CashError::BadCertificateSignature(WalletNumber(3)))
        );

        fixture.blacklist.insert(WalletNumber(1));
        let policy = fixture.policy(&key);
        let listed = wallet(1, &fixture.center, 1_000);
        assert_eq!(
            connect(&listed, &payee, &policy, &policy).err(),
            Some(CashError::Blacklisted(WalletNumber(1)))
        );
        // The payer refuses a listed payee too.
        assert_eq!(
            connect(&payee, &listed, &policy, &policy).err(),
            Some(CashError::Blacklisted(WalletNumber(1)))
        );
    }

    #[test]
    fn a_certificate_shown_by_a_wallet_without_its_key_is_refused() {
        let fixture = Fixture::new();
        let key = fixture.center.public_key();
        let policy = fixture.policy(&key);
        let genuine = wallet(1, &fixture.center, 1_000);
        let payee = wallet(2, &fixture.center, 1_000);
        // An impostor with its own keys but wallet 1's (public) certificate.
        let impostor_keys = UncertifiedElement::from_seed(9);
        let own =
            fixture
                .center
                .certify(impostor_keys.certificate_request(WalletNumber(9), 0, 1_000));
        let mut impostor = impostor_keys.install(own).unwrap();
        impostor.replace_certificate_for_test(genuine.certificate().clone());
        assert_eq!(
            connect(&impostor, &payee, &policy, &policy).err(),
            Some(CashError::PeerKeyMismatch(WalletNumber(1)))
        );
    }
}
