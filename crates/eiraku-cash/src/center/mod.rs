//! The issuance center at work: registers certified wallets, issues notes
//! against load requests, and checks deposits into a persistent note
//! database, where a serial seen twice is a double spend whose culprit is
//! proven and blacklisted.
//!
//! A deposit is a transfer to the center: the depositing wallet (an e-vault,
//! or a wallet syncing) hands each note to [`CENTER`] like to any payee, so
//! a wallet that deposits a note it already paid away has signed two
//! successors of one hop, like any other double spender.

use crate::{
    history::{open_path, HistoryKey, IssuedNote},
    CashError, DoubleSpendEvidence, Evidence, IssuanceCenterKeys, Note, NoteInHand,
    SignedCertificate, SignedClaim, SignedEntry, Unit, WalletNumber,
};
use bytes::BufMut;
use commonware_codec::{
    Buf, Copying, DecodeExt, Encode, EncodeSize, Error, RangeCfg, Read, ReadExt, Write,
};
use commonware_cryptography::{ed25519, Verifier};
use eiraku_core::Digest;
use eiraku_core::PublicKey;
use fjall::{Config, Keyspace, PartitionCreateOptions, PartitionHandle, PersistMode};
use std::{
    collections::BTreeMap,
    path::Path,
    sync::{Mutex, MutexGuard, RwLock},
};

mod blacklist;
mod blame;
mod claims;
mod deposit;
mod loads;
mod promises;

pub use crate::certificate::CENTER;

/// Signing namespace of blacklists.
pub const BLACKLIST_NAMESPACE: &[u8] = b"eiraku-cash/blacklist";

const NEXT_SERIAL: &[u8] = b"next_serial";
/// How long a note lives unless configured otherwise: 90 days. Honest
/// wallets deposit or refresh notes before they end.
pub const DEFAULT_NOTE_LIFETIME_MS: u64 = 90 * 24 * 3_600_000;

/// Wallet (8 bytes), denomination (8 bytes), note digest (32 bytes).
const ISSUED_RECORD: usize = 48;
const BLACKLIST_VERSION: &[u8] = b"blacklist_version";

/// Why the center could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CenterError {
    /// The request was refused (a typed reason).
    #[error(transparent)]
    Refused(#[from] CashError),
    /// The note database failed: the center must stop rather than guess.
    #[error("note database: {0}")]
    Storage(String),
    /// The signing key (software or HSM) failed.
    #[error(transparent)]
    Signer(#[from] crate::SignerError),
}

fn storage<E: std::fmt::Display>(e: E) -> CenterError {
    CenterError::Storage(e.to_string())
}

/// What happened to one deposited note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DepositOutcome {
    /// First deposit of the serial: credited.
    Credited {
        /// The note's serial.
        serial: u64,
        /// Its value.
        value: u64,
    },
    /// The serial was deposited before along another path: a double spend,
    /// not credited; the culprit is blacklisted.
    DoubleSpend {
        /// The note's serial.
        serial: u64,
        /// The proof (boxed: it is large beside the other outcomes).
        evidence: Box<DoubleSpendEvidence>,
    },
    /// The same deposit again: not credited.
    Replayed {
        /// The note's serial.
        serial: u64,
    },
    /// The serial was deposited before along another path, or its history
    /// does not hold together, and what points at the suspect is not
    /// signed as it should be (entries not validly signed by the wallet
    /// that sealed them, a statement of a hop that is not the wallet's
    /// sealed entry): only an element whose keys were extracted produces
    /// that. Not credited; the suspect is not blacklisted without evidence
    /// others can check, so this needs an operator.
    Unprovable {
        /// The note's serial.
        serial: u64,
        /// The wallet that sealed the diverging entries.
        suspect: WalletNumber,
    },
    /// The note's history was made up: an entry follows a hop its signer
    /// never received. Not credited; the signer is blacklisted on the
    /// evidence.
    Forged {
        /// The note's serial.
        serial: u64,
        /// The proof (boxed: it is large beside the other outcomes).
        evidence: Box<crate::UnfoundedEntry>,
    },
    /// The note failed its checks (counterfeit, tampered history, not
    /// handed to the center) and names nobody: not credited, and nothing
    /// recorded for it.
    Refused {
        /// The note's serial, as the note states it.
        serial: u64,
        /// Why.
        reason: CashError,
    },
}

