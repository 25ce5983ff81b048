//! Paying offline: the message sequence between two wallets in a session,
//! and where value changes hands.
//!
//! ```text
//! payer                                   payee
//!   Proposal {amount, notes shown}   ->          checks seals, hops, copies, limits,
//!                                                 picks change; nothing changes yet
//!                                    <-   Ready {change shown} | Refused
//!   notes taken out, entries to the
//!   payee appended; kept IN DOUBT     (payer's commit point)
//!   Payment {notes}                  ->          notes stored   (payee's commit point)
//!                                                 change taken out, entries appended,
//!                                                 kept IN DOUBT
//!                                    <-   Change {notes} (empty when none is due)
//!   change stored; in-doubt record
//!   of the payment dropped
//!   ChangeReceived (if change)       ->          in-doubt record of the change dropped
//! ```
//!
//! Nothing changes before the payer's commit point, so a refusal or a lost
//! `Proposal`/`Ready` costs nothing. From then on, value that left a wallet
//! without confirmation stays in that wallet's in-doubt records — never
//! spendable again by it, never lost: the issuance center settles each
//! record at the wallet's next sync, crediting it back unless the note
//! reached the other wallet (that hop shows up when the note is deposited).
//! This is the exception-log rule of stored-value purses: for every cut of
//! the sequence, honest wallets' value (notes + in-doubt records the center
//! would credit) is unchanged and no note is spendable in two wallets.

use crate::{
    note::select_notes, CashError, CenterPublicKeys, NoteInHand, SecureElement, SignedCertificate,
    WalletNumber,
};
use crate::{Agreement, PayeeSignature, SignedAgreement};
use eiraku_core::PublicKey;
use std::collections::{BTreeSet, VecDeque};

mod file;

pub use crate::note::MAX_NOTES_PER_MESSAGE;

pub use crate::message::{ShownNote, TransferMessage};

/// Risk limits an honest wallet enforces (BIS Polaris-style).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RiskLimits {
    /// Most value a wallet may hold.
    pub max_balance: u64,
    /// Most offline hops a note may make before it is deposited or refreshed.
    pub max_hops: u16,
    /// Most value one transfer may move.
    pub max_transfer: u64,
}

pub(crate) fn hops(note: &NoteInHand) -> u16 {
    u16::try_from(note.history.len()).unwrap_or(u16::MAX)
}

/// Why notes were handed over: decides who is owed them if they never
/// arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InDoubtKind {
    /// A payment: the payer is owed it back.
    Payment,
    /// Change, handed over after the payment was stored: the payer it was
    /// due to is owed it.
    Change,
    /// A deposit to the center: the depositor is owed it back.
    Deposit,
}

/// Value that left a wallet without confirmation: the notes as handed over
/// (with the entry to `to`), for the issuance center to settle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InDoubt {
    /// What the notes were handed over as.
    pub kind: InDoubtKind,
    /// The other wallet.
    pub to: WalletNumber,
    /// The notes.
    pub notes: Vec<NoteInHand>,
    /// For a payment, the payee's promise of the change due (none when no
    /// change was due): what the payer claims the change with if it never
    /// comes.
    pub promise: Option<crate::ChangePromise>,
}

impl InDoubt {
    /// Their value.
    pub fn value(&self) -> u64 {
        self.notes.iter().map(|n| n.note.note.denomination).sum()
    }
}

/// A payer between `Proposal` and the end of the transfer.
#[derive(Debug)]
pub struct Paying {
    to: WalletNumber,
    to_key: PublicKey,
    pub(crate) amount: u64,
    pub(crate) serials: Vec<u64>,
    change: Vec<ShownNote>,
    in_doubt: Option<usize>,
    /// The proposal was revised after a counter (allowed once).
    pub(crate) revised: bool,
    /// The payment as agreed, once the payee promised the change.
    agreement: Option<Agreement>,
}

