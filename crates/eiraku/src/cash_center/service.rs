//! What the cash center does for each request, without the HTTP around
//! it: certify a wallet, issue against a finalized load, take a deposit
//! (check the notes, credit the good ones on the ledger, blacklist the
//! culprits it proved), hand out its signed blacklist.

use super::{
    home::CenterHome,
    ledger::{FinalLoad, Ledger, LoadRefusal},
    pending::Pending,
    wire::{CenterInfo, DepositAnswer, NoteOutcome},
};
use commonware_codec::{DecodeExt, Encode};
use eiraku_cash::{
    DepositOutcome, DeviceCenter, IssuanceCenter, NoteInHand, SignedBlacklist, SignedCertificate,
    Unit, WalletCertificate, WalletNumber,
};
use eiraku_core::{
    cash::economy_wallet, AccountId, Amount, Call, CashCall, DepositedNote, EconomyCode, TxHash,
};

/// How long a certificate the device center signs is valid.
const CERTIFICATE_LIFE_MS: u64 = 5 * 365 * 24 * 60 * 60 * 1000;

/// How far behind the center's clock a block time may run: a certificate
/// is valid from that much before it is signed, so a load right after
/// certification is not refused as premature.
const CLOCK_SKEW_MS: u64 = 24 * 60 * 60 * 1000;

/// Most notes one deposit request carries (one ledger credit).
pub const MAX_DEPOSIT_NOTES: usize = eiraku_core::cash::MAX_DEPOSIT_NOTES;

/// A refusal, with the HTTP status it is answered with.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The request is malformed or names the wrong things (400).
    #[error("{0}")]
    BadRequest(String),
    /// The center refuses it as the protocol demands (409).
    #[error("{0}")]
    Refused(String),
    /// The ledger or the center's storage failed (502/500).
    #[error("{0:#}")]
    Failed(anyhow::Error),
    /// The center is working on as many requests as it takes (503).
    #[error("the center is busy: try again shortly")]
    Busy,
}

impl From<LoadRefusal> for Refusal {
    fn from(refusal: LoadRefusal) -> Self {
        match refusal {
            LoadRefusal::Unreachable(e) => Refusal::Failed(e),
            other => Refusal::Refused(other.to_string()),
        }
    }
}

fn failed(e: impl Into<anyhow::Error>) -> Refusal {
    Refusal::Failed(e.into())
}

pub(super) fn failed_center(e: eiraku_cash::CenterError) -> Refusal {
    Refusal::Failed(anyhow::anyhow!("the note database: {e}"))
}

/// The running center.
pub struct Service {
    home: CenterHome,
    center: IssuanceCenter,
    ledger: Ledger,
    device: Option<DeviceCenter>,
    info: CenterInfo,
    pending: Pending,
}

use crate::clock::now_ms;

impl Service {
    /// Opens the center in `home` against `ledger`: publishes its keys on
    /// the ledger when they are not there yet, and credits what a previous
    /// run left pending.
    pub fn start(
        home: CenterHome,
        mut ledger: Ledger,
        note_lifetime_ms: Option<u64>,
    ) -> anyhow::Result<Self> {
        let keys = home.keys()?;
        let public = keys.public();
        let economy = home.config.economy;
        let note_key = AccountId::from_public_key(&public.signing);
        let history_key = eiraku_core::Digest::from(public.history);
        let on_chain = ledger.client().cash_center(&economy)?;
        if on_chain.note_key != Some(note_key)
            || on_chain.history_key != Some(eiraku_core::digest::to_hex(&history_key))
        {
            let call = CashCall::SetCenterKeys {
                note_key,
                history_key,
            };
            ledger.send(&home.account, Call::Cash(call))?;
            eprintln!("published the center's keys for {economy} on the ledger");
        }
        let device = home
            .device
            .as_ref()
            .map(|(_, key)| DeviceCenter::new(key.clone()));
        let device_key = match &home.device {
            Some((account, key)) => {
                let published = AccountId::from_public_key(&key.public_key());
                if on_chain.device_key != Some(published) {
                    let call = CashCall::SetDeviceKey { key: published };
                    ledger.send(account, Call::Cash(call))?;
                    eprintln!("published the device center's key for {economy} on the ledger");
                }
                key.public_key()
            }
            None => on_chain
                .device_key
                .ok_or_else(|| {
                    anyhow::anyhow!("the device center of {economy} has not published its key")
                })?
                .public_key()
                .map_err(|_| anyhow::anyhow!("the published device key is not a valid key"))?,
        };
        let info = CenterInfo {
            chain_id: home.config.chain_id.clone(),
            economy: economy.to_string(),
            note_key: note_key.to_hex(),
            history_key: hex::encode(public.history),
            device_key: AccountId::from_public_key(&device_key).to_hex(),
            certifies: device.is_some(),
        };
        let mut center = IssuanceCenter::open(&home.notes_dir(), keys, device_key, 1, Unit::ACU)
            .map_err(|e| anyhow::anyhow!("opening the note database: {e}"))?;
        center.set_note_lifetime(note_lifetime_ms.unwrap_or(eiraku_core::cash::NOTE_LIFETIME_MS));
        let pending = Pending::open(home.pending_dir())?;
        ledger.send_in_rounds(home.account.clone());
        let service = Self {
            home,
            center,
            ledger,
            device,
            info,
            pending,
        };
        service.retry_pending(std::time::Duration::ZERO);
        Ok(service)
    }

