//! A wallet's claim on value it handed over without confirmation: its
//! in-doubt records, signed by the wallet's element, so nobody files or
//! rewrites a claim in another wallet's name.

use crate::{InDoubt, InDoubtKind, NoteInHand, SecureElement, Wallet, WalletNumber};
use bytes::BufMut;
use commonware_codec::{Buf, DecodeExt, Encode, EncodeSize, Error, RangeCfg, Read, ReadExt, Write};
use commonware_cryptography::{ed25519, Verifier};
use eiraku_core::{hash, PublicKey};

/// Signing namespace of claims: a claim signature can never pass for a
/// history entry's, nor the reverse.
pub const CLAIM_NAMESPACE: &[u8] = b"eiraku-cash/claim";

/// Most in-doubt records one claim carries.
pub const MAX_CLAIM_RECORDS: usize = 1_024;

/// In-doubt records filed by the wallet that handed the notes over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedClaim {
    /// The wallet that handed the notes over.
    pub claimant: WalletNumber,
    /// Its records.
    pub records: Vec<InDoubt>,
    /// The claimant's signature over the digest of claimant and records.
    pub signature: ed25519::Signature,
}

impl SignedClaim {
    /// What the claimant signs: the digest of its number and its records.
    pub fn message(claimant: WalletNumber, records: &[InDoubt]) -> Vec<u8> {
        let mut body = claimant.encode().to_vec();
        records.to_vec().write(&mut body);
        hash(&[&body]).as_ref().to_vec()
    }

    /// Checks the signature against the claimant's key (from its
    /// certificate).
    pub fn verify(&self, claimant_key: &PublicKey) -> bool {
        claimant_key.verify(
            CLAIM_NAMESPACE,
            &Self::message(self.claimant, &self.records),
            &self.signature,
        )
    }

    /// Reads a claim a wallet sent.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::CashError> {
        Self::decode(commonware_codec::Copying(bytes)).map_err(|e| crate::CashError::Malformed {
            what: "claim",
            reason: e.to_string(),
        })
    }
}

impl<S: SecureElement> Wallet<S> {
    /// Deposits handed to the center whose answer never came, by record:
    /// sent again, a deposit the center took already is answered as a
    /// replay and credited nothing twice.
    pub fn unanswered_deposits(&self) -> Vec<(usize, Vec<crate::NoteInHand>)> {
        self.in_doubt_slots()
            .iter()
            .enumerate()
            .filter_map(|(index, record)| match record {
                Some(r) if r.kind == crate::InDoubtKind::Deposit => Some((index, r.notes.clone())),
                _ => None,
            })
            .collect()
    }

    /// The wallet's open in-doubt records as a claim its element signs;
    /// call [`Wallet::claims_filed`] once the center has taken it.
    pub fn signed_claim(&self) -> SignedClaim {
        let records = self.in_doubt_records();
        let signature = self
            .element()
            .sign_claim(&SignedClaim::message(self.number(), &records));
        SignedClaim {
            claimant: self.number(),
            records,
            signature,
        }
    }
}

impl Write for InDoubtKind {
    fn write(&self, buf: &mut impl BufMut) {
        let tag: u8 = match self {
            Self::Payment => 0,
            Self::Change => 1,
            Self::Deposit => 2,
        };
        tag.write(buf);
    }
}

impl Read for InDoubtKind {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(match u8::read(buf)? {
            0 => Self::Payment,
            1 => Self::Change,
            2 => Self::Deposit,
            tag => return Err(Error::InvalidEnum(tag)),
        })
    }
}

impl Write for InDoubt {
    fn write(&self, buf: &mut impl BufMut) {
        self.kind.write(buf);
        self.to.write(buf);
        self.notes.write(buf);
        self.promise.write(buf);
    }
}

impl EncodeSize for InDoubt {
    fn encode_size(&self) -> usize {
        1 + self.to.encode_size() + self.notes.encode_size() + self.promise.encode_size()
    }
}

impl Read for InDoubt {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            kind: InDoubtKind::read(buf)?,
            to: WalletNumber::read(buf)?,
            notes: Vec::<NoteInHand>::read_cfg(
                buf,
                &(
                    RangeCfg::new(0..=crate::transfer::MAX_NOTES_PER_MESSAGE),
                    (),
                ),
            )?,
            promise: Option::<crate::ChangePromise>::read(buf)?,
        })
    }
}

impl Write for SignedClaim {
    fn write(&self, buf: &mut impl BufMut) {
        self.claimant.write(buf);
        self.records.write(buf);
        self.signature.write(buf);
    }
}

impl EncodeSize for SignedClaim {
    fn encode_size(&self) -> usize {
        self.claimant.encode_size() + self.records.encode_size() + self.signature.encode_size()
    }
}

impl Read for SignedClaim {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            claimant: WalletNumber::read(buf)?,
            records: Vec::<InDoubt>::read_cfg(buf, &(RangeCfg::new(0..=MAX_CLAIM_RECORDS), ()))?,
            signature: ed25519::Signature::read(buf)?,
        })
    }
}