impl Paying {
    /// The payer has handed the notes over.
    pub(crate) fn is_made(&self) -> bool {
        self.in_doubt.is_some()
    }
}

/// A payee between `Ready` and the end of the transfer.
#[derive(Debug)]
pub struct Receiving {
    pub(crate) from: WalletNumber,
    pub(crate) from_key: PublicKey,
    pub(crate) offered: Vec<ShownNote>,
    pub(crate) change_serials: Vec<u64>,
    pub(crate) in_doubt: Option<usize>,
    /// The payee countered instead of getting ready; only a revised
    /// proposal may follow.
    pub(crate) countered: bool,
    /// The payment as the payee promised it (none after a counter).
    pub(crate) agreement: Option<Agreement>,
}

/// A wallet: its secure element, its limits, the issuance center's keys and
/// its in-doubt records.
pub struct Wallet<S: SecureElement> {
    element: S,
    limits: RiskLimits,
    center: CenterPublicKeys,
    /// Value handed over without confirmation, by record.
    in_doubt: Vec<Option<InDoubt>>,
    /// (serial, hop) of every note received: a second arrival is a copy.
    received: BTreeSet<(u64, u16)>,
    /// The wallet's clock (ms since the epoch): notes past their life are
    /// refused and not spent.
    clock_ms: u64,
    /// Version of the blacklist held (0: none yet) and its wallets.
    blacklist_version: u64,
    blacklist: BTreeSet<WalletNumber>,
    /// Receipts of the latest payments this wallet made, oldest first.
    receipts: VecDeque<SignedAgreement>,
}

/// Receipts a wallet keeps: the latest payments' (a wallet exports them to
/// its owner's records at sync).
pub const RECEIPTS_KEPT: usize = 256;

impl<S: SecureElement> Wallet<S> {
    /// A wallet around `element`.
    pub fn new(element: S, limits: RiskLimits, center: CenterPublicKeys) -> Self {
        Self {
            element,
            limits,
            center,
            in_doubt: Vec::new(),
            received: BTreeSet::new(),
            clock_ms: 0,
            blacklist_version: 0,
            blacklist: BTreeSet::new(),
            receipts: VecDeque::new(),
        }
    }

    /// Installs a blacklist from the issuance center (handed out at every
    /// sync and passed on by e-vaults): only a genuine one, newer than the
    /// one held.
    pub fn install_blacklist(&mut self, list: &crate::SignedBlacklist) -> Result<(), CashError> {
        if !list.verify(&self.center.signing) {
            return Err(CashError::BadBlacklistSignature);
        }
        if list.version <= self.blacklist_version {
            return Err(CashError::StaleBlacklist {
                offered: list.version,
                held: self.blacklist_version,
            });
        }
        self.blacklist_version = list.version;
        self.blacklist = list.wallets.iter().copied().collect();
        Ok(())
    }

    /// Sets the wallet's clock.
    pub fn set_clock(&mut self, now_ms: u64) {
        self.clock_ms = now_ms;
    }

    /// Open in-doubt records, for the center to settle; call
    /// [`Wallet::claims_filed`] once the center has taken them.
    pub fn in_doubt_records(&self) -> Vec<InDoubt> {
        self.in_doubt().cloned().collect()
    }

    /// The center took this wallet's in-doubt claims: the records leave it.
    pub fn claims_filed(&mut self) {
        self.in_doubt.clear();
    }