/// What the center did with one note of an in-doubt record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The note already reached the wallet it was handed to (a deposit
    /// shows that hop): nothing is owed.
    Arrived {
        /// The note's serial.
        serial: u64,
    },
    /// Recorded; decided once the note's life is over, when no honest
    /// holder can still deposit it.
    Pending {
        /// The note's serial.
        serial: u64,
        /// When [`IssuanceCenter::settle_claims`] decides it.
        decided_after_ms: u64,
    },
}

/// Value the center credits for a note that never arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    /// Who is owed it: the payer of a lost payment or deposit, the payer a
    /// lost change was due to.
    pub wallet: WalletNumber,
    /// The note.
    pub serial: u64,
    /// Its value.
    pub value: u64,
    /// The payee charged for it: one that promised this note as change and
    /// kept it (it was deposited along a path that never reached the payer).
    pub charged: Option<WalletNumber>,
}

/// The center's signed list of refused wallets. Wallets and e-vaults keep
/// the newest version they have seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedBlacklist {
    /// Increases with every change.
    pub version: u64,
    /// Refused wallets, ascending.
    pub wallets: Vec<WalletNumber>,
    /// The center's signature over version and wallets.
    pub signature: ed25519::Signature,
}

impl SignedBlacklist {
    fn message(version: u64, wallets: &[WalletNumber]) -> Vec<u8> {
        (version, wallets.to_vec()).encode().to_vec()
    }

    /// Checks the center's signature.
    pub fn verify(&self, center: &PublicKey) -> bool {
        center.verify(
            BLACKLIST_NAMESPACE,
            &Self::message(self.version, &self.wallets),
            &self.signature,
        )
    }
}

/// Most wallets a blacklist names.
pub const MAX_BLACKLIST: usize = 1_000_000;

impl SignedBlacklist {
    /// Reads a blacklist received from the center or an e-vault (check it
    /// with [`SignedBlacklist::verify`] before use).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CashError> {
        Self::decode(Copying(bytes)).map_err(|e| CashError::Malformed {
            what: "blacklist",
            reason: e.to_string(),
        })
    }
}

impl Write for SignedBlacklist {
    fn write(&self, buf: &mut impl BufMut) {
        self.version.write(buf);
        self.wallets.write(buf);
        self.signature.write(buf);
    }
}

impl EncodeSize for SignedBlacklist {
    fn encode_size(&self) -> usize {
        self.version.encode_size() + self.wallets.encode_size() + self.signature.encode_size()
    }
}

impl Read for SignedBlacklist {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            version: u64::read(buf)?,
            wallets: Vec::<WalletNumber>::read_cfg(buf, &(RangeCfg::new(0..=MAX_BLACKLIST), ()))?,
            signature: ed25519::Signature::read(buf)?,
        })
    }
}

/// A path as stored: the signed entries of one deposit.
struct StoredPath(Vec<SignedEntry>);

impl Write for StoredPath {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl EncodeSize for StoredPath {
    fn encode_size(&self) -> usize {
        self.0.encode_size()
    }
}

impl Read for StoredPath {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Vec::<SignedEntry>::read_cfg(buf, &(RangeCfg::new(0..=crate::note::MAX_HISTORY + 1), ()))
            .map(StoredPath)
    }
}

