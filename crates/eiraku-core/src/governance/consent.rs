//! A new role holder's consent: before governance may name a key as an
//! official's successor, a new economy's central bank or regulator, or a
//! registry role's holder, that key signs the chain and the role. So no
//! role goes to a key nobody holds (a typo, or a hostile proposal, would
//! otherwise seat a voter that can never vote, or an officer that can never
//! act), nor to a small-order key whose signatures anyone can forge, nor to
//! an institution against its will.

use crate::{validators::is_strong_key, AccountId, ChainId, Keypair, Role};
use bytes::BufMut;
use commonware_codec::{Buf, Encode, EncodeSize, Error, Read, ReadExt, Write};
use commonware_cryptography::{ed25519, Verifier as _};
use serde::{Deserialize, Serialize};

/// Namespace of a role consent's signature.
pub const ROLE_CONSENT_NAMESPACE: &[u8] = b"EIRAKU_ROLE_CONSENT";

/// A key's signature of [`RoleConsent::message`] (hex in JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleConsent(#[serde(with = "crate::validators::hex_signature")] pub ed25519::Signature);

impl RoleConsent {
    /// What the key signs: the chain and the role it accepts.
    pub fn message(chain_id: &ChainId, role: &Role) -> Vec<u8> {
        let mut message = chain_id.encode().to_vec();
        message.extend_from_slice(&role.encode());
        message
    }

    /// `key`'s consent to hold `role` on `chain_id`.
    pub fn sign(key: &Keypair, chain_id: &ChainId, role: &Role) -> Self {
        Self(key.sign(ROLE_CONSENT_NAMESPACE, &Self::message(chain_id, role)))
    }

    /// Whether it is `account`'s consent to hold `role` on `chain_id`, from
    /// a key nobody can sign for without its secret.
    pub fn verifies(&self, account: &AccountId, chain_id: &ChainId, role: &Role) -> bool {
        let message = Self::message(chain_id, role);
        is_strong_key(account)
            && (account.public_key())
                .is_ok_and(|key| key.verify(ROLE_CONSENT_NAMESPACE, &message, &self.0))
    }
}

impl Write for RoleConsent {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl EncodeSize for RoleConsent {
    fn encode_size(&self) -> usize {
        self.0.encode_size()
    }
}

impl Read for RoleConsent {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        Ok(Self(ed25519::Signature::read(buf)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EconomyCode;

    #[test]
    fn a_consent_binds_its_key_chain_and_role() {
        let key = Keypair::from_seed(7);
        let chain = ChainId::new("consent").unwrap();
        let economy = EconomyCode::new("SG").unwrap();
        let role = Role::CentralBank { economy };
        let consent = RoleConsent::sign(&key, &chain, &role);
        assert!(consent.verifies(&key.account_id(), &chain, &role));
        let other_key = Keypair::from_seed(8).account_id();
        assert!(!consent.verifies(&other_key, &chain, &role));
        let other_chain = ChainId::new("other").unwrap();
        assert!(!consent.verifies(&key.account_id(), &other_chain, &role));
        let other_role = Role::Regulator { economy };
        assert!(!consent.verifies(&key.account_id(), &chain, &other_role));
        let json = serde_json::to_string(&consent).unwrap();
        assert_eq!(serde_json::from_str::<RoleConsent>(&json).unwrap(), consent);
    }
}