    /// Who the center is.
    pub fn info(&self) -> &CenterInfo {
        &self.info
    }

    pub(super) fn center(&self) -> &IssuanceCenter {
        &self.center
    }

    pub(super) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    fn economy(&self) -> EconomyCode {
        self.home.config.economy
    }

    /// Certifies a new wallet's keys under the next number of this
    /// economy.
    pub fn certify(&self, request: &[u8]) -> Result<SignedCertificate, Refusal> {
        let device = self.device.as_ref().ok_or_else(|| {
            Refusal::Refused("this center does not certify wallets: ask its device center".into())
        })?;
        let mut request = WalletCertificate::decode(commonware_codec::Copying(request))
            .map_err(|e| Refusal::BadRequest(format!("the request is not a certificate: {e}")))?;
        if request.number != WalletNumber(0) {
            return Err(Refusal::BadRequest(
                "leave the number 0: the device center gives it".into(),
            ));
        }
        let number = self.home.next_wallet_number().map_err(failed)?;
        let now = now_ms();
        request.number = WalletNumber(economy_wallet(self.economy(), number));
        request.valid_from_ms = now.saturating_sub(CLOCK_SKEW_MS);
        request.valid_until_ms = now.saturating_add(CERTIFICATE_LIFE_MS);
        Ok(device.certify(request))
    }

    /// Notes for the load `load`, once it is final on the ledger; they are
    /// handed out once the ledger has recorded them as issued against it
    /// (deposits credit only recorded notes).
    pub fn issue(&self, load: &TxHash) -> Result<Vec<NoteInHand>, Refusal> {
        let final_load = self.ledger.final_load(load)?;
        let notes = self
            .center
            .issue_for_load(load, &final_load.certificate, final_load.amount, now_ms())
            .map_err(|e| Refusal::Refused(e.to_string()))?;
        let recorded = self.center.load_recorded(load).map_err(failed_center)?;
        if !notes.is_empty() && !recorded {
            self.record_issued(&final_load, &notes)?;
            let write_off_ms = now_ms().saturating_add(eiraku_core::cash::WRITE_OFF_AFTER_MS);
            let first_serial = notes[0].note.note.serial;
            (self.center)
                .mark_load_recorded(load, first_serial, write_off_ms)
                .map_err(failed_center)?;
        }
        Ok(notes)
    }

    /// Records on the ledger the notes issued against a load. A load the
    /// ledger no longer holds waiting was recorded by an earlier attempt
    /// whose answer was lost (the load itself is final: it was checked).
    fn record_issued(&self, load: &FinalLoad, notes: &[NoteInHand]) -> Result<(), Refusal> {
        let call = CashCall::RecordIssued {
            load_account: load.account,
            load_nonce: load.nonce,
            first_serial: notes[0].note.note.serial,
            count: u32::try_from(notes.len()).map_err(|_| {
                Refusal::Failed(anyhow::anyhow!("too many notes for one issued range"))
            })?,
            root: eiraku_cash::note::notes_root(notes.iter().map(|n| &n.note)),
        };
        match self.ledger.send_as_center(call) {
            Ok(_) => Ok(()),
            Err(e) if format!("{e:#}").contains("unknown_load") => Ok(()),
            Err(e) => Err(Refusal::Failed(e.context(
                "the notes are issued but the ledger has not recorded them yet: ask again",
            ))),
        }
    }

    /// The wallet that handed every one of `notes` to the center, as its
    /// signed statements of the hop to the center say.
    fn depositor(&self, notes: &[NoteInHand]) -> Result<u64, Refusal> {
        let mut depositor = None;
        for note in notes {
            let wallet = (self.center.depositor(note))
                .map_err(|e| Refusal::BadRequest(format!("note {}: {e}", note.note.note.serial)))?;
            if depositor.replace(wallet).is_some_and(|w| w != wallet) {
                return Err(Refusal::BadRequest(
                    "every note of a deposit must be handed to the center by one wallet".into(),
                ));
            }
        }
        Ok(depositor.expect("a deposit has notes").0)
    }

    /// The center's signed blacklist.
    pub fn blacklist(&self) -> Result<SignedBlacklist, Refusal> {
        self.center
            .blacklist()
            .map_err(|e| failed(anyhow::anyhow!("{e}")))
    }