/// The issuance center with its note database.
pub struct IssuanceCenter {
    keys: IssuanceCenterKeys,
    device_center: PublicKey,
    issuer: u32,
    unit: Unit,
    keyspace: Keyspace,
    meta: PartitionHandle,
    /// Wallet number → certificate.
    wallets: PartitionHandle,
    /// Serial → wallet issued to (8 bytes), denomination (8 bytes) and the
    /// sealed note's digest (32 bytes).
    issued: PartitionHandle,
    /// Serial → the path of its first deposit.
    deposited: PartitionHandle,
    /// Wallet number → the end of its certificate's validity, for every
    /// caught wallet whose certificate is still valid: the published list.
    blacklist: PartitionHandle,
    /// Wallet number → the evidence it was caught on, kept for good.
    evidence: PartitionHandle,
    /// (Serial, hop) → an in-doubt claim waiting for the note's end of life.
    claims: PartitionHandle,
    /// (Change serial, payer) → a claim on a promise of change: payee,
    /// value and the note's end of life.
    promises: PartitionHandle,
    /// Load transaction hash → the notes issued for it.
    loads: PartitionHandle,
    /// (Wallet, transfer counter) → where the entry it signed under it is
    /// (serial, hop): an honest element never signs twice under one
    /// counter, so a second entry is a clone's (a copied element or a
    /// restored backup).
    counters: PartitionHandle,
    /// How long issued notes live.
    note_lifetime_ms: u64,
    /// History keys agreed so far (one X25519 agreement per wallet, then
    /// reused: this is what makes deposit checks cheap).
    history_keys: RwLock<BTreeMap<WalletNumber, HistoryKey>>,
    /// Held by every write that checks what is recorded first (deposits,
    /// claims, issuance, registration): a check and its write are one step,
    /// so two requests never both see a serial as new.
    writer: Mutex<()>,
}

/// The big-endian u64 at `at` in a stored record, or a storage error
/// naming `what` when the record is too short.
fn stored_u64(bytes: &[u8], at: usize, what: &str) -> Result<u64, CenterError> {
    bytes
        .get(at..at + 8)
        .and_then(|word| word.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| storage(format!("a stored {what} is malformed")))
}

fn serial_key(serial: u64) -> [u8; 8] {
    serial.to_be_bytes()
}

fn claim_key(serial: u64, hop: usize) -> [u8; 10] {
    let mut key = [0u8; 10];
    key[..8].copy_from_slice(&serial.to_be_bytes());
    key[8..].copy_from_slice(&u16::try_from(hop).unwrap_or(u16::MAX).to_be_bytes());
    key
}

impl IssuanceCenter {
    /// Opens (or creates) the center's database in `path`.
    pub fn open(
        path: &Path,
        keys: IssuanceCenterKeys,
        device_center: PublicKey,
        issuer: u32,
        unit: Unit,
    ) -> Result<Self, CenterError> {
        let keyspace = Config::new(path).open().map_err(storage)?;
        let partition = |name: &str| {
            keyspace
                .open_partition(name, PartitionCreateOptions::default())
                .map_err(storage)
        };
        Ok(Self {
            meta: partition("meta")?,
            wallets: partition("wallets")?,
            issued: partition("issued")?,
            deposited: partition("deposited")?,
            blacklist: partition("blacklist")?,
            evidence: partition("evidence")?,
            claims: partition("claims")?,
            counters: partition("counters")?,
            promises: partition("promises")?,
            loads: partition("loads")?,
            note_lifetime_ms: DEFAULT_NOTE_LIFETIME_MS,
            history_keys: RwLock::new(BTreeMap::new()),
            writer: Mutex::new(()),
            keys,
            device_center,
            issuer,
            unit,
            keyspace,
        })
    }

    /// The write lock. A panic while holding it leaves nothing half done
    /// (every write is one batch), so a poisoned lock is taken over.
    fn write_lock(&self) -> MutexGuard<'_, ()> {
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets how long notes issued from now on live.
    pub fn set_note_lifetime(&mut self, lifetime_ms: u64) {
        self.note_lifetime_ms = lifetime_ms;
    }

    fn meta_u64(&self, key: &[u8]) -> Result<u64, CenterError> {
        Ok(match self.meta.get(key).map_err(storage)? {
            Some(value) => u64::from_be_bytes(
                value
                    .as_ref()
                    .try_into()
                    .map_err(|_| storage("meta value is not 8 bytes"))?,
            ),
            None => 0,
        })
    }

    /// Registers a wallet whose certificate the device center signed.
    pub fn register(
        &self,
        certificate: &SignedCertificate,
        now_ms: u64,
    ) -> Result<(), CenterError> {
        self.register_many(std::slice::from_ref(certificate), now_ms)
    }

