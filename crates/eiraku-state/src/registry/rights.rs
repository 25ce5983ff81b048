//! Rights and licences (seed 000 §3: content rights with holder, validity
//! and price): a holder registers a work by its digest with its terms; a
//! licence is granted by the holder, or bought in coins under the money
//! rules in the same transaction, from the holder at the work's price or
//! from a licensee at its offer, the holder's royalty share of a resale
//! going to the holder.

use super::{Caller, Registry, RegistryError};
use crate::{authority::Authority, ledger::AccountWrites, money::Money, ExecutionError};
use commonware_codec::{Copying, DecodeExt, Encode};
use eiraku_core::{attestation::MAX_VALIDITY_MS, digest, AccountId, Amount, Digest};

/// A registered work and its terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Work {
    /// Who holds its rights.
    pub holder: AccountId,
    /// A licence's price, coin minor units.
    pub price: Amount,
    /// How long a licence lasts, ms.
    pub licence_ms: u64,
    /// The holder's share of a resale, basis points.
    pub royalty_bps: u16,
}

/// A licensee's licence of a work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Licence {
    /// End of its validity (block time, exclusive).
    pub until_ms: u64,
    /// The price it is offered for resale at, if it is.
    pub offer: Option<Amount>,
}

impl Work {
    /// Its stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let terms = (self.holder, self.price, self.licence_ms, self.royalty_bps);
        terms.encode().to_vec()
    }

    /// Reads [`Work::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (holder, price, licence_ms, royalty_bps) =
            <(AccountId, Amount, u64, u16)>::decode(Copying(bytes)).ok()?;
        Some(Self {
            holder,
            price,
            licence_ms,
            royalty_bps,
        })
    }
}

impl Licence {
    /// Its stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        (self.until_ms, self.offer).encode().to_vec()
    }

    /// Reads [`Licence::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (until_ms, offer) = <(u64, Option<Amount>)>::decode(Copying(bytes)).ok()?;
        Some(Self { until_ms, offer })
    }
}

/// The holder's share of a resale at `price`.
pub fn royalty(price: Amount, royalty_bps: u16) -> Amount {
    // price ≤ u128::MAX and bps ≤ 10,000: the product is split to stay exact.
    let (whole, rest) = (price.0 / 10_000, price.0 % 10_000);
    let bps = u128::from(royalty_bps);
    Amount(whole * bps + rest * bps / 10_000)
}

impl Registry {
    /// The sender registers `work`, first come first served.
    pub(crate) fn register_work(
        &mut self,
        caller: &Caller<'_>,
        work: &Digest,
        terms: Work,
    ) -> Result<(), RegistryError> {
        if let Some(registered) = self.works.get(work) {
            return Err(RegistryError::WorkRegistered {
                holder: registered.holder.to_hex(),
            });
        }
        let lasting = (1..=MAX_VALIDITY_MS).contains(&terms.licence_ms);
        if !lasting || terms.royalty_bps > 10_000 || terms.holder != *caller.sender {
            return Err(RegistryError::BadWorkTerms);
        }
        self.works.insert(*work, terms);
        Ok(())
    }

    /// The holder grants `licensee` a licence of `work`, free.
    pub(crate) fn grant_licence(
        &mut self,
        caller: &Caller<'_>,
        work: &Digest,
        licensee: &AccountId,
    ) -> Result<(), RegistryError> {
        let terms = self.work_named(work)?;
        if terms.holder != *caller.sender || *licensee == terms.holder {
            return Err(RegistryError::NotWorkHolder);
        }
        self.check_unlicensed(work, licensee, caller.now_ms)?;
        let until_ms = caller.now_ms.saturating_add(terms.licence_ms);
        let licence = Licence {
            until_ms,
            offer: None,
        };
        self.licences.insert((*work, *licensee), licence);
        Ok(())
    }

