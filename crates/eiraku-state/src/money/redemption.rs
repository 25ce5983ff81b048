//! Redemption and repatriation (seed 004: a bank redeems coins at its
//! central bank; coins beyond what its economy issued return to the issuer
//! and leave a claim on the economies that issued them), and the pro rata
//! split both repatriation and seigniorage use.

use super::{add, sub, Money};
use crate::{authority::Authority, ledger::AccountWrites, MoneyError};
use eiraku_core::{AccountId, Amount, EconomyCode, Role};
use std::collections::BTreeMap;

/// Splits `total` pro rata to `weights`: floors first, then one unit each to
/// the largest remainders (ties to the lower code), so the shares add up to
/// `total` exactly and no share exceeds its weight when `total` ≤ Σ weights.
pub(super) fn pro_rata(
    total: u128,
    weights: &BTreeMap<EconomyCode, u128>,
) -> Result<BTreeMap<EconomyCode, u128>, MoneyError> {
    let sum = weights
        .values()
        .try_fold(0u128, |s, w| s.checked_add(*w))
        .ok_or(MoneyError::AmountTooLarge)?;
    if sum == 0 || total == 0 {
        return Ok(BTreeMap::new());
    }
    let mut shares = BTreeMap::new();
    let mut remainders = Vec::new();
    let mut given = 0u128;
    for (code, weight) in weights {
        let product = total
            .checked_mul(*weight)
            .ok_or(MoneyError::AmountTooLarge)?;
        shares.insert(*code, product / sum);
        given += product / sum;
        remainders.push((product % sum, *code));
    }
    // Largest remainder first; equal remainders in code order.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, code) in remainders.into_iter().take((total - given) as usize) {
        *shares.get_mut(&code).expect("every weight has a share") += 1;
    }
    shares.retain(|_, share| *share > 0);
    Ok(shares)
}

impl Money {
    /// A bank redeems coins at its central bank. Up to its economy's issued
    /// bonds the bonds move back to its own account; beyond that (coins that
    /// flowed in from other economies) the coins return to the issuer: the
    /// other economies' issued bonds move back pro rata to what they have
    /// issued, and the redeeming economy gains a claim on each of them.
    pub(super) fn redeem(
        &mut self,
        accounts: &mut AccountWrites<'_>,
        roles: &Authority,
        bank: &AccountId,
        amount: Amount,
    ) -> Result<(), MoneyError> {
        let Some(Role::Bank { economy }) = roles.role(bank) else {
            return Err(MoneyError::NotBank);
        };
        self.check_not_frozen(bank)?;
        if amount == Amount::ZERO {
            return Err(MoneyError::ZeroAmount);
        }
        let balance = accounts.balance(bank);
        let left = sub(
            balance,
            amount,
            MoneyError::InsufficientFunds {
                balance,
                needed: amount,
            },
        )?;
        // Coins parked in offline wallets are not redeemable here: they
        // back the economy's float.
        let local = amount.min(self.economy(&economy).in_accounts());
        let excess = amount.0 - local.0;
        let weights: BTreeMap<EconomyCode, u128> = self
            .economies
            .iter()
            .filter(|(code, _)| **code != economy)
            .map(|(code, books)| (*code, books.in_accounts().0))
            .collect();
        let shares = pro_rata(excess, &weights)?;
        let mut claims = Vec::with_capacity(shares.len());
        for (debtor, share) in &shares {
            let key = (economy, *debtor);
            let claim = add(
                self.claims.get(&key).copied().unwrap_or_default(),
                Amount(*share),
            )?;
            claims.push((key, claim));
        }
        // Every check passed: change the books.
        accounts.set_balance(bank, left);
        for (code, share) in shares.iter().chain([(&economy, &local.0)]) {
            let books = self.economy_mut(code);
            books.issued_bonds = Amount(books.issued_bonds.0 - share);
            books.own_bonds = Amount(books.own_bonds.0 + share);
        }
        self.claims.extend(claims);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> EconomyCode {
        EconomyCode::new(text).unwrap()
    }

    #[test]
    fn pro_rata_adds_up_and_favours_largest_remainders() {
        let weights: BTreeMap<EconomyCode, u128> =
            [(code("JP"), 1), (code("KR"), 1), (code("TH"), 1)].into();
        let shares = pro_rata(2, &weights).unwrap();
        assert_eq!(shares.values().sum::<u128>(), 2);
        assert_eq!(
            shares.get(&code("JP")),
            Some(&1),
            "ties go to the lower code"
        );
        assert_eq!(shares.get(&code("KR")), Some(&1));
        assert_eq!(shares.get(&code("TH")), None);
        let weights: BTreeMap<EconomyCode, u128> = [(code("JP"), 70), (code("KR"), 30)].into();
        let shares = pro_rata(10, &weights).unwrap();
        assert_eq!((shares[&code("JP")], shares[&code("KR")]), (7, 3));
        assert!(pro_rata(5, &BTreeMap::new()).unwrap().is_empty());
    }
}
