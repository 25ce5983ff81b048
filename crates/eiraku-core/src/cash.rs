//! Calls and state keys of the offline cash's ledger link (issue 15): an
//! economy's cash center and device center publish their keys, an account
//! loads coins into an offline wallet it binds to itself (the coins leave
//! its balance for the economy's offline float), and the cash center
//! credits deposited notes to the account their depositing wallet is bound
//! to (back from the float), each serial once.

use crate::{AccountId, Amount, ChainId, Digest, EconomyCode};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, FixedSize, RangeCfg, Read, ReadExt, Write};
use commonware_cryptography::ed25519;
use serde::{Deserialize, Serialize};

/// Namespace of a wallet's signature binding it to an account.
pub const WALLET_BINDING_NAMESPACE: &[u8] = b"EIRAKU_WALLET_BINDING";

/// Longest wallet certificate a load carries, in bytes.
pub const MAX_CERTIFICATE_BYTES: usize = 512;

/// Most notes one deposit credits (a deposit fits one transaction).
pub const MAX_DEPOSIT_NOTES: usize = 128;

/// Longest blacklist evidence, in bytes (two signed history entries).
pub const MAX_EVIDENCE_BYTES: usize = 2_048;

/// Most one load moves into a wallet (1 billion ACU in minor units): its
/// notes then always fit one issued range.
pub const MAX_LOAD: Amount = Amount(100_000_000_000);

/// The longest life a cash center gives its notes: a note issued at block
/// time t is spent or worthless after t + this.
pub const NOTE_LIFETIME_MS: u64 = 90 * 24 * 60 * 60 * 1000;

/// How long after a range of notes is recorded its cash center may write
/// off what was never credited from it: the notes' life, plus time for the
/// in-doubt claims on them to be settled and refunded.
pub const WRITE_OFF_AFTER_MS: u64 = NOTE_LIFETIME_MS + 30 * 24 * 60 * 60 * 1000;

/// One deposited note, as the cash center credits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositedNote {
    /// Its serial.
    pub serial: u64,
    /// Its value, in the coin's minor units.
    pub value: Amount,
}

/// A call of the offline cash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum CashCall {
    /// The sender, its economy's cash center, publishes the key it seals
    /// notes with and the key wallets agree their history keys with.
    SetCenterKeys {
        /// Ed25519 key that seals notes.
        note_key: AccountId,
        /// X25519 key for history sealing (32 bytes).
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        history_key: Digest,
    },
    /// The sender, its economy's device center, publishes the key it
    /// certifies wallets with.
    SetDeviceKey {
        /// Ed25519 key.
        key: AccountId,
    },
    /// The sender, a bank or retail account, loads `amount` into the wallet
    /// whose certificate this is, binding the wallet to itself: the
    /// wallet's `possession` signature over the chain, the account and the
    /// wallet number says the wallet agrees.
    Load {
        /// The wallet's certificate, as the device center signed it.
        #[serde(with = "hex_bytes")]
        certificate: Vec<u8>,
        /// Coins to move into the wallet.
        amount: Amount,
        /// The wallet's signature ([`binding_message`]).
        #[serde(with = "crate::validators::hex_signature")]
        possession: ed25519::Signature,
    },
    /// The sender, the cash center whose notes they are, credits notes
    /// `wallet` deposited to `account`, the account it is bound to.
    Deposit {
        /// The depositing wallet (or e-vault).
        wallet: u64,
        /// The account the wallet is bound to.
        account: AccountId,
        /// The notes, each credited once.
        notes: Vec<DepositedNote>,
    },
    /// Anyone blacklists `wallet` on evidence the chain checks against the
    /// wallet's certified key: two different entries it signed for one hop
    /// of a note, or under one transfer counter.
    Blacklist {
        /// The accused wallet.
        wallet: u64,
        /// The evidence, as the cash center's `Evidence` encodes it.
        #[serde(with = "hex_bytes")]
        evidence: Vec<u8>,
    },
    /// The wallet's account, or its economy's device center, revokes a lost
    /// or stolen wallet: no load or deposit names it again.
    RevokeWallet {
        /// The wallet.
        wallet: u64,
    },
    /// The sender, the cash center whose notes they are, refunds notes a
    /// wallet handed over in a payment or deposit that never arrived (an
    /// in-doubt claim it settled after the notes' life) to the account that
    /// wallet is bound to: a deposit's rules, each serial once.
    Refund {
        /// The wallet refunded.
        wallet: u64,
        /// The account it is bound to.
        account: AccountId,
        /// The notes, each credited once.
        notes: Vec<DepositedNote>,
    },
    /// The sender, the cash center that issued them, writes off what was
    /// never credited from the range of notes starting at `first_serial`,
    /// once the range is [`WRITE_OFF_AFTER_MS`] old: the notes are past
    /// their life, their value leaves the float and the economy's issued
    /// bonds return to its own account.
    WriteOff {
        /// The range's first serial.
        first_serial: u64,
    },
    /// The sender, the cash center of the loaded wallet's economy, records
    /// the notes it issued against a load: `count` serials from
    /// `first_serial`, worth the load's amount together, whose sealed
    /// notes' digests make the Merkle root `root`. Only recorded notes are
    /// credited by deposits, and no range is credited beyond its worth.
    RecordIssued {
        /// The loading account.
        load_account: AccountId,
        /// The load transaction's nonce.
        load_nonce: u64,
        /// The first serial of the range.
        first_serial: u64,
        /// Notes in the range.
        count: u32,
        /// Merkle root of the notes' digests, in serial order.
        #[serde(
            serialize_with = "crate::digest::serialize_hex",
            deserialize_with = "crate::digest::deserialize_hex"
        )]
        root: Digest,
    },
}

