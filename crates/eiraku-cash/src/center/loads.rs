//! Issuing against a load the ledger finalized: the load moved its coins
//! from the account into the economy's offline float, and the center
//! issues notes worth exactly that, once per load. Asked again for the same
//! load (a wallet that lost the answer), it hands back the same notes and
//! issues nothing new.

use super::{storage, stored_u64, CenterError, IssuanceCenter};
use crate::{secure_element::MAX_NOTES_HELD, NoteInHand, SignedCertificate};
use commonware_codec::{Copying, DecodeRangeExt, Encode};
use eiraku_core::Digest;
use fjall::PersistMode;

impl IssuanceCenter {
    /// Notes worth `amount` for the wallet of `certificate`, issued once for
    /// the load `load` (its transaction hash, which the caller checked is
    /// final on the ledger, loads that wallet and moved `amount`). The
    /// certificate is registered first.
    pub fn issue_for_load(
        &self,
        load: &Digest,
        certificate: &SignedCertificate,
        amount: u64,
        now_ms: u64,
    ) -> Result<Vec<NoteInHand>, CenterError> {
        self.register(certificate, now_ms)?;
        let _writing = self.write_lock();
        if let Some(notes) = self.issued_for_load(load)? {
            return Ok(notes);
        }
        let denominations = crate::note::spread_amount(amount);
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        let notes = self
            .issue_into(&mut batch, &[(certificate.wallet(), denominations)], now_ms)?
            .pop()
            .expect("one request, one answer");
        batch.insert(&self.loads, load.as_ref(), notes.encode().to_vec());
        batch.commit().map_err(storage)?;
        Ok(notes)
    }

    /// Whether the ledger has recorded the notes issued for `load`.
    pub fn load_recorded(&self, load: &Digest) -> Result<bool, CenterError> {
        Ok(self
            .meta
            .get(recorded_key(load))
            .map_err(storage)?
            .is_some())
    }

    /// The ledger recorded the notes issued for `load`, from
    /// `first_serial`; what is never credited from them is to be written
    /// off from `write_off_ms`.
    pub fn mark_load_recorded(
        &self,
        load: &Digest,
        first_serial: u64,
        write_off_ms: u64,
    ) -> Result<(), CenterError> {
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        batch.insert(&self.meta, recorded_key(load), []);
        batch.insert(&self.meta, due_key(write_off_ms, first_serial), []);
        batch.commit().map_err(storage)
    }

    /// Ranges due for a write-off at `now_ms`, oldest first, as (due time,
    /// first serial): read from the front of a time-ordered index, so the
    /// cost follows what is due.
    pub fn due_write_offs(&self, now_ms: u64) -> Result<Vec<(u64, u64)>, CenterError> {
        let mut due = Vec::new();
        for item in self.meta.prefix(DUE) {
            let (key, _) = item.map_err(storage)?;
            let at = stored_u64(&key, DUE.len(), "write-off due time")?;
            if at > now_ms {
                break;
            }
            due.push((at, stored_u64(&key, DUE.len() + 8, "write-off range")?));
        }
        Ok(due)
    }

    /// The write-off of the range from `first_serial`, due at `due_ms`, is
    /// done (or nothing was left to write off).
    pub fn write_off_done(&self, due_ms: u64, first_serial: u64) -> Result<(), CenterError> {
        self.meta
            .remove(due_key(due_ms, first_serial))
            .map_err(storage)
    }

    /// The notes issued for `load`, if any were.
    pub fn issued_for_load(&self, load: &Digest) -> Result<Option<Vec<NoteInHand>>, CenterError> {
        let Some(bytes) = self.loads.get(load.as_ref()).map_err(storage)? else {
            return Ok(None);
        };
        Vec::<NoteInHand>::decode_range(Copying(bytes.as_ref()), 0..=MAX_NOTES_HELD)
            .map(Some)
            .map_err(|e| storage(format!("stored notes of a load: {e}")))
    }
}

fn recorded_key(load: &Digest) -> Vec<u8> {
    let mut key = b"recorded/".to_vec();
    key.extend_from_slice(load.as_ref());
    key
}

const DUE: &[u8] = b"due/";

fn due_key(due_ms: u64, first_serial: u64) -> Vec<u8> {
    let mut key = DUE.to_vec();
    key.extend_from_slice(&due_ms.to_be_bytes());
    key.extend_from_slice(&first_serial.to_be_bytes());
    key
}

impl IssuanceCenter {
    /// The wallet that handed `note` to the center: its statement of the
    /// last hop, to the center, must be signed by the key registered for
    /// the wallet it names and state the note's last sealed entry. A
    /// deposit is credited to that wallet's account, so nobody can name
    /// another wallet (a blacklisted owner naming a clean one, or a relay
    /// redirecting a deposit).
    pub fn depositor(&self, note: &NoteInHand) -> Result<crate::WalletNumber, CenterError> {
        let not_handed = || {
            crate::CashError::Protocol(
                "the note was not handed to the center by the wallet it names".into(),
            )
        };
        let received = note.received.as_ref().ok_or_else(not_handed)?;
        let last = note.history.last().ok_or_else(not_handed)?;
        let previous = match note.history.len() {
            1 => note.note.digest(),
            n => note.history[n - 2].digest(),
        };
        let from = received.statement.from;
        if !received.states(last, previous, from, crate::CENTER) {
            return Err(not_handed().into());
        }
        let key = self
            .wallet_key(from)?
            .ok_or(crate::CashError::UnknownWallet(from))?;
        if !received.verify(&key) {
            return Err(not_handed().into());
        }
        Ok(from)
    }
}