    /// Registers wallets in one durable write; one bad certificate refuses
    /// them all. A number keeps its first certificate: registering it again
    /// is a no-op, and a different certificate for it is refused, so the
    /// key that evidence against a wallet is checked with never changes.
    pub fn register_many(
        &self,
        certificates: &[SignedCertificate],
        now_ms: u64,
    ) -> Result<(), CenterError> {
        let _writing = self.write_lock();
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        let mut seen: BTreeMap<WalletNumber, &SignedCertificate> = BTreeMap::new();
        for certificate in certificates {
            certificate.verify(&self.device_center, now_ms)?;
            let wallet = certificate.wallet();
            let registered = match seen.get(&wallet) {
                Some(held) => Some((*held).clone()),
                None => self.certificate(wallet)?,
            };
            match registered {
                Some(held) if held == *certificate => continue,
                Some(_) => return Err(CashError::WalletNumberTaken(wallet).into()),
                None => {
                    seen.insert(wallet, certificate);
                }
            }
            batch.insert(
                &self.wallets,
                certificate.wallet().0.to_be_bytes(),
                certificate.encode().to_vec(),
            );
        }
        batch.commit().map_err(storage)
    }

    fn certificate(&self, wallet: WalletNumber) -> Result<Option<SignedCertificate>, CenterError> {
        let Some(bytes) = self.wallets.get(wallet.0.to_be_bytes()).map_err(storage)? else {
            return Ok(None);
        };
        SignedCertificate::decode(Copying(bytes.as_ref()))
            .map(Some)
            .map_err(|e| storage(format!("stored certificate of {wallet}: {e}")))
    }

    fn wallet_key(&self, wallet: WalletNumber) -> Result<Option<PublicKey>, CenterError> {
        Ok(self
            .certificate(wallet)?
            .map(|certificate| certificate.certificate.signing_key))
    }

    /// The key `wallet` seals its history with, agreed once and cached.
    fn history_key(&self, wallet: WalletNumber) -> Result<HistoryKey, CenterError> {
        let cached = self
            .history_keys
            .read()
            .expect("no thread panics holding the key cache")
            .get(&wallet)
            .cloned();
        if let Some(key) = cached {
            return Ok(key);
        }
        let certificate = self
            .certificate(wallet)?
            .ok_or(CashError::UnknownWallet(wallet))?;
        let key = self
            .keys
            .history_key(wallet, &certificate.certificate.sealing_key)?;
        self.history_keys
            .write()
            .expect("no thread panics holding the key cache")
            .insert(wallet, key.clone());
        Ok(key)
    }

    /// Issues notes worth `amount` to a registered wallet (the ledger side,
    /// moving coins into offline outstanding, comes with the money module).
    pub fn issue(
        &self,
        wallet: WalletNumber,
        amount: u64,
        now_ms: u64,
    ) -> Result<Vec<NoteInHand>, CenterError> {
        Ok(self
            .issue_many(&[(wallet, amount)], now_ms)?
            .pop()
            .expect("one request, one answer"))
    }

    /// Issues notes to several wallets in one durable write (a batch of
    /// loads or refreshes), spread over denominations so they can pay and
    /// change offline ([`crate::note::spread_amount`]); one refused request
    /// refuses them all. A blacklisted wallet is refused. Notes live
    /// [`IssuanceCenter::set_note_lifetime`] from `now_ms`.
    pub fn issue_many(
        &self,
        requests: &[(WalletNumber, u64)],
        now_ms: u64,
    ) -> Result<Vec<Vec<NoteInHand>>, CenterError> {
        let requests: Vec<(WalletNumber, Vec<u64>)> = requests
            .iter()
            .map(|&(wallet, amount)| (wallet, crate::note::spread_amount(amount)))
            .collect();
        self.issue_denominations(&requests, now_ms)
    }

    /// Issues exactly the notes asked for (each a denomination of the
    /// series) to several wallets in one durable write.
    pub fn issue_denominations(
        &self,
        requests: &[(WalletNumber, Vec<u64>)],
        now_ms: u64,
    ) -> Result<Vec<Vec<NoteInHand>>, CenterError> {
        let _writing = self.write_lock();
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        let answers = self.issue_into(&mut batch, requests, now_ms)?;
        batch.commit().map_err(storage)?;
        Ok(answers)
    }

