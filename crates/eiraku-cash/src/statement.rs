//! Transfer statements: what a payer's element signs in the clear for the
//! payee, beside the entry it seals to the center. The payee checks it
//! against the key of the wallet it has a session with, and seals it into
//! its own next entry; so every entry after the first carries the signed
//! word of the wallet that handed the note on. A note whose history was
//! made up (copied from a note once seen, with random bytes for history)
//! then always names a culprit: the first wallet that built an entry on a
//! hop nobody signed over to it.

use crate::{EncryptedEntry, WalletNumber};
use bytes::BufMut;
use commonware_codec::{Buf, Encode, Error, FixedSize, Read, ReadExt, Write};
use commonware_cryptography::{ed25519, Verifier};
use eiraku_core::{Digest, PublicKey};

/// Signing namespace of transfer statements.
pub const STATEMENT_NAMESPACE: &[u8] = b"eiraku-cash/transfer-statement";

/// One hop, as the payer states it to the payee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferStatement {
    /// The note's serial.
    pub serial: u64,
    /// The hop's position.
    pub hop: u16,
    /// The paying wallet (the signer).
    pub from: WalletNumber,
    /// The receiving wallet.
    pub to: WalletNumber,
    /// Digest of the sealed entry before this hop (or of the note, for
    /// hop 1): the entry's `previous`.
    pub previous: Digest,
    /// Digest of the sealed entry of this hop.
    pub sealed: Digest,
}

/// A statement with the payer's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedStatement {
    /// The hop.
    pub statement: TransferStatement,
    /// The payer's signature over the statement's encoding.
    pub signature: ed25519::Signature,
}

impl SignedStatement {
    /// Whether `payer_key` signed it.
    pub fn verify(&self, payer_key: &PublicKey) -> bool {
        payer_key.verify(
            STATEMENT_NAMESPACE,
            &self.statement.encode(),
            &self.signature,
        )
    }

    /// Whether it states the hop that `sealed` makes, after `previous`,
    /// from `from` to `to` (fields only; the signature is checked apart).
    pub fn states(
        &self,
        sealed: &EncryptedEntry,
        previous: Digest,
        from: WalletNumber,
        to: WalletNumber,
    ) -> bool {
        self.statement
            == TransferStatement {
                serial: sealed.serial,
                hop: sealed.hop,
                from,
                to,
                previous,
                sealed: sealed.digest(),
            }
    }
}

impl Write for TransferStatement {
    fn write(&self, buf: &mut impl BufMut) {
        self.serial.write(buf);
        self.hop.write(buf);
        self.from.write(buf);
        self.to.write(buf);
        self.previous.write(buf);
        self.sealed.write(buf);
    }
}

impl FixedSize for TransferStatement {
    const SIZE: usize = 8 + 2 + 8 + 8 + 32 + 32;
}

impl Read for TransferStatement {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            serial: u64::read(buf)?,
            hop: u16::read(buf)?,
            from: WalletNumber::read(buf)?,
            to: WalletNumber::read(buf)?,
            previous: Digest::read(buf)?,
            sealed: Digest::read(buf)?,
        })
    }
}

impl Write for SignedStatement {
    fn write(&self, buf: &mut impl BufMut) {
        self.statement.write(buf);
        self.signature.write(buf);
    }
}

impl FixedSize for SignedStatement {
    const SIZE: usize = TransferStatement::SIZE + ed25519::Signature::SIZE;
}

impl Read for SignedStatement {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            statement: TransferStatement::read(buf)?,
            signature: ed25519::Signature::read(buf)?,
        })
    }
}
