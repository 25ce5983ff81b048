//! The issuance center's signing key in a hardware security module, through
//! PKCS#11 (`cryptoki`): the key is generated inside the token and never
//! leaves it; the center asks the token for each Ed25519 signature
//! (`CKM_EDDSA`). Tested against SoftHSM2, which `.ci/setup` installs.

use crate::signer::{NoteSigner, SignerError};
use commonware_codec::DecodeExt;
use commonware_cryptography::ed25519;
use cryptoki::{
    context::{CInitializeArgs, CInitializeFlags, Function, Pkcs11},
    error::{Error as Pkcs11Error, RvError},
    mechanism::{
        eddsa::{EddsaParams, EddsaSignatureScheme},
        Mechanism,
    },
    object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle},
    session::{Session, UserType},
    slot::Slot,
    types::AuthPin,
};
use eiraku_core::PublicKey;
use std::{path::Path, sync::Mutex};

/// A loaded PKCS#11 module, as callers open signers on it.
pub use cryptoki::context::Pkcs11 as Module;

/// Where Debian's `softhsm2` package puts its PKCS#11 module.
pub const SOFTHSM2_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// `CKA_EC_PARAMS` of Ed25519 keys: the curve name as a PrintableString,
/// the form SoftHSM2 and most tokens accept.
const ED25519_PARAMS: &[u8] = b"\x13\x0cedwards25519";

fn device<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> SignerError + '_ {
    move |e| SignerError(format!("{what}: {e}"))
}

/// Loads and initialises a PKCS#11 module (a second initialisation in the
/// same process is fine).
pub fn load_module(module: &Path) -> Result<Pkcs11, SignerError> {
    let pkcs11 = Pkcs11::new(module).map_err(device(&format!(
        "loading the PKCS#11 module {}",
        module.display()
    )))?;
    match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(())
        | Err(Pkcs11Error::Pkcs11(RvError::CryptokiAlreadyInitialized, Function::Initialize)) => {
            Ok(pkcs11)
        }
        Err(e) => Err(device("initialising the PKCS#11 module")(e)),
    }
}

/// The slot holding the token labelled `token`.
pub fn find_token(pkcs11: &Pkcs11, token: &str) -> Result<Slot, SignerError> {
    for slot in pkcs11
        .get_slots_with_token()
        .map_err(device("listing slots"))?
    {
        let info = pkcs11
            .get_token_info(slot)
            .map_err(device("reading token information"))?;
        if info.label().trim_end() == token {
            return Ok(slot);
        }
    }
    Err(SignerError(format!("no token labelled {token:?}")))
}

/// A SoftHSM2 token kept in `dir` (its configuration file and token
/// folder): what a cash center without a hardware module uses, so its key
/// still never exists outside a PKCS#11 token. Loads SoftHSM2 from `module`
/// and, on first use, initialises a token labelled `token` with the user
/// PIN `pin` (the security officer's PIN is `so_pin`). Sets
/// `SOFTHSM2_CONF` for this process: call it before any other thread uses
/// PKCS#11.
pub fn open_softhsm2(
    module: &Path,
    dir: &Path,
    token: &str,
    so_pin: &str,
    pin: &str,
) -> Result<Pkcs11, SignerError> {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).map_err(device("creating the token folder"))?;
    let config = dir.join("softhsm2.conf");
    let text = format!(
        "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
        tokens.display()
    );
    std::fs::write(&config, text).map_err(device("writing the SoftHSM2 configuration"))?;
    // Read by SoftHSM2 when the module initialises, just below.
    std::env::set_var("SOFTHSM2_CONF", &config);
    let pkcs11 = load_module(module)?;
    if find_token(&pkcs11, token).is_ok() {
        return Ok(pkcs11);
    }
    let slot = *pkcs11
        .get_slots_with_token()
        .map_err(device("listing slots"))?
        .first()
        .ok_or_else(|| SignerError("SoftHSM2 offers no free slot".into()))?;
    let so_pin = AuthPin::new(so_pin.into());
    pkcs11
        .init_token(slot, &so_pin, token)
        .map_err(device("initialising the token"))?;
    let session = pkcs11
        .open_rw_session(slot)
        .map_err(device("opening a session"))?;
    session
        .login(UserType::So, Some(&so_pin))
        .map_err(device("logging in as security officer"))?;
    session
        .init_pin(&AuthPin::new(pin.into()))
        .map_err(device("setting the user PIN"))?;
    Ok(pkcs11)
}