    /// A licensee offers its licence of `work` for resale at `price`.
    pub(crate) fn offer_licence(
        &mut self,
        caller: &Caller<'_>,
        work: &Digest,
        price: Amount,
    ) -> Result<(), RegistryError> {
        let mut licence = self.valid_licence(work, caller.sender, caller.now_ms)?;
        licence.offer = Some(price);
        self.licences.insert((*work, *caller.sender), licence);
        Ok(())
    }

    /// The sender buys a licence of `work` from `seller` at `price`,
    /// paying through `money`'s rules into `accounts`.
    #[allow(clippy::too_many_arguments)] // the call's four terms, as sent
    pub(crate) fn buy_licence(
        &mut self,
        caller: &Caller<'_>,
        money: Option<&Money>,
        accounts: &mut AccountWrites<'_>,
        roles: &Authority,
        work: &Digest,
        (holder, seller, price): (&AccountId, &AccountId, Amount),
    ) -> Result<(), ExecutionError> {
        let terms = self.work_named(work)?;
        if terms.holder != *holder {
            return Err(RegistryError::WorkHolderChanged.into());
        }
        let buyer = caller.sender;
        self.check_unlicensed(work, buyer, caller.now_ms)?;
        let (licence, payments) = if seller == holder {
            if price != terms.price {
                return Err(RegistryError::PriceChanged { price: terms.price }.into());
            }
            let until_ms = caller.now_ms.saturating_add(terms.licence_ms);
            (until_ms, vec![(holder, price)])
        } else {
            let sold = self.valid_licence(work, seller, caller.now_ms)?;
            if sold.offer != Some(price) {
                return Err(RegistryError::NotOffered.into());
            }
            let share = royalty(price, terms.royalty_bps);
            let rest = Amount(price.0 - share.0);
            (sold.until_ms, vec![(holder, share), (seller, rest)])
        };
        for (payee, amount) in payments {
            if amount == Amount::ZERO {
                continue;
            }
            let money = money.ok_or(crate::MoneyError::NoMoneyModule)?;
            money.pay(accounts, roles, buyer, payee, amount, None)?;
        }
        if seller != holder {
            self.licences.remove(&(*work, *seller));
        }
        let bought = Licence {
            until_ms: licence,
            offer: None,
        };
        self.licences.insert((*work, *buyer), bought);
        Ok(())
    }

    fn work_named(&self, work: &Digest) -> Result<Work, RegistryError> {
        (self.works.get(work).copied()).ok_or_else(|| RegistryError::UnknownWork {
            work: digest::to_hex(work),
        })
    }

    /// `licensee`'s licence of `work`, valid at `now_ms`.
    fn valid_licence(
        &self,
        work: &Digest,
        licensee: &AccountId,
        now_ms: u64,
    ) -> Result<Licence, RegistryError> {
        match self.licences.get(&(*work, *licensee)) {
            Some(licence) if now_ms < licence.until_ms => Ok(*licence),
            _ => Err(RegistryError::NoLicence {
                licensee: licensee.to_hex(),
            }),
        }
    }

    fn check_unlicensed(
        &self,
        work: &Digest,
        licensee: &AccountId,
        now_ms: u64,
    ) -> Result<(), RegistryError> {
        match self.valid_licence(work, licensee, now_ms) {
            Ok(_) => Err(RegistryError::AlreadyLicensed),
            Err(_) => Ok(()),
        }
    }

    /// A registered work.
    pub fn work(&self, work: &Digest) -> Option<&Work> {
        self.works.get(work)
    }

    /// `licensee`'s licence of `work`, valid or not.
    pub fn licence(&self, work: &Digest, licensee: &AccountId) -> Option<&Licence> {
        self.licences.get(&(*work, *licensee))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_royalty_is_the_share_rounded_down_without_overflow() {
        assert_eq!(royalty(Amount(1_000), 1_500), Amount(150));
        assert_eq!(royalty(Amount(999), 1), Amount(0));
        assert_eq!(royalty(Amount(10_001), 10_000), Amount(10_001));
        let all = royalty(Amount(u128::MAX), 10_000);
        assert_eq!(all, Amount(u128::MAX));
    }
}