    /// Seals the notes asked for into `batch`, the caller holding the
    /// write lock.
    fn issue_into(
        &self,
        batch: &mut fjall::Batch,
        requests: &[(WalletNumber, Vec<u64>)],
        now_ms: u64,
    ) -> Result<Vec<Vec<NoteInHand>>, CenterError> {
        for (wallet, denominations) in requests {
            let wallet = *wallet;
            if let Some(&odd) = denominations
                .iter()
                .find(|d| !crate::note::DENOMINATIONS.contains(d))
            {
                return Err(CashError::Protocol(format!("{odd} is not a denomination")).into());
            }
            self.certificate(wallet)?
                .ok_or(CashError::UnknownWallet(wallet))?
                .verify(&self.device_center, now_ms)?;
            if self.is_blacklisted(wallet)? {
                return Err(CashError::Blacklisted(wallet).into());
            }
        }
        let mut serial = self.meta_u64(NEXT_SERIAL)?;
        let mut answers = Vec::with_capacity(requests.len());
        for (wallet, denominations) in requests {
            let wallet = *wallet;
            let mut notes = Vec::new();
            for &denomination in denominations {
                serial += 1;
                let note = self.keys.seal(Note {
                    serial,
                    unit: self.unit,
                    denomination,
                    issuer: self.issuer,
                    reserved: Vec::new(),
                    valid_until_ms: now_ms.saturating_add(self.note_lifetime_ms),
                })?;
                let mut record = [0u8; ISSUED_RECORD];
                record[..8].copy_from_slice(&wallet.0.to_be_bytes());
                record[8..16].copy_from_slice(&denomination.to_be_bytes());
                record[16..].copy_from_slice(note.digest().as_ref());
                batch.insert(&self.issued, serial_key(serial), record);
                notes.push(NoteInHand {
                    note,
                    history: Vec::new(),
                    received: None,
                });
            }
            answers.push(notes);
        }
        batch.insert(&self.meta, NEXT_SERIAL, serial.to_be_bytes());
        Ok(answers)
    }

    /// Opens and checks a note's path as a deposit does.
    fn checked_path(&self, note: &NoteInHand) -> Result<Vec<SignedEntry>, CenterError> {
        let issued = self.issued(note.note.note.serial)?;
        let mut failure = None;
        let path = open_path(note, &issued, |wallet| {
            self.history_key(wallet).map_err(|e| match e {
                CenterError::Refused(refused) => refused,
                CenterError::Storage(_) | CenterError::Signer(_) => {
                    failure = Some(e);
                    CashError::UnknownWallet(wallet)
                }
            })
        });
        match failure {
            Some(failure) => Err(failure),
            None => Ok(path?),
        }
    }

    /// The path a serial was first deposited (or refunded) along.
    fn deposited_path(&self, serial: u64) -> Result<Option<Vec<SignedEntry>>, CenterError> {
        match self.deposited.get(serial_key(serial)).map_err(storage)? {
            Some(bytes) => Ok(Some(
                StoredPath::decode(Copying(bytes.as_ref()))
                    .map_err(|e| storage(format!("stored path of note {serial}: {e}")))?
                    .0,
            )),
            None => Ok(None),
        }
    }

    /// What was recorded when `serial` was issued; a serial never issued
    /// is a counterfeit.
    fn issued(&self, serial: u64) -> Result<IssuedNote, CenterError> {
        let record = self
            .issued
            .get(serial_key(serial))
            .map_err(storage)?
            .ok_or(CashError::BadSeal { serial })?;
        let record: &[u8; ISSUED_RECORD] = record
            .as_ref()
            .try_into()
            .map_err(|_| storage(format!("issued record of note {serial} is malformed")))?;
        let mut wallet = [0u8; 8];
        wallet.copy_from_slice(&record[..8]);
        let mut digest = [0u8; 32];
        digest.copy_from_slice(&record[16..]);
        Ok(IssuedNote {
            to: WalletNumber(u64::from_be_bytes(wallet)),
            digest: Digest::from(digest),
        })
    }
}

#[cfg(test)]
mod tests;