/// The issuance center's signer on a PKCS#11 token.
pub struct Pkcs11Signer {
    session: Mutex<Session>,
    private: ObjectHandle,
    public: PublicKey,
}

impl Pkcs11Signer {
    fn login(pkcs11: &Pkcs11, token: &str, pin: &str) -> Result<Session, SignerError> {
        let slot = find_token(pkcs11, token)?;
        let session = pkcs11
            .open_rw_session(slot)
            .map_err(device("opening a session"))?;
        // Login is per application, not per session: a second session of
        // this process finds the user already logged in.
        match session.login(UserType::User, Some(&AuthPin::new(pin.into()))) {
            Ok(()) | Err(Pkcs11Error::Pkcs11(RvError::UserAlreadyLoggedIn, Function::Login)) => {
                Ok(session)
            }
            Err(e) => Err(device("logging in to the token")(e)),
        }
    }

    /// Generates the center's key pair inside the token, labelled `label`
    /// (setup, once); refuses if a key with that label exists.
    pub fn generate(
        pkcs11: &Pkcs11,
        token: &str,
        pin: &str,
        label: &str,
    ) -> Result<Self, SignerError> {
        let session = Self::login(pkcs11, token, pin)?;
        if Self::find(&session, label, ObjectClass::PRIVATE_KEY)?.is_some() {
            return Err(SignerError(format!(
                "a key labelled {label:?} already exists"
            )));
        }
        let public_template = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::EcParams(ED25519_PARAMS.to_vec()),
        ];
        let private_template = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Label(label.as_bytes().to_vec()),
        ];
        session
            .generate_key_pair(
                &Mechanism::EccEdwardsKeyPairGen,
                &public_template,
                &private_template,
            )
            .map_err(device("generating the key pair"))?;
        Self::with_session(session, label)
    }

    /// Opens the center's key labelled `label` on the token.
    pub fn open(pkcs11: &Pkcs11, token: &str, pin: &str, label: &str) -> Result<Self, SignerError> {
        Self::with_session(Self::login(pkcs11, token, pin)?, label)
    }

    fn find(
        session: &Session,
        label: &str,
        class: ObjectClass,
    ) -> Result<Option<ObjectHandle>, SignerError> {
        let found = session
            .find_objects(&[
                Attribute::Class(class),
                Attribute::KeyType(KeyType::EC_EDWARDS),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .map_err(device("searching the token"))?;
        Ok(found.into_iter().next())
    }

    fn with_session(session: Session, label: &str) -> Result<Self, SignerError> {
        let missing = || SignerError(format!("no Ed25519 key labelled {label:?} on the token"));
        let private = Self::find(&session, label, ObjectClass::PRIVATE_KEY)?.ok_or_else(missing)?;
        let public_handle =
            Self::find(&session, label, ObjectClass::PUBLIC_KEY)?.ok_or_else(missing)?;
        let point = session
            .get_attributes(public_handle, &[AttributeType::EcPoint])
            .map_err(device("reading the public key"))?
            .into_iter()
            .find_map(|attribute| match attribute {
                Attribute::EcPoint(point) => Some(point),
                _ => None,
            })
            .ok_or_else(|| SignerError("the token returned no public key".into()))?;
        // Tokens return the point DER-wrapped (OCTET STRING of 32 bytes) or bare.
        let raw = match point.as_slice() {
            [0x04, 0x20, rest @ ..] if rest.len() == 32 => rest,
            bare if bare.len() == 32 => bare,
            _ => {
                return Err(SignerError(
                    "the token's public key is not an Ed25519 point".into(),
                ))
            }
        };
        let public = PublicKey::decode(commonware_codec::Copying(raw))
            .map_err(device("the token's public key is not a valid Ed25519 key"))?;
        Ok(Self {
            session: Mutex::new(session),
            private,
            public,
        })
    }
}

impl NoteSigner for Pkcs11Signer {
    fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    fn sign(&self, namespace: &[u8], message: &[u8]) -> Result<ed25519::Signature, SignerError> {
        // The bytes commonware's Ed25519 signs for a namespaced message.
        let payload = commonware_utils::union_unique(namespace, message);
        let session = self
            .session
            .lock()
            .map_err(|_| SignerError("the token session was poisoned".into()))?;
        let signature = session
            .sign(
                &Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
                self.private,
                &payload,
            )
            .map_err(device("signing"))?;
        ed25519::Signature::decode(commonware_codec::Copying(signature.as_slice()))
            .map_err(device("the token's signature is not 64 bytes"))
    }
}

/// A SoftHSM2 token for tests: one per test process, in a temporary
/// folder, with the module from `EIRAKU_PKCS11_MODULE` or Debian's path.
#[cfg(test)]
pub(crate) mod softhsm {
    use super::*;
    use std::sync::OnceLock;

    const TOKEN: &str = "eiraku-test";
    const PIN: &str = "eiraku-user-pin";

    fn token() -> &'static Pkcs11 {
        static TOKEN_CONTEXT: OnceLock<Pkcs11> = OnceLock::new();
        TOKEN_CONTEXT.get_or_init(|| {
            let module = std::env::var("EIRAKU_PKCS11_MODULE")
                .unwrap_or_else(|_| SOFTHSM2_MODULE.to_string());
            assert!(
                Path::new(&module).exists(),
                "SoftHSM2 is not installed ({module} is missing): run `bash .ci/setup` first"
            );
            // The token lives as long as the test process.
            let dir = tempfile::tempdir().expect("temporary folder").keep();
            let pkcs11 = open_softhsm2(Path::new(&module), &dir, TOKEN, "eiraku-so-pin", PIN)
                .expect("SoftHSM2 loads and its token initialises");
            pkcs11
        })
    }

    /// Holds the test token for one test. SoftHSM2's file object store is
    /// not safe for concurrent key generation: tests running in parallel
    /// threads once made `C_GenerateKeyPair` fail with a general error. A
    /// real center uses one key from one process.
    pub(crate) fn exclusive() -> std::sync::MutexGuard<'static, ()> {
        static HELD: Mutex<()> = Mutex::new(());
        // A test that panicked while holding it leaves the token usable.
        HELD.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The key labelled `label` on the test token, generated on first use.
    pub(crate) fn signer(label: &str) -> Pkcs11Signer {
        let pkcs11 = token();
        Pkcs11Signer::open(pkcs11, TOKEN, PIN, label)
            .or_else(|_| Pkcs11Signer::generate(pkcs11, TOKEN, PIN, label))
            .expect("the SoftHSM2 key opens or is generated")
    }

    #[test]
    fn the_token_signs_what_commonware_verifies_and_keeps_its_key() {
        use commonware_cryptography::Verifier;
        let _token = exclusive();
        let signer = signer("signs-and-keeps");
        let signature = signer.sign(b"namespace", b"message").unwrap();
        assert!(signer
            .public_key()
            .verify(b"namespace", b"message", &signature));
        assert!(!signer
            .public_key()
            .verify(b"other namespace", b"message", &signature));
        // Opened again, the same key; a second key of that label is refused.
        let again = signer_again("signs-and-keeps");
        assert_eq!(again.public_key(), signer.public_key());
        assert!(Pkcs11Signer::generate(token(), TOKEN, PIN, "signs-and-keeps").is_err());
        assert!(Pkcs11Signer::open(token(), TOKEN, PIN, "absent").is_err());
    }

    fn signer_again(label: &str) -> Pkcs11Signer {
        Pkcs11Signer::open(token(), TOKEN, PIN, label).unwrap()
    }
}
