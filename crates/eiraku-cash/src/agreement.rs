//! What the payee signs in a payment: before it, its promise of the change
//! due; after it, its receipt. The promise lets a payer whose change never
//! came claim it from the center, and the center charge a payee who kept
//! it; the receipt lets a payer prove to anyone that a payee was paid.

use crate::{note::MAX_NOTES_PER_MESSAGE, SealedNote, WalletNumber};
use bytes::BufMut;
use commonware_codec::{Buf, Encode, EncodeSize, Error, RangeCfg, Read, ReadExt, Write};
use commonware_cryptography::{ed25519, Verifier};
use eiraku_core::PublicKey;

/// Signing namespace of change promises.
pub const PROMISE_NAMESPACE: &[u8] = b"eiraku-cash/change-promise";
/// Signing namespace of receipts.
pub const RECEIPT_NAMESPACE: &[u8] = b"eiraku-cash/receipt";

/// Which of its two signatures a payee gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayeeSignature {
    /// Before payment: the change named will be returned.
    Promise,
    /// After payment: the notes named were received.
    Receipt,
}

impl PayeeSignature {
    /// The namespace it signs under.
    pub fn namespace(self) -> &'static [u8] {
        match self {
            Self::Promise => PROMISE_NAMESPACE,
            Self::Receipt => RECEIPT_NAMESPACE,
        }
    }
}

/// One payment as both wallets agreed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    /// The paying wallet.
    pub payer: WalletNumber,
    /// The paid wallet (the signer).
    pub payee: WalletNumber,
    /// The amount paid.
    pub amount: u64,
    /// Serials of the notes the payer hands over.
    pub paid: Vec<u64>,
    /// Serials of the notes the payee returns as change.
    pub change: Vec<u64>,
}

/// An agreement with the payee's signature (a promise or a receipt).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAgreement {
    /// The payment.
    pub agreement: Agreement,
    /// The payee's signature.
    pub signature: ed25519::Signature,
}

impl SignedAgreement {
    /// Whether the payee whose key is `payee_key` signed it as `kind`.
    pub fn verify(&self, payee_key: &PublicKey, kind: PayeeSignature) -> bool {
        payee_key.verify(kind.namespace(), &self.agreement.encode(), &self.signature)
    }
}

/// A promise of change kept with a payment in doubt: the signed agreement
/// and the change notes as the payee showed them (sealed by the center, so
/// the center knows their value and life without trusting the payer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangePromise {
    /// The payee's signed promise.
    pub signed: SignedAgreement,
    /// The change notes, as shown.
    pub change: Vec<SealedNote>,
}

fn serials_cfg() -> (RangeCfg<usize>, ()) {
    (RangeCfg::new(0..=MAX_NOTES_PER_MESSAGE), ())
}

impl Write for Agreement {
    fn write(&self, buf: &mut impl BufMut) {
        self.payer.write(buf);
        self.payee.write(buf);
        self.amount.write(buf);
        self.paid.write(buf);
        self.change.write(buf);
    }
}

impl EncodeSize for Agreement {
    fn encode_size(&self) -> usize {
        16 + 8 + self.paid.encode_size() + self.change.encode_size()
    }
}

impl Read for Agreement {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            payer: WalletNumber::read(buf)?,
            payee: WalletNumber::read(buf)?,
            amount: u64::read(buf)?,
            paid: Vec::<u64>::read_cfg(buf, &serials_cfg())?,
            change: Vec::<u64>::read_cfg(buf, &serials_cfg())?,
        })
    }
}

impl Write for SignedAgreement {
    fn write(&self, buf: &mut impl BufMut) {
        self.agreement.write(buf);
        self.signature.write(buf);
    }
}

impl EncodeSize for SignedAgreement {
    fn encode_size(&self) -> usize {
        self.agreement.encode_size() + self.signature.encode_size()
    }
}

impl Read for SignedAgreement {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            agreement: Agreement::read(buf)?,
            signature: ed25519::Signature::read(buf)?,
        })
    }
}

impl Write for ChangePromise {
    fn write(&self, buf: &mut impl BufMut) {
        self.signed.write(buf);
        self.change.write(buf);
    }
}

impl EncodeSize for ChangePromise {
    fn encode_size(&self) -> usize {
        self.signed.encode_size() + self.change.encode_size()
    }
}

impl Read for ChangePromise {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            signed: SignedAgreement::read(buf)?,
            change: Vec::<SealedNote>::read_cfg(buf, &serials_cfg())?,
        })
    }
}