/// The wallet numbers an economy's device center gives: the economy's two
/// letters in the top two bytes, so no two economies' wallets share a
/// number on the chain.
pub fn economy_wallet(economy: EconomyCode, number: u64) -> u64 {
    let prefix = u64::from(u16::from_be_bytes(economy_bytes(economy)));
    (prefix << 48) | (number & ((1 << 48) - 1))
}

/// The economy whose device center gives wallet number `wallet`, if any.
pub fn wallet_economy(wallet: u64) -> Option<EconomyCode> {
    let bytes = ((wallet >> 48) as u16).to_be_bytes();
    EconomyCode::new(std::str::from_utf8(&bytes).ok()?).ok()
}

fn economy_bytes(economy: EconomyCode) -> [u8; 2] {
    let text = economy.as_str().as_bytes();
    [text[0], text[1]]
}

/// What a wallet signs to be bound to `account` on chain `chain`.
pub fn binding_message(chain: &ChainId, account: &AccountId, wallet: u64) -> Vec<u8> {
    let mut message = chain.as_str().as_bytes().to_vec();
    message.extend_from_slice(account.as_bytes());
    message.extend_from_slice(&wallet.to_be_bytes());
    message
}

mod hex_bytes {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text.trim_start_matches("0x")).map_err(D::Error::custom)
    }
}

impl CashCall {
    const SET_CENTER_KEYS: u8 = 0;
    const SET_DEVICE_KEY: u8 = 1;
    const LOAD: u8 = 2;
    const DEPOSIT: u8 = 3;
    const BLACKLIST: u8 = 4;
    const REVOKE_WALLET: u8 = 5;
    const RECORD_ISSUED: u8 = 6;
    const REFUND: u8 = 7;
    const WRITE_OFF: u8 = 8;

    /// The call's name, as its JSON form spells it.
    pub fn name(&self) -> &'static str {
        match self {
            CashCall::SetCenterKeys { .. } => "set_center_keys",
            CashCall::SetDeviceKey { .. } => "set_device_key",
            CashCall::Load { .. } => "load",
            CashCall::Deposit { .. } => "deposit",
            CashCall::Blacklist { .. } => "blacklist",
            CashCall::RevokeWallet { .. } => "revoke_wallet",
            CashCall::RecordIssued { .. } => "record_issued",
            CashCall::Refund { .. } => "refund",
            CashCall::WriteOff { .. } => "write_off",
        }
    }

    /// The account a call may write besides its sender.
    pub fn other_account(&self) -> Option<&AccountId> {
        match self {
            CashCall::Deposit { account, .. } | CashCall::Refund { account, .. } => Some(account),
            _ => None,
        }
    }
}

impl Write for DepositedNote {
    fn write(&self, buf: &mut impl BufMut) {
        self.serial.write(buf);
        self.value.write(buf);
    }
}

impl FixedSize for DepositedNote {
    const SIZE: usize = 8 + Amount::SIZE;
}