    /// Takes a deposit: checks every note, credits the good ones to the
    /// account the depositing wallet is bound to, and blacklists on the
    /// ledger every wallet it proved a double spend against.
    pub fn deposit(&self, notes: &[NoteInHand]) -> Result<DepositAnswer, Refusal> {
        if notes.is_empty() || notes.len() > MAX_DEPOSIT_NOTES {
            return Err(Refusal::BadRequest(format!(
                "a deposit carries 1 to {MAX_DEPOSIT_NOTES} notes, not {}",
                notes.len()
            )));
        }
        let wallet = self.depositor(notes)?;
        let account = self
            .ledger
            .bound_account(wallet)
            .map_err(|e| Refusal::Refused(format!("{e:#}")))?;
        let outcomes = self
            .center
            .deposit(notes)
            .map_err(|e| Refusal::Refused(e.to_string()))?;
        let credits: Vec<DepositedNote> = outcomes
            .iter()
            .filter_map(|outcome| match outcome {
                DepositOutcome::Credited { serial, value } => Some(DepositedNote {
                    serial: *serial,
                    value: Amount(u128::from(*value)),
                }),
                _ => None,
            })
            .collect();
        let credit_tx = if credits.is_empty() {
            None
        } else {
            Some(self.credit(wallet, account, credits)?)
        };
        let blacklisted = self.blacklist_culprits(&outcomes);
        Ok(DepositAnswer {
            outcomes: outcomes.iter().map(note_outcome).collect(),
            account: account.to_hex(),
            credit_tx,
            blacklisted,
        })
    }

    /// Credits on the ledger, keeping the credit pending until it is final
    /// (a crash or a refusal leaves it for the next start).
    fn credit(
        &self,
        wallet: u64,
        account: AccountId,
        notes: Vec<DepositedNote>,
    ) -> Result<String, Refusal> {
        self.credit_call(CashCall::Deposit {
            wallet,
            account,
            notes,
        })
    }

    /// Sends a deposit or refund, kept pending until it is final.
    pub(super) fn credit_call(&self, call: CashCall) -> Result<String, Refusal> {
        let ticket = self.pending.add(&call).map_err(failed)?;
        let view = self.ledger.send_as_center(call).map_err(|e| {
                Refusal::Failed(e.context(
                    "the center accepted the notes but the ledger has not credited them yet; the credit is kept and retried at the center's next start",
                ))
            })?;
        self.pending.done(ticket).map_err(failed)?;
        Ok(view.hash)
    }

    /// Sends the credits a previous run left pending.
    pub(super) fn retry_pending(&self, min_age: std::time::Duration) {
        for (ticket, call) in self.pending.list(min_age) {
            match self.ledger.send_as_center(call) {
                Ok(_) => {
                    let _ = self.pending.done(ticket);
                    eprintln!("credited a pending deposit");
                }
                Err(e) => eprintln!("a pending deposit is still not credited: {e:#}"),
            }
        }
    }

    /// Blacklists on the ledger each wallet a double spend in `outcomes`
    /// proved, unless it already is; returns those blacklisted now.
    fn blacklist_culprits(&self, outcomes: &[DepositOutcome]) -> Vec<u64> {
        let mut done = Vec::new();
        for evidence in outcomes.iter().filter_map(evidence_in) {
            let culprit = evidence.culprit().0;
            if done.contains(&culprit) {
                continue;
            }
            if let Ok(view) = self.ledger.client().cash_wallet(culprit) {
                if view.blacklisted_ms.is_some() {
                    continue;
                }
            }
            let call = CashCall::Blacklist {
                wallet: culprit,
                evidence: evidence.encode().to_vec(),
            };
            match self.ledger.send_as_center(call) {
                Ok(_) => done.push(culprit),
                Err(e) => eprintln!("blacklisting wallet {culprit} on the ledger failed: {e:#}"),
            }
        }
        done
    }
}

/// The evidence a deposit outcome proves a culprit with: a double spend,
/// or a made-up history.
fn evidence_in(outcome: &DepositOutcome) -> Option<eiraku_cash::Evidence> {
    match outcome {
        DepositOutcome::DoubleSpend { evidence, .. } => {
            Some(eiraku_cash::Evidence::DoubleSpend((**evidence).clone()))
        }
        DepositOutcome::Forged { evidence, .. } => {
            Some(eiraku_cash::Evidence::Unfounded((**evidence).clone()))
        }
        _ => None,
    }
}

fn note_outcome(outcome: &DepositOutcome) -> NoteOutcome {
    let (serial, name, credited, reason) = match outcome {
        DepositOutcome::Credited { serial, value } => (*serial, "credited", *value, None),
        DepositOutcome::DoubleSpend { serial, evidence } => (
            *serial,
            "double_spend",
            0,
            Some(format!("spent twice by wallet {}", evidence.culprit())),
        ),
        DepositOutcome::Replayed { serial } => (*serial, "replayed", 0, None),
        DepositOutcome::Unprovable { serial, suspect } => (
            *serial,
            "unprovable",
            0,
            Some(format!("diverging history sealed by wallet {suspect}")),
        ),
        DepositOutcome::Forged { serial, evidence } => (
            *serial,
            "forged",
            0,
            Some(format!("history made up by wallet {}", evidence.culprit())),
        ),
        DepositOutcome::Refused { serial, reason } => {
            (*serial, "refused", 0, Some(reason.to_string()))
        }
    };
    NoteOutcome {
        serial,
        outcome: name.into(),
        credited,
        reason,
    }
}