    /// How this wallet checks session peers: the device center's key, its
    /// clock, and the blacklist it holds.
    pub fn peer_policy<'a>(
        &'a self,
        device_center: &'a eiraku_core::PublicKey,
        now_ms: u64,
    ) -> crate::PeerPolicy<'a> {
        crate::PeerPolicy {
            device_center,
            now_ms,
            blacklist: &self.blacklist,
        }
    }

    /// The secure element.
    pub fn element(&self) -> &S {
        &self.element
    }

    /// Mutable access to the secure element (loading notes at issuance).
    pub fn element_mut(&mut self) -> &mut S {
        &mut self.element
    }

    /// The wallet's certificate, as it shows it to peers.
    pub fn certificate(&self) -> &SignedCertificate {
        self.element.certificate()
    }

    /// The wallet's number.
    pub fn number(&self) -> WalletNumber {
        self.element.wallet()
    }

    /// Spendable value.
    pub fn balance(&self) -> u64 {
        self.element.balance()
    }

    /// Receipts of the latest payments made ([`RECEIPTS_KEPT`]), oldest
    /// first: each proves, with the payee's key, what the payee received.
    pub fn receipts(&self) -> impl Iterator<Item = &SignedAgreement> {
        self.receipts.iter()
    }

    /// In-doubt records by their number (`None`: settled).
    pub(crate) fn in_doubt_slots(&self) -> &[Option<InDoubt>] {
        &self.in_doubt
    }

    /// Open in-doubt records.
    pub fn in_doubt(&self) -> impl Iterator<Item = &InDoubt> {
        self.in_doubt.iter().flatten()
    }

    /// Payer: proposes paying `amount` to wallet `to` (the session peer,
    /// whose certificate the session checked).
    pub fn propose(
        &self,
        to: &SignedCertificate,
        amount: u64,
    ) -> Result<(Paying, TransferMessage), CashError> {
        self.check_transfer_limit(amount)?;
        let (passable, values) = self.passable();
        let selection = select_notes(&values, amount).ok_or(CashError::InsufficientFunds {
            available: values.iter().sum(),
            wanted: amount,
        })?;
        let shown: Vec<ShownNote> = selection
            .indices
            .iter()
            .map(|&i| ShownNote::of(passable[i]))
            .collect();
        Ok((
            Paying {
                to: to.wallet(),
                to_key: to.certificate.signing_key.clone(),
                amount,
                serials: shown.iter().map(|n| n.note.note.serial).collect(),
                change: Vec::new(),
                in_doubt: None,
                revised: false,
                agreement: None,
            },
            TransferMessage::Proposal {
                amount,
                notes: shown,
            },
        ))
    }

    pub(crate) fn check_transfer_limit(&self, amount: u64) -> Result<(), CashError> {
        if amount > self.limits.max_transfer {
            return Err(CashError::OverTransferLimit {
                amount,
                limit: self.limits.max_transfer,
            });
        }
        Ok(())
    }

    /// The notes that may make one more hop, and their values.
    pub(crate) fn passable(&self) -> (Vec<&NoteInHand>, Vec<u64>) {
        let notes: Vec<&NoteInHand> = self
            .element
            .notes()
            .values()
            .filter(|n| {
                hops(n) < self.limits.max_hops && self.clock_ms < n.note.note.valid_until_ms
            })
            .collect();
        let values = notes.iter().map(|n| n.note.note.denomination).collect();
        (notes, values)
    }

    /// Checks a shown note: sealed by the center, may make one more hop,
    /// not a copy of one received before.
    fn check_shown(&self, shown: &ShownNote) -> Result<(), CashError> {
        shown.note.verify(&self.center.signing)?;
        let serial = shown.note.note.serial;
        if self.clock_ms >= shown.note.note.valid_until_ms {
            return Err(CashError::NoteExpired {
                serial,
                valid_until_ms: shown.note.note.valid_until_ms,
            });
        }
        if shown.hops >= self.limits.max_hops {
            return Err(CashError::TooManyHops {
                serial,
                hops: shown.hops,
            });
        }
        // A serial already held, or already received at this position, is a
        // copy: two instances of one note cannot both be good.
        if self.received.contains(&(serial, shown.hops + 1))
            || self.element.notes().contains_key(&serial)
        {
            return Err(CashError::DuplicateNote {
                serial,
                hop: shown.hops + 1,
            });
        }
        Ok(())
    }

    /// Payee: considers a proposal from wallet `from`. Changes nothing; on
    /// success answers `Ready` with the change it will return, or `Counter`
    /// when it cannot make the change from the notes offered but holds
    /// notes the payer could make an exact sum with (see
    /// [`Wallet::revise`]).
    pub fn consider(
        &self,
        from: &SignedCertificate,
        proposal: TransferMessage,
    ) -> Result<(Receiving, TransferMessage), CashError> {
        self.consider_round(from.wallet(), &from.certificate.signing_key, proposal, true)
    }

    /// [`Wallet::consider`], for a first proposal (`may_counter`) or a
    /// revised one (change that cannot be made is then a refusal).
    pub(crate) fn consider_round(
        &self,
        from: WalletNumber,
        from_key: &PublicKey,
        proposal: TransferMessage,
        may_counter: bool,
    ) -> Result<(Receiving, TransferMessage), CashError> {
        let TransferMessage::Proposal { amount, notes } = proposal else {
            return Err(CashError::Protocol("expected a proposal".into()));
        };
        self.check_transfer_limit(amount)?;
        let mut serials = BTreeSet::new();
        for shown in &notes {
            self.check_shown(shown)?;
            if !serials.insert(shown.note.note.serial) {
                return Err(CashError::DuplicateNote {
                    serial: shown.note.note.serial,
                    hop: shown.hops + 1,
                });
            }
        }
        let would_be = self.balance() + amount;
        if would_be > self.limits.max_balance {
            return Err(CashError::OverBalanceLimit {
                would_be,
                limit: self.limits.max_balance,
            });
        }
        let total: u64 = notes.iter().map(|n| n.note.note.denomination).sum();
        let change = total.checked_sub(amount).ok_or_else(|| {
            CashError::Protocol(format!("notes worth {total} offered for {amount}"))
        })?;
        let mut change_shown = Vec::new();
        if change > 0 {
            let (passable, values) = self.passable();
            match select_notes(&values, change) {
                Some(selection) if selection.change == 0 => {
                    change_shown = selection
                        .indices
                        .iter()
                        .map(|&i| ShownNote::of(passable[i]))
                        .collect();
                }
                _ if may_counter && !values.is_empty() => {
                    return Ok(self.counter(from, from_key, notes, values));
                }
                _ => return Err(CashError::CannotMakeChange { change }),
            }
        }
        let change_serials: Vec<u64> = change_shown.iter().map(|n| n.note.note.serial).collect();
        let agreement = Agreement {
            payer: from,
            payee: self.number(),
            amount,
            paid: notes.iter().map(|n| n.note.note.serial).collect(),
            change: change_serials.clone(),
        };
        let promise = self
            .element
            .sign_agreement(PayeeSignature::Promise, &agreement);
        Ok((
            Receiving {
                from,
                from_key: from_key.clone(),
                offered: notes,
                change_serials,
                in_doubt: None,
                countered: false,
                agreement: Some(agreement),
            },
            TransferMessage::Ready {
                change: change_shown,
                promise,
            },
        ))
    }

    /// Has the element hand `serials` on to `to` (each note gets its next
    /// entry and the statement of the hop) and records them in doubt.
    /// Returns the record's index and the notes to send. If the element
    /// refuses, nothing changed.
    fn hand_over(
        &mut self,
        serials: &[u64],
        to: WalletNumber,
        kind: InDoubtKind,
    ) -> Result<(usize, Vec<NoteInHand>), CashError> {
        let notes = self.element.pass_notes(serials, to, &self.center.history)?;
        self.in_doubt.push(Some(InDoubt {
            kind,
            to,
            notes: notes.clone(),
            promise: None,
        }));
        Ok((self.in_doubt.len() - 1, notes))
    }

    /// Hands notes to the issuance center (a deposit, or a sync): each gets
    /// an entry to [`crate::CENTER`] and stays in doubt until the center's
    /// answer is confirmed with [`Wallet::deposit_answered`]. Returns the
    /// record and the notes to send.
    pub fn hand_to_center(
        &mut self,
        serials: &[u64],
    ) -> Result<(usize, Vec<NoteInHand>), CashError> {
        self.hand_over(serials, crate::CENTER, InDoubtKind::Deposit)
    }

    /// The center answered a deposit: its record is settled.
    pub fn deposit_answered(&mut self, record: usize) {
        if let Some(slot) = self.in_doubt.get_mut(record) {
            *slot = None;
        }
    }

    /// Payer: the payee is ready; hands the notes over (the payer's commit
    /// point) and returns the `Payment`.
    pub fn pay(
        &mut self,
        paying: &mut Paying,
        ready: TransferMessage,
    ) -> Result<TransferMessage, CashError> {
        let (change, promise) = match ready {
            TransferMessage::Ready { change, promise } => (change, promise),
            TransferMessage::Refused { reason } => {
                return Err(CashError::Protocol(format!("the payee refused: {reason}")))
            }
            _ => return Err(CashError::Protocol("expected ready or refused".into())),
        };
        if paying.in_doubt.is_some() {
            return Err(CashError::Protocol("this payment was already made".into()));
        }
        let offered: u64 = paying
            .serials
            .iter()
            .filter_map(|s| self.element.notes().get(s))
            .map(|n| n.note.note.denomination)
            .sum();
        let change_value: u64 = change.iter().map(|n| n.note.note.denomination).sum();
        if offered.checked_sub(paying.amount) != Some(change_value) {
            return Err(CashError::Protocol(format!(
                "change of {change_value} announced where {} is due",
                offered.saturating_sub(paying.amount)
            )));
        }
        for shown in &change {
            self.check_shown(shown)?;
        }
        let promise = SignedAgreement {
            agreement: Agreement {
                payer: self.number(),
                payee: paying.to,
                amount: paying.amount,
                paid: paying.serials.clone(),
                change: change.iter().map(|n| n.note.note.serial).collect(),
            },
            signature: promise,
        };
        if !promise.verify(&paying.to_key, PayeeSignature::Promise) {
            return Err(CashError::BadPayeeSignature {
                what: "promise of change",
            });
        }
        let (record, notes) =
            self.hand_over(&paying.serials.clone(), paying.to, InDoubtKind::Payment)?;
        if !change.is_empty() {
            if let Some(Some(record)) = self.in_doubt.get_mut(record) {
                record.promise = Some(crate::ChangePromise {
                    signed: promise.clone(),
                    change: change.iter().map(|n| n.note.clone()).collect(),
                });
            }
        }
        paying.in_doubt = Some(record);
        paying.change = change;
        paying.agreement = Some(promise.agreement);
        Ok(TransferMessage::Payment { notes })
    }

    /// Checks notes received in a `Payment` or `Change` from `peer` against
    /// what was shown: same notes, each one hop longer, its new entry in
    /// place, and the peer's signed statement of the hop to this wallet.
    fn check_received(
        &self,
        shown: &[ShownNote],
        received: &[NoteInHand],
        peer: (WalletNumber, &PublicKey),
    ) -> Result<(), CashError> {
        if shown.len() != received.len() {
            return Err(CashError::Protocol(format!(
                "{} notes received where {} were agreed",
                received.len(),
                shown.len()
            )));
        }
        for (shown, note) in shown.iter().zip(received) {
            let serial = note.note.note.serial;
            if note.note != shown.note || hops(note) != shown.hops + 1 {
                return Err(CashError::Protocol(format!(
                    "note {serial} is not the note agreed"
                )));
            }
            // The entry itself is sealed to the center; its clear position
            // is what a wallet can check.
            let last = note.history.last().expect("one hop longer than shown");
            if last.serial != serial || last.hop != shown.hops + 1 {
                return Err(CashError::Protocol(format!(
                    "note {serial} does not carry its new history entry"
                )));
            }
            let previous = match note.history.len().checked_sub(2) {
                Some(before) => note.history[before].digest(),
                None => note.note.digest(),
            };
            let stated = note.received.as_ref().is_some_and(|statement| {
                statement.states(last, previous, peer.0, self.number()) && statement.verify(peer.1)
            });
            if !stated {
                return Err(CashError::BadStatement { serial });
            }
        }
        Ok(())
    }

    /// Stores received notes and remembers their positions.
    fn store(&mut self, notes: Vec<NoteInHand>) {
        for note in &notes {
            self.received.insert((note.note.note.serial, hops(note)));
        }
        self.element.put_notes(notes);
    }

    /// Payee: stores the payment (the payee's commit point) and hands over
    /// the change. Returns the `Change` message (empty when none is due).
    pub fn accept(
        &mut self,
        receiving: &mut Receiving,
        payment: TransferMessage,
    ) -> Result<TransferMessage, CashError> {
        let TransferMessage::Payment { notes } = payment else {
            return Err(CashError::Protocol("expected a payment".into()));
        };
        if receiving.in_doubt.is_some() {
            return Err(CashError::Protocol(
                "this payment was already accepted".into(),
            ));
        }
        let Some(agreement) = receiving.agreement.clone() else {
            return Err(CashError::Protocol("no payment was agreed".into()));
        };
        self.check_received(
            &receiving.offered,
            &notes,
            (receiving.from, &receiving.from_key),
        )?;
        // Re-checked: the wallet may have received these notes in between.
        for shown in &receiving.offered {
            self.check_shown(shown)?;
        }
        // Change first: if it cannot be handed over, nothing has changed.
        let (record, change) = self.hand_over(
            &receiving.change_serials.clone(),
            receiving.from,
            InDoubtKind::Change,
        )?;
        self.store(notes);
        if change.is_empty() {
            self.in_doubt[record] = None;
        } else {
            receiving.in_doubt = Some(record);
        }
        let receipt = self
            .element
            .sign_agreement(PayeeSignature::Receipt, &agreement);
        Ok(TransferMessage::Change {
            notes: change,
            receipt,
        })
    }

    /// Payer: the change arrived; the payment is complete. Returns
    /// `ChangeReceived` when change was due.
    pub fn complete(
        &mut self,
        paying: &mut Paying,
        change: TransferMessage,
    ) -> Result<Option<TransferMessage>, CashError> {
        let TransferMessage::Change { notes, receipt } = change else {
            return Err(CashError::Protocol("expected the change".into()));
        };
        let (Some(record), Some(agreement)) = (paying.in_doubt, paying.agreement.clone()) else {
            return Err(CashError::Protocol("no payment was made".into()));
        };
        let receipt = SignedAgreement {
            agreement,
            signature: receipt,
        };
        if !receipt.verify(&paying.to_key, PayeeSignature::Receipt) {
            return Err(CashError::BadPayeeSignature { what: "receipt" });
        }
        self.check_received(&paying.change, &notes, (paying.to, &paying.to_key))?;
        let due = !notes.is_empty();
        self.store(notes);
        self.in_doubt[record] = None;
        if self.receipts.len() == RECEIPTS_KEPT {
            self.receipts.pop_front();
        }
        self.receipts.push_back(receipt);
        Ok(due.then_some(TransferMessage::ChangeReceived))
    }

    /// Payee: the payer confirmed the change.
    pub fn change_received(
        &mut self,
        receiving: &mut Receiving,
        message: TransferMessage,
    ) -> Result<(), CashError> {
        if message != TransferMessage::ChangeReceived {
            return Err(CashError::Protocol("expected change received".into()));
        }
        if let Some(record) = receiving.in_doubt.take() {
            self.in_doubt[record] = None;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests;