impl Read for DepositedNote {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self {
            serial: u64::read(buf)?,
            value: Amount::read(buf)?,
        })
    }
}

impl Write for CashCall {
    fn write(&self, buf: &mut impl BufMut) {
        match self {
            CashCall::SetCenterKeys {
                note_key,
                history_key,
            } => {
                Self::SET_CENTER_KEYS.write(buf);
                note_key.write(buf);
                history_key.write(buf);
            }
            CashCall::SetDeviceKey { key } => {
                Self::SET_DEVICE_KEY.write(buf);
                key.write(buf);
            }
            CashCall::Load {
                certificate,
                amount,
                possession,
            } => {
                Self::LOAD.write(buf);
                certificate.write(buf);
                amount.write(buf);
                possession.write(buf);
            }
            CashCall::Deposit {
                wallet,
                account,
                notes,
            } => {
                Self::DEPOSIT.write(buf);
                wallet.write(buf);
                account.write(buf);
                notes.write(buf);
            }
            CashCall::Blacklist { wallet, evidence } => {
                Self::BLACKLIST.write(buf);
                wallet.write(buf);
                evidence.write(buf);
            }
            CashCall::RevokeWallet { wallet } => {
                Self::REVOKE_WALLET.write(buf);
                wallet.write(buf);
            }
            CashCall::Refund {
                wallet,
                account,
                notes,
            } => {
                Self::REFUND.write(buf);
                wallet.write(buf);
                account.write(buf);
                notes.write(buf);
            }
            CashCall::WriteOff { first_serial } => {
                Self::WRITE_OFF.write(buf);
                first_serial.write(buf);
            }
            CashCall::RecordIssued {
                load_account,
                load_nonce,
                first_serial,
                count,
                root,
            } => {
                Self::RECORD_ISSUED.write(buf);
                load_account.write(buf);
                load_nonce.write(buf);
                first_serial.write(buf);
                count.write(buf);
                root.write(buf);
            }
        }
    }
}

impl EncodeSize for CashCall {
    fn encode_size(&self) -> usize {
        1 + match self {
            CashCall::SetCenterKeys { .. } => AccountId::SIZE + Digest::SIZE,
            CashCall::SetDeviceKey { .. } => AccountId::SIZE,
            CashCall::Load {
                certificate,
                possession,
                ..
            } => certificate.encode_size() + Amount::SIZE + possession.encode_size(),
            CashCall::Deposit { notes, .. } | CashCall::Refund { notes, .. } => {
                8 + AccountId::SIZE + notes.encode_size()
            }
            CashCall::WriteOff { .. } => 8,
            CashCall::Blacklist { evidence, .. } => 8 + evidence.encode_size(),
            CashCall::RevokeWallet { .. } => 8,
            CashCall::RecordIssued { .. } => AccountId::SIZE + 8 + 8 + 4 + Digest::SIZE,
        }
    }
}

impl Read for CashCall {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        match u8::read(buf)? {
            Self::SET_CENTER_KEYS => Ok(CashCall::SetCenterKeys {
                note_key: AccountId::read(buf)?,
                history_key: Digest::read(buf)?,
            }),
            Self::SET_DEVICE_KEY => Ok(CashCall::SetDeviceKey {
                key: AccountId::read(buf)?,
            }),
            Self::LOAD => Ok(CashCall::Load {
                certificate: Vec::<u8>::read_cfg(
                    buf,
                    &(RangeCfg::new(0..=MAX_CERTIFICATE_BYTES), ()),
                )?,
                amount: Amount::read(buf)?,
                possession: ed25519::Signature::read(buf)?,
            }),
            Self::DEPOSIT => Ok(CashCall::Deposit {
                wallet: u64::read(buf)?,
                account: AccountId::read(buf)?,
                notes: read_notes(buf)?,
            }),
            Self::BLACKLIST => Ok(CashCall::Blacklist {
                wallet: u64::read(buf)?,
                evidence: Vec::<u8>::read_cfg(buf, &(RangeCfg::new(0..=MAX_EVIDENCE_BYTES), ()))?,
            }),
            Self::REVOKE_WALLET => Ok(CashCall::RevokeWallet {
                wallet: u64::read(buf)?,
            }),
            Self::REFUND => Ok(CashCall::Refund {
                wallet: u64::read(buf)?,
                account: AccountId::read(buf)?,
                notes: read_notes(buf)?,
            }),
            Self::WRITE_OFF => Ok(CashCall::WriteOff {
                first_serial: u64::read(buf)?,
            }),
            Self::RECORD_ISSUED => Ok(CashCall::RecordIssued {
                load_account: AccountId::read(buf)?,
                load_nonce: u64::read(buf)?,
                first_serial: u64::read(buf)?,
                count: u32::read(buf)?,
                root: Digest::read(buf)?,
            }),
            other => Err(Error::InvalidEnum(other)),
        }
    }
}

