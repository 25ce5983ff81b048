//! The messages two wallets exchange in a payment, and their encoding
//! (they cross between devices, so every decoder here takes untrusted
//! bytes).

use crate::{
    transfer::{hops, MAX_NOTES_PER_MESSAGE},
    CashError, NoteInHand, SealedNote,
};
use bytes::BufMut;
use commonware_codec::{Buf, DecodeExt, EncodeSize, Error, RangeCfg, Read, ReadExt, Write};
use commonware_cryptography::ed25519;

/// A note as shown before payment: the sealed note and its hop count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownNote {
    /// The note.
    pub note: SealedNote,
    /// Entries its history holds.
    pub hops: u16,
}

impl ShownNote {
    pub(crate) fn of(note: &NoteInHand) -> Self {
        Self {
            note: note.note.clone(),
            hops: hops(note),
        }
    }
}

/// One message of a transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransferMessage {
    /// Payer → payee: the amount and the notes it would hand over.
    Proposal {
        /// Value to pay.
        amount: u64,
        /// Notes offered (their total may exceed the amount: change is due).
        notes: Vec<ShownNote>,
    },
    /// Payee → payer: the proposal is acceptable; the change it will return.
    Ready {
        /// Change notes.
        change: Vec<ShownNote>,
        /// The payee's signed promise of that change
        /// ([`crate::PayeeSignature::Promise`] over the agreement).
        promise: ed25519::Signature,
    },
    /// Payee → payer: the proposal is refused.
    Refused {
        /// Why, for the person holding the payer wallet.
        reason: String,
    },
    /// Payer → payee: the notes, each with its new entry to the payee.
    Payment {
        /// The notes.
        notes: Vec<NoteInHand>,
    },
    /// Payee → payer: the change, each note with its entry to the payer.
    Change {
        /// The notes (empty when no change is due).
        notes: Vec<NoteInHand>,
        /// The payee's receipt of the payment
        /// ([`crate::PayeeSignature::Receipt`] over the agreement).
        receipt: ed25519::Signature,
    },
    /// Payer → payee: the change arrived.
    ChangeReceived,
    /// Payee → payer: change cannot be made from the notes offered; these
    /// are the values the payee could give as change (smallest first), for
    /// the payer to propose other notes, once.
    Counter {
        /// Values of notes the payee holds and may pass on.
        change_available: Vec<u64>,
    },
}

const MAX_REASON: usize = 512;

impl Write for ShownNote {
    fn write(&self, buf: &mut impl BufMut) {
        self.note.write(buf);
        self.hops.write(buf);
    }
}

impl EncodeSize for ShownNote {
    fn encode_size(&self) -> usize {
        self.note.encode_size() + 2
    }
}

impl Read for ShownNote {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            note: SealedNote::read(buf)?,
            hops: u16::read(buf)?,
        })
    }
}

fn notes_cfg() -> (RangeCfg<usize>, ()) {
    (RangeCfg::new(0..=MAX_NOTES_PER_MESSAGE), ())
}

impl Write for TransferMessage {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            Self::Proposal { amount, notes } => {
                0u8.write(buf);
                amount.write(buf);
                notes.write(buf);
            }
            Self::Ready { change, promise } => {
                1u8.write(buf);
                change.write(buf);
                promise.write(buf);
            }
            Self::Refused { reason } => {
                2u8.write(buf);
                reason.as_bytes().write(buf);
            }
            Self::Payment { notes } => {
                3u8.write(buf);
                notes.write(buf);
            }
            Self::Change { notes, receipt } => {
                4u8.write(buf);
                notes.write(buf);
                receipt.write(buf);
            }
            Self::ChangeReceived => 5u8.write(buf),
            Self::Counter { change_available } => {
                6u8.write(buf);
                change_available.write(buf);
            }
        }
    }
}

impl EncodeSize for TransferMessage {
    fn encode_size(&self) -> usize {
        1 + match self {
            Self::Proposal { amount, notes } => amount.encode_size() + notes.encode_size(),
            Self::Ready { change, promise } => change.encode_size() + promise.encode_size(),
            Self::Refused { reason } => reason.as_bytes().encode_size(),
            Self::Payment { notes } => notes.encode_size(),
            Self::Change { notes, receipt } => notes.encode_size() + receipt.encode_size(),
            Self::ChangeReceived => 0,
            Self::Counter { change_available } => change_available.encode_size(),
        }
    }
}

impl Read for TransferMessage {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(match u8::read(buf)? {
            0 => Self::Proposal {
                amount: u64::read(buf)?,
                notes: Vec::<ShownNote>::read_cfg(buf, &notes_cfg())?,
            },
            1 => Self::Ready {
                change: Vec::<ShownNote>::read_cfg(buf, &notes_cfg())?,
                promise: ed25519::Signature::read(buf)?,
            },
            2 => {
                let bytes = Vec::<u8>::read_cfg(buf, &(RangeCfg::new(0..=MAX_REASON), ()))?;
                Self::Refused {
                    reason: String::from_utf8(bytes)
                        .map_err(|_| Error::Invalid("TransferMessage", "reason is not UTF-8"))?,
                }
            }
            3 => Self::Payment {
                notes: Vec::<NoteInHand>::read_cfg(buf, &notes_cfg())?,
            },
            4 => Self::Change {
                notes: Vec::<NoteInHand>::read_cfg(buf, &notes_cfg())?,
                receipt: ed25519::Signature::read(buf)?,
            },
            5 => Self::ChangeReceived,
            6 => Self::Counter {
                change_available: Vec::<u64>::read_cfg(buf, &notes_cfg())?,
            },
            tag => return Err(Error::InvalidEnum(tag)),
        })
    }
}

impl TransferMessage {
    /// Reads a message received from the other wallet.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CashError> {
        Self::decode(commonware_codec::Copying(bytes)).map_err(|e| CashError::Malformed {
            what: "transfer message",
            reason: e.to_string(),
        })
    }
}
