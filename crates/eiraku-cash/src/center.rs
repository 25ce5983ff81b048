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
    CashError, DoubleSpendEvidence, IssuanceCenterKeys, Note, NoteInHand, SignedCertificate,
    SignedEntry, Unit, WalletNumber,
};
use bytes::BufMut;
use commonware_codec::{
    Buf, Copying, Decode, DecodeExt, Encode, EncodeSize, Error, RangeCfg, Read, Write,
};
use commonware_cryptography::{ed25519, Verifier};
use eiraku_core::Digest;
use eiraku_core::PublicKey;
use fjall::{Config, Keyspace, PartitionCreateOptions, PartitionHandle, PersistMode};
use std::{collections::BTreeMap, path::Path, sync::RwLock};

/// The wallet number that stands for the issuance center as a payee.
pub const CENTER: WalletNumber = WalletNumber(0);

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
    /// The serial was deposited before along another path, but the entries
    /// where the paths part are not both validly signed by the wallet that
    /// sealed them: only an element whose keys were extracted produces that.
    /// Not credited; the suspect is not blacklisted without evidence others
    /// can check, so this needs an operator.
    Unprovable {
        /// The note's serial.
        serial: u64,
        /// The wallet that sealed the diverging entries.
        suspect: WalletNumber,
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
    /// Wallet number → the evidence against it (first and second entry).
    blacklist: PartitionHandle,
    /// (Serial, hop) → an in-doubt claim waiting for the note's end of life.
    claims: PartitionHandle,
    /// How long issued notes live.
    note_lifetime_ms: u64,
    /// History keys agreed so far (one X25519 agreement per wallet, then
    /// reused: this is what makes deposit checks cheap).
    history_keys: RwLock<BTreeMap<WalletNumber, HistoryKey>>,
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
            claims: partition("claims")?,
            note_lifetime_ms: DEFAULT_NOTE_LIFETIME_MS,
            history_keys: RwLock::new(BTreeMap::new()),
            keys,
            device_center,
            issuer,
            unit,
            keyspace,
        })
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
    /// them all.
    pub fn register_many(
        &self,
        certificates: &[SignedCertificate],
        now_ms: u64,
    ) -> Result<(), CenterError> {
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        for certificate in certificates {
            certificate.verify(&self.device_center, now_ms)?;
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
            .history_key(wallet, &certificate.certificate.agreement_key)?;
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
        for (wallet, denominations) in requests {
            let wallet = *wallet;
            if let Some(&odd) = denominations
                .iter()
                .find(|d| !crate::note::DENOMINATIONS.contains(d))
            {
                return Err(CashError::Protocol(format!("{odd} is not a denomination")).into());
            }
            if self.wallet_key(wallet)?.is_none() {
                return Err(CashError::UnknownWallet(wallet).into());
            }
            if self.is_blacklisted(wallet)? {
                return Err(CashError::Blacklisted(wallet).into());
            }
        }
        let mut serial = self.meta_u64(NEXT_SERIAL)?;
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
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
                });
            }
            answers.push(notes);
        }
        batch.insert(&self.meta, NEXT_SERIAL, serial.to_be_bytes());
        batch.commit().map_err(storage)?;
        Ok(answers)
    }

    /// Files a wallet's in-doubt records ([`crate::Wallet::in_doubt_records`]):
    /// each note's path is checked like a deposit and must end with the hop
    /// `claimant` handed it over in. A note whose hop already shows in a
    /// deposit arrived; the others wait for the note's end of life. A bad
    /// record refuses the whole filing, recording nothing.
    pub fn file_claims(
        &self,
        claimant: WalletNumber,
        records: &[crate::InDoubt],
    ) -> Result<Vec<ClaimOutcome>, CenterError> {
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        let mut outcomes = Vec::new();
        for record in records {
            let beneficiary = match record.kind {
                crate::InDoubtKind::Payment | crate::InDoubtKind::Deposit => claimant,
                crate::InDoubtKind::Change => record.to,
            };
            for note in &record.notes {
                let serial = note.note.note.serial;
                let path = self.checked_path(note)?;
                let hop = path.len();
                let claimed = path
                    .last()
                    .filter(|last| last.entry.from == claimant && last.entry.to == record.to);
                if claimed.is_none() {
                    return Err(CashError::HistoryInvalid {
                        serial,
                        hop: u16::try_from(hop).unwrap_or(u16::MAX),
                        reason: format!(
                            "the claim is not for a hop from wallet {claimant} to wallet {}",
                            record.to
                        ),
                    }
                    .into());
                }
                if self
                    .deposited_path(serial)?
                    .is_some_and(|deposited| deposited.get(hop - 1) == path.last())
                {
                    outcomes.push(ClaimOutcome::Arrived { serial });
                    continue;
                }
                let valid_until_ms = note.note.note.valid_until_ms;
                let mut value = Vec::new();
                value.extend_from_slice(&beneficiary.0.to_be_bytes());
                value.extend_from_slice(&note.note.note.denomination.to_be_bytes());
                value.extend_from_slice(&valid_until_ms.to_be_bytes());
                value.extend_from_slice(&StoredPath(path).encode());
                batch.insert(&self.claims, claim_key(serial, hop), value);
                outcomes.push(ClaimOutcome::Pending {
                    serial,
                    decided_after_ms: valid_until_ms,
                });
            }
        }
        batch.commit().map_err(storage)?;
        Ok(outcomes)
    }

    /// Decides every claim whose note's life ended before `now_ms`: a note
    /// whose claimed hop shows in a deposit arrived (no refund); a note
    /// deposited along another path was spent twice upstream or by the
    /// claimant (no refund: the evidence names who); a note never deposited
    /// is refunded to whom it is owed and recorded as deposited along the
    /// claimed path, so a late deposit of it is not credited again.
    pub fn settle_claims(&self, now_ms: u64) -> Result<Vec<Refund>, CenterError> {
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        let mut refunds = Vec::new();
        let mut settled: BTreeMap<u64, Vec<SignedEntry>> = BTreeMap::new();
        for item in self.claims.iter() {
            let (key, value) = item.map_err(storage)?;
            let malformed = || storage("a stored claim is malformed");
            if value.len() < 24 {
                return Err(malformed());
            }
            let word = |at: usize| -> Result<u64, CenterError> {
                Ok(u64::from_be_bytes(
                    value[at..at + 8].try_into().map_err(|_| malformed())?,
                ))
            };
            let (beneficiary, amount, valid_until_ms) = (word(0)?, word(8)?, word(16)?);
            if valid_until_ms >= now_ms {
                continue;
            }
            let path = StoredPath::decode(Copying(&value[24..]))
                .map_err(|e| storage(format!("stored claim path: {e}")))?
                .0;
            let serial = u64::from_be_bytes(key[..8].try_into().map_err(|_| malformed())?);
            batch.remove(&self.claims, key.to_vec());
            let deposited = match settled.get(&serial) {
                Some(path) => Some(path.clone()),
                None => self.deposited_path(serial)?,
            };
            if deposited.is_none() {
                batch.insert(
                    &self.deposited,
                    serial_key(serial),
                    StoredPath(path.clone()).encode().to_vec(),
                );
                settled.insert(serial, path);
                refunds.push(Refund {
                    wallet: WalletNumber(beneficiary),
                    serial,
                    value: amount,
                });
            }
        }
        batch.commit().map_err(storage)?;
        Ok(refunds)
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

    /// Whether `wallet` is on the blacklist.
    pub fn is_blacklisted(&self, wallet: WalletNumber) -> Result<bool, CenterError> {
        Ok(self
            .blacklist
            .get(wallet.0.to_be_bytes())
            .map_err(storage)?
            .is_some())
    }

    /// Checks deposited notes, each handed to [`CENTER`] by its last entry.
    /// A note that fails its checks refuses the whole deposit, changing
    /// nothing; otherwise every note is credited, found double-spent (its
    /// culprit blacklisted) or found replayed, in one durable write.
    pub fn deposit(&self, notes: &[NoteInHand]) -> Result<Vec<DepositOutcome>, CenterError> {
        let mut opened = Vec::with_capacity(notes.len());
        for note in notes {
            let serial = note.note.note.serial;
            let path = self.checked_path(note)?;
            let last = path.last().map(|s| &s.entry);
            if last.map(|e| e.to) != Some(CENTER) {
                return Err(CashError::HistoryInvalid {
                    serial,
                    hop: u16::try_from(path.len()).unwrap_or(u16::MAX),
                    reason: "the note was not handed to the issuance center".into(),
                }
                .into());
            }
            opened.push((serial, note.note.note.denomination, path));
        }
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        let mut outcomes = Vec::with_capacity(opened.len());
        // Paths deposited earlier in this same deposit.
        let mut pending: BTreeMap<u64, Vec<SignedEntry>> = BTreeMap::new();
        let mut culprits = BTreeMap::new();
        for (serial, value, path) in opened {
            let earlier = match pending.get(&serial) {
                Some(path) => Some(path.clone()),
                None => self.deposited_path(serial)?,
            };
            let outcome = match earlier {
                None => {
                    batch.insert(
                        &self.deposited,
                        serial_key(serial),
                        StoredPath(path.clone()).encode().to_vec(),
                    );
                    pending.insert(serial, path);
                    DepositOutcome::Credited { serial, value }
                }
                Some(earlier) => match DoubleSpendEvidence::find(&earlier, &path) {
                    Some(evidence) => {
                        let suspect = evidence.culprit();
                        let key = self
                            .wallet_key(suspect)?
                            .ok_or(CashError::UnknownWallet(suspect))?;
                        if evidence.verify(&key).is_ok() {
                            culprits.entry(suspect).or_insert_with(|| evidence.clone());
                            DepositOutcome::DoubleSpend {
                                serial,
                                evidence: Box::new(evidence),
                            }
                        } else {
                            DepositOutcome::Unprovable { serial, suspect }
                        }
                    }
                    None => DepositOutcome::Replayed { serial },
                },
            };
            outcomes.push(outcome);
        }
        let mut listed_new = false;
        for (culprit, evidence) in culprits {
            if !self.is_blacklisted(culprit)? {
                batch.insert(
                    &self.blacklist,
                    culprit.0.to_be_bytes(),
                    (evidence.first.clone(), evidence.second.clone())
                        .encode()
                        .to_vec(),
                );
                listed_new = true;
            }
        }
        if listed_new {
            let version = self.meta_u64(BLACKLIST_VERSION)? + 1;
            batch.insert(&self.meta, BLACKLIST_VERSION, version.to_be_bytes());
        }
        batch.commit().map_err(storage)?;
        Ok(outcomes)
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

    /// The current blacklist, signed.
    pub fn blacklist(&self) -> Result<SignedBlacklist, CenterError> {
        let version = self.meta_u64(BLACKLIST_VERSION)?;
        let mut wallets = Vec::new();
        for entry in self.blacklist.iter() {
            let (key, _) = entry.map_err(storage)?;
            let bytes: [u8; 8] = key
                .as_ref()
                .try_into()
                .map_err(|_| storage("blacklist key is not 8 bytes"))?;
            wallets.push(WalletNumber(u64::from_be_bytes(bytes)));
        }
        let signature = self
            .keys
            .sign_blacklist(&SignedBlacklist::message(version, &wallets))?;
        Ok(SignedBlacklist {
            version,
            wallets,
            signature,
        })
    }

    /// The evidence held against a blacklisted wallet.
    pub fn evidence_against(
        &self,
        wallet: WalletNumber,
    ) -> Result<Option<DoubleSpendEvidence>, CenterError> {
        let Some(bytes) = self
            .blacklist
            .get(wallet.0.to_be_bytes())
            .map_err(storage)?
        else {
            return Ok(None);
        };
        let (first, second) =
            <(SignedEntry, SignedEntry)>::decode_cfg(Copying(bytes.as_ref()), &((), ()))
                .map_err(|e| storage(format!("stored evidence against {wallet}: {e}")))?;
        Ok(Some(DoubleSpendEvidence { first, second }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeviceCenter, RiskLimits, SecureElement, SoftwareSecureElement, Wallet};
    use eiraku_core::Keypair;

    const LIMITS: RiskLimits = RiskLimits {
        max_balance: 1_000_000,
        max_hops: 8,
        max_transfer: 1_000_000,
    };

    /// Where the center's signing key lives: every test below runs with
    /// both.
    #[derive(Clone, Copy)]
    enum Signer {
        Software,
        /// A SoftHSM2 token key with this label.
        SoftHsm(&'static str),
    }

    struct World {
        device_center: DeviceCenter,
        signer: Signer,
        _dir: tempfile::TempDir,
        path: std::path::PathBuf,
        center: IssuanceCenter,
    }

    fn keys(signer: Signer) -> IssuanceCenterKeys {
        match signer {
            Signer::Software => IssuanceCenterKeys::from_seed(1),
            Signer::SoftHsm(label) => IssuanceCenterKeys::with_signer(
                Box::new(crate::pkcs11::softhsm::signer(label)),
                [7u8; 32],
            ),
        }
    }

    impl World {
        fn new(signer: Signer) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("notes");
            let device_center = DeviceCenter::new(Keypair::from_seed(100));
            let mut world = Self {
                center: Self::open_center(&path, &device_center, signer),
                device_center,
                signer,
                _dir: dir,
                path,
            };
            world.restart();
            world
        }

        fn open_center(
            path: &Path,
            device_center: &DeviceCenter,
            signer: Signer,
        ) -> IssuanceCenter {
            IssuanceCenter::open(path, keys(signer), device_center.public_key(), 1, Unit::ACU)
                .unwrap()
        }

        /// Closes the center and opens it again on the same database and key.
        fn restart(&mut self) {
            let placeholder = tempfile::tempdir().unwrap();
            let old = std::mem::replace(
                &mut self.center,
                Self::open_center(placeholder.path(), &self.device_center, Signer::Software),
            );
            drop(old);
            self.center = Self::open_center(&self.path, &self.device_center, self.signer);
        }

        fn wallet(&self, number: u64, loaded: u64) -> Wallet<SoftwareSecureElement> {
            let element =
                SoftwareSecureElement::from_seed_certified(number, &self.device_center, u64::MAX);
            self.center.register(element.certificate(), 1).unwrap();
            let mut wallet = Wallet::new(element, LIMITS, self.center.keys.public());
            if loaded > 0 {
                let notes = self.center.issue(WalletNumber(number), loaded, 1).unwrap();
                wallet.element_mut().put_notes(notes);
            }
            wallet
        }

        fn deposit_all(&self, wallet: &mut Wallet<SoftwareSecureElement>) -> Vec<DepositOutcome> {
            let serials: Vec<u64> = wallet.element().notes().keys().copied().collect();
            let (record, notes) = wallet.hand_to_center(&serials).unwrap();
            let outcomes = self.center.deposit(&notes).unwrap();
            wallet.deposit_answered(record);
            outcomes
        }
    }

    fn pay(
        payer: &mut Wallet<SoftwareSecureElement>,
        payee: &mut Wallet<SoftwareSecureElement>,
        amount: u64,
    ) {
        let (mut paying, proposal) = payer.propose(payee.number(), amount).unwrap();
        let (mut receiving, ready) = payee.consider(payer.number(), proposal).unwrap();
        let payment = payer.pay(&mut paying, ready).unwrap();
        let change = payee.accept(&mut receiving, payment).unwrap();
        if let Some(done) = payer.complete(&mut paying, change).unwrap() {
            payee.change_received(&mut receiving, done).unwrap();
        }
        assert!(payee.in_doubt().next().is_none() && payer.in_doubt().next().is_none());
    }

    fn credited(outcomes: &[DepositOutcome]) -> u64 {
        outcomes
            .iter()
            .map(|o| match o {
                DepositOutcome::Credited { value, .. } => *value,
                _ => 0,
            })
            .sum()
    }

    fn issued_notes_travel_and_deposit_once_even_across_a_restart(signer: Signer) {
        let mut world = World::new(signer);
        let mut alice = world.wallet(1, 750);
        let mut bob = world.wallet(2, 0);
        pay(&mut alice, &mut bob, 750);
        let serials: Vec<u64> = bob.element().notes().keys().copied().collect();
        let (_, notes) = bob.hand_to_center(&serials).unwrap();
        assert_eq!(credited(&world.center.deposit(&notes).unwrap()), 750);

        // The database survives a restart: the same deposit is a replay.
        world.restart();
        let again = world.center.deposit(&notes).unwrap();
        assert!(again
            .iter()
            .all(|o| matches!(o, DepositOutcome::Replayed { .. })));
        assert_eq!(world.center.blacklist().unwrap().wallets, vec![]);
        // Serials keep counting after the restart.
        let more = world.center.issue(WalletNumber(1), 1, 1).unwrap();
        assert!(more[0].note.note.serial > *serials.iter().max().unwrap());
    }

    type TestWallet = Wallet<SoftwareSecureElement>;

    /// Alice (wallet 1) pays her note to Bob (2) while her clone pays the
    /// same note to Carol (3). Returns the four wallets, Bob's deposit
    /// outcomes, then Carol's.
    #[allow(clippy::type_complexity)]
    fn clone_double_spends(
        world: &World,
    ) -> ([TestWallet; 4], Vec<DepositOutcome>, Vec<DepositOutcome>) {
        let mut alice = world.wallet(1, 500);
        let mut clone = Wallet::new(alice.element().clone(), LIMITS, world.center.keys.public());
        let mut bob = world.wallet(2, 0);
        let mut carol = world.wallet(3, 0);
        pay(&mut alice, &mut bob, 500);
        pay(&mut clone, &mut carol, 500);
        let first = world.deposit_all(&mut bob);
        let second = world.deposit_all(&mut carol);
        ([alice, clone, bob, carol], first, second)
    }

    fn a_cloned_wallet_is_caught_with_evidence_and_blacklisted(signer: Signer) {
        let world = World::new(signer);
        let ([alice, ..], first, outcomes) = clone_double_spends(&world);
        assert_eq!(credited(&first), 500);
        // Every note Alice's clone paid was already deposited by Bob.
        let Some(DepositOutcome::DoubleSpend { evidence, .. }) = outcomes.first() else {
            panic!("expected double spends, got {outcomes:?}");
        };
        assert!(outcomes.iter().all(|o| matches!(
            o,
            DepositOutcome::DoubleSpend { evidence, .. } if evidence.culprit() == WalletNumber(1)
        )));
        let alice_key = alice
            .element()
            .certificate()
            .certificate
            .signing_key
            .clone();
        assert_eq!(evidence.verify(&alice_key), Ok(WalletNumber(1)));
        let blacklist = world.center.blacklist().unwrap();
        assert_eq!(
            (blacklist.version, blacklist.wallets.clone()),
            (1, vec![WalletNumber(1)])
        );
        assert!(blacklist.verify(&world.center.keys.public().signing));
        assert_eq!(
            world.center.evidence_against(WalletNumber(1)).unwrap(),
            Some(evidence.as_ref().clone())
        );
        assert_eq!(
            world.center.evidence_against(WalletNumber(3)).unwrap(),
            None
        );
    }

    fn wallets_holding_the_blacklist_refuse_the_culprit(signer: Signer) {
        let world = World::new(signer);
        let ([_, clone, mut bob, carol], ..) = clone_double_spends(&world);
        let list = world.center.blacklist().unwrap();

        // A forged or stale list is refused.
        let mut forged = list.clone();
        forged.wallets.push(WalletNumber(2));
        assert_eq!(
            bob.install_blacklist(&forged),
            Err(CashError::BadBlacklistSignature)
        );
        bob.install_blacklist(&list).unwrap();
        assert_eq!(
            bob.install_blacklist(&list),
            Err(CashError::StaleBlacklist {
                offered: 1,
                held: 1
            })
        );

        // Carol, without the list, still accepts the cloned wallet; Bob,
        // holding it, refuses it.
        let device_key = world.device_center.public_key();
        let (initiator, first) = crate::Initiator::start(clone.element()).unwrap();
        let (responder, second) = crate::Responder::respond(carol.element(), &first).unwrap();
        let (_, third) = initiator
            .finish(&second, &clone.peer_policy(&device_key, 1))
            .unwrap();
        assert!(responder
            .finish(&third, &carol.peer_policy(&device_key, 1))
            .is_ok());
        let (initiator, first) = crate::Initiator::start(clone.element()).unwrap();
        let (responder, second) = crate::Responder::respond(bob.element(), &first).unwrap();
        let (_, third) = initiator
            .finish(&second, &clone.peer_policy(&device_key, 1))
            .unwrap();
        assert_eq!(
            responder
                .finish(&third, &bob.peer_policy(&device_key, 1))
                .err(),
            Some(CashError::Blacklisted(WalletNumber(1)))
        );
    }

    fn depositing_a_note_already_paid_away_names_the_depositor(signer: Signer) {
        let world = World::new(signer);
        let mut alice = world.wallet(1, 200);
        let mut copy = Wallet::new(alice.element().clone(), LIMITS, world.center.keys.public());
        let mut bob = world.wallet(2, 0);
        pay(&mut alice, &mut bob, 200);
        assert_eq!(credited(&world.deposit_all(&mut bob)), 200);
        let outcomes = world.deposit_all(&mut copy);
        assert!(!outcomes.is_empty());
        assert!(outcomes.iter().all(|o| matches!(
            o,
            DepositOutcome::DoubleSpend { evidence, .. } if evidence.culprit() == WalletNumber(1)
        )));
    }

    fn counterfeit_tampered_and_undelivered_deposits_change_nothing(signer: Signer) {
        let world = World::new(signer);
        let mut alice = world.wallet(1, 300);
        let serials: Vec<u64> = alice.element().notes().keys().copied().collect();
        let (_, notes) = alice.hand_to_center(&serials).unwrap();

        let mut counterfeit = notes.clone();
        counterfeit[0].note.note.denomination *= 10;
        assert!(matches!(
            world.center.deposit(&counterfeit),
            Err(CenterError::Refused(CashError::BadSeal { .. }))
        ));
        let mut tampered = notes.clone();
        tampered[0].history[0].ciphertext[3] ^= 1;
        assert!(matches!(
            world.center.deposit(&tampered),
            Err(CenterError::Refused(CashError::HistoryUnreadable { .. }))
        ));
        // Notes not handed to the center.
        let unhanded: Vec<NoteInHand> = notes
            .iter()
            .map(|n| NoteInHand {
                note: n.note.clone(),
                history: vec![],
            })
            .collect();
        assert!(matches!(
            world.center.deposit(&unhanded),
            Err(CenterError::Refused(CashError::HistoryInvalid { .. }))
        ));
        // None of the refused deposits recorded anything.
        assert_eq!(credited(&world.center.deposit(&notes).unwrap()), 300);
    }

    fn an_e_vault_forwards_deposits_and_spreads_the_blacklist(signer: Signer) {
        let world = World::new(signer);
        let ([_, mut clone, ..], ..) = clone_double_spends(&world);
        let vault_element =
            SoftwareSecureElement::from_seed_certified(9, &world.device_center, u64::MAX);
        world
            .center
            .register(vault_element.certificate(), 1)
            .unwrap();
        let mut vault = crate::EVault::new(vault_element, LIMITS, world.center.keys.public());
        let mut dave = world.wallet(4, 300);
        let device_key = world.device_center.public_key();
        let setting = crate::exchange::Setting {
            device_center: &device_key,
            now_ms: 1,
        };

        // Before it has been online, the vault takes Dave's deposit; once
        // online it forwards it, credited, and holds the blacklist.
        vault.receive(&mut dave, 120, setting).unwrap();
        let outcomes = vault.forward(&world.center).unwrap();
        assert_eq!(credited(&outcomes), 120);
        assert_eq!(vault.wallet().balance(), 0);

        // The clone of the blacklisted wallet is refused by the vault.
        let refused = vault.receive(&mut clone, 10, setting);
        assert_eq!(refused.err(), Some(CashError::Blacklisted(WalletNumber(1))));
        // Dave deposits again and leaves with the list: he refuses the clone too.
        vault.receive(&mut dave, 5, setting).unwrap();
        let refused = crate::exchange::pay_face_to_face(&mut clone, &mut dave, 10, setting);
        assert_eq!(refused.err(), Some(CashError::Blacklisted(WalletNumber(1))));
    }

    fn in_doubt_value_is_settled_to_whom_it_is_owed(signer: Signer) {
        let world = World::new(signer);
        let load = |wallet: &mut TestWallet, notes: Vec<u64>| {
            let issued = world
                .center
                .issue_denominations(&[(wallet.number(), notes)], 1)
                .unwrap();
            wallet
                .element_mut()
                .put_notes(issued.into_iter().flatten().collect());
        };
        let end_of_life = 1 + DEFAULT_NOTE_LIFETIME_MS;

        // A payment lost on the way: the payer is refunded after the note's life.
        let mut alice = world.wallet(1, 0);
        let mut bob = world.wallet(2, 0);
        load(&mut alice, vec![500]);
        let (mut paying, proposal) = alice.propose(bob.number(), 500).unwrap();
        let (_, ready) = bob.consider(alice.number(), proposal).unwrap();
        let _lost_payment = alice.pay(&mut paying, ready).unwrap();
        let records = alice.in_doubt_records();
        // Nobody else can claim Alice's hop.
        assert!(matches!(
            world.center.file_claims(WalletNumber(2), &records),
            Err(CenterError::Refused(CashError::HistoryInvalid { .. }))
        ));
        let filed = world.center.file_claims(WalletNumber(1), &records).unwrap();
        assert!(matches!(
            filed.as_slice(),
            [ClaimOutcome::Pending { decided_after_ms, .. }] if *decided_after_ms == end_of_life
        ));
        alice.claims_filed();
        assert_eq!(world.center.settle_claims(end_of_life).unwrap(), vec![]);
        let refunds = world.center.settle_claims(end_of_life + 1).unwrap();
        assert_eq!(
            refunds
                .iter()
                .map(|r| (r.wallet, r.value))
                .collect::<Vec<_>>(),
            vec![(WalletNumber(1), 500)]
        );
        // Decided once: settling again refunds nothing.
        assert_eq!(world.center.settle_claims(end_of_life + 2).unwrap(), vec![]);

        // Change lost on the way back: the payment arrived (no refund to the
        // payer for it), the change is refunded to the payer it was due to.
        let mut carol = world.wallet(3, 0);
        let mut dave = world.wallet(4, 0);
        load(&mut carol, vec![500]);
        load(&mut dave, vec![100, 50, 20, 20, 10]);
        let (mut paying, proposal) = carol.propose(dave.number(), 320).unwrap();
        let (mut receiving, ready) = dave.consider(carol.number(), proposal).unwrap();
        let payment = carol.pay(&mut paying, ready).unwrap();
        let _lost_change = dave.accept(&mut receiving, payment).unwrap();
        assert_eq!(credited(&world.deposit_all(&mut dave)), 500 + 20);
        let carol_filed = world
            .center
            .file_claims(WalletNumber(3), &carol.in_doubt_records())
            .unwrap();
        assert!(matches!(
            carol_filed.as_slice(),
            [ClaimOutcome::Arrived { .. }]
        ));
        let dave_records: Vec<_> = dave
            .in_doubt_records()
            .into_iter()
            .filter(|r| r.kind == crate::InDoubtKind::Change)
            .collect();
        let dave_filed = world
            .center
            .file_claims(WalletNumber(4), &dave_records)
            .unwrap();
        assert_eq!(dave_filed.len(), 4);
        let refunds = world.center.settle_claims(end_of_life + 1).unwrap();
        let to_carol: u64 = refunds
            .iter()
            .filter(|r| r.wallet == WalletNumber(3))
            .map(|r| r.value)
            .sum();
        assert_eq!((to_carol, refunds.len()), (180, 4));
        // Carol paid 320 net; Dave gained 320 net: value conserved.

        // A note past its life is refused by a payee and not spent by a payer.
        let mut erin = world.wallet(5, 0);
        load(&mut erin, vec![50]);
        erin.set_clock(end_of_life - 1);
        let (_, proposal) = erin.propose(bob.number(), 50).unwrap();
        bob.set_clock(end_of_life);
        assert!(matches!(
            bob.consider(erin.number(), proposal),
            Err(CashError::NoteExpired { valid_until_ms, .. }) if valid_until_ms == end_of_life
        ));
        erin.set_clock(end_of_life);
        assert!(matches!(
            erin.propose(bob.number(), 50),
            Err(CashError::InsufficientFunds { available: 0, .. })
        ));
    }

    /// Each scenario with the software key and with the SoftHSM2 key.
    macro_rules! with_both_signers {
        ($($name:ident),*) => {
            mod software_signer {
                $(#[test]
                fn $name() {
                    super::$name(super::Signer::Software)
                })*
            }
            mod softhsm2_signer {
                $(#[test]
                fn $name() {
                    let _token = crate::pkcs11::softhsm::exclusive();
                    super::$name(super::Signer::SoftHsm(stringify!($name)))
                })*
            }
        };
    }

    with_both_signers!(
        issued_notes_travel_and_deposit_once_even_across_a_restart,
        a_cloned_wallet_is_caught_with_evidence_and_blacklisted,
        wallets_holding_the_blacklist_refuse_the_culprit,
        depositing_a_note_already_paid_away_names_the_depositor,
        counterfeit_tampered_and_undelivered_deposits_change_nothing,
        an_e_vault_forwards_deposits_and_spreads_the_blacklist,
        in_doubt_value_is_settled_to_whom_it_is_owed
    );
}