/// A deposit's or refund's notes: 1 to [`MAX_DEPOSIT_NOTES`].
fn read_notes(buf: &mut impl Buf) -> Result<Vec<DepositedNote>, Error> {
    Vec::<DepositedNote>::read_cfg(buf, &(RangeCfg::new(1..=MAX_DEPOSIT_NOTES), ()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{hash, Call, Keypair};
    use commonware_codec::{Copying, DecodeExt, Encode};

    fn every_call() -> Vec<CashCall> {
        let key = Keypair::from_seed(1);
        vec![
            CashCall::SetCenterKeys {
                note_key: key.account_id(),
                history_key: hash(&[b"history"]),
            },
            CashCall::SetDeviceKey {
                key: key.account_id(),
            },
            CashCall::Load {
                certificate: vec![7; 40],
                amount: Amount(5),
                possession: key.sign(WALLET_BINDING_NAMESPACE, b"m"),
            },
            CashCall::Deposit {
                wallet: 9,
                account: key.account_id(),
                notes: vec![DepositedNote {
                    serial: 3,
                    value: Amount(2),
                }],
            },
            CashCall::Blacklist {
                wallet: 4,
                evidence: vec![1, 2, 3],
            },
            CashCall::RevokeWallet { wallet: 4 },
            CashCall::Refund {
                wallet: 9,
                account: key.account_id(),
                notes: vec![DepositedNote {
                    serial: 4,
                    value: Amount(5),
                }],
            },
            CashCall::WriteOff { first_serial: 101 },
            CashCall::RecordIssued {
                load_account: key.account_id(),
                load_nonce: 3,
                first_serial: 101,
                count: 29,
                root: hash(&[b"notes"]),
            },
        ]
    }

    #[test]
    fn wallet_numbers_carry_their_economy() {
        let jp = EconomyCode::new("JP").unwrap();
        let wallet = economy_wallet(jp, 7);
        assert_eq!(wallet_economy(wallet), Some(jp));
        assert_eq!(wallet & 0xffff_ffff_ffff, 7);
        assert_eq!(wallet_economy(7), None);
    }

    #[test]
    fn every_call_round_trips_in_bytes_and_json() {
        for call in every_call() {
            let bytes = call.encode();
            assert_eq!(bytes.len(), call.encode_size());
            assert_eq!(CashCall::decode(bytes).unwrap(), call);
            let json = serde_json::to_string(&Call::Cash(call.clone())).unwrap();
            assert!(json.contains(call.name()), "{json}");
            assert_eq!(
                serde_json::from_str::<Call>(&json).unwrap(),
                Call::Cash(call)
            );
        }
        assert!(CashCall::decode(Copying(&[9u8][..])).is_err());
    }

    #[test]
    fn a_deposit_holds_one_to_a_bounded_number_of_notes_and_a_load_a_short_certificate() {
        let key = Keypair::from_seed(1).account_id();
        let deposit = |count: usize| CashCall::Deposit {
            wallet: 1,
            account: key,
            notes: vec![
                DepositedNote {
                    serial: 1,
                    value: Amount(1)
                };
                count
            ],
        };
        for (count, decodes) in [(0, false), (1, true), (MAX_DEPOSIT_NOTES, true)] {
            let bytes = deposit(count).encode();
            assert_eq!(CashCall::decode(bytes).is_ok(), decodes, "{count} notes");
        }
        let long = deposit(MAX_DEPOSIT_NOTES + 1).encode();
        assert!(CashCall::decode(long).is_err());
        let load = CashCall::Load {
            certificate: vec![0; MAX_CERTIFICATE_BYTES + 1],
            amount: Amount(1),
            possession: Keypair::from_seed(1).sign(WALLET_BINDING_NAMESPACE, b"m"),
        };
        assert!(CashCall::decode(load.encode()).is_err());
    }
}
