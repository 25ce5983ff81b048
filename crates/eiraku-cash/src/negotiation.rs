//! A second round when the payee cannot make change: the payee counters
//! with the values it could give back, and the payer, once, proposes notes
//! whose total less the amount is a sum of those values.
//!
//! ```text
//! payer                                   payee
//!   Proposal {amount, notes}         ->          change cannot be made
//!                                    <-   Counter {values it could give}
//!   picks notes worth amount + c,
//!   c a sum of those values
//!   Proposal {amount, other notes}   ->          change c picked, or Refused
//!                                    <-   Ready {change} ...
//! ```
//!
//! Nothing changes in either wallet before the payer's commit point, so the
//! round adds no case to the exception log. A payee that lies in its counter
//! only makes its own payment fail; a payer gets one revision, and the
//! payee answers a revised proposal with `Ready` or a refusal, never another
//! counter, so the exchange always ends.

use crate::{
    note::select_notes,
    transfer::MAX_NOTES_PER_MESSAGE,
    transfer::{Paying, Receiving, ShownNote},
    CashError, SecureElement, TransferMessage, Wallet, WalletNumber,
};
use eiraku_core::PublicKey;

/// Highest total the joint search considers: bounds its memory (a bit per
/// sum) and time, well above any wallet's balance limit in minor units of
/// a retail wallet.
const MAX_JOINT_SUM: u64 = 1 << 22;

impl<S: SecureElement> Wallet<S> {
    /// Payee: the counter to a proposal whose change it cannot make: the
    /// smallest values it could give back, as many as a message holds.
    pub(crate) fn counter(
        &self,
        from: WalletNumber,
        from_key: &PublicKey,
        offered: Vec<ShownNote>,
        mut values: Vec<u64>,
    ) -> (Receiving, TransferMessage) {
        values.sort_unstable();
        values.truncate(MAX_NOTES_PER_MESSAGE);
        (
            Receiving {
                from,
                from_key: from_key.clone(),
                offered,
                change_serials: Vec::new(),
                in_doubt: None,
                countered: true,
                agreement: None,
            },
            TransferMessage::Counter {
                change_available: values,
            },
        )
    }

    /// Payer: answers the payee's `Counter` with a revised `Proposal`, of
    /// notes whose total less the amount the payee can give back exactly.
    /// Allowed once per payment, before it is made.
    pub fn revise(
        &self,
        paying: &mut Paying,
        counter: TransferMessage,
    ) -> Result<TransferMessage, CashError> {
        let change_available = match counter {
            TransferMessage::Counter { change_available } => change_available,
            TransferMessage::Refused { reason } => {
                return Err(CashError::Protocol(format!("the payee refused: {reason}")))
            }
            _ => return Err(CashError::Protocol("expected a counter".into())),
        };
        if paying.revised || paying.is_made() {
            return Err(CashError::Protocol(
                "a payment is revised at most once, before it is made".into(),
            ));
        }
        let (passable, values) = self.passable();
        let amount = paying.amount;
        let total = joint_total(&values, &change_available, amount)
            .ok_or(CashError::NoExactExchange { amount })?;
        let selection = select_notes(&values, total)
            .filter(|selection| selection.change == 0)
            .ok_or(CashError::NoExactExchange { amount })?;
        let shown: Vec<ShownNote> = selection
            .indices
            .iter()
            .map(|&i| ShownNote::of(passable[i]))
            .collect();
        paying.serials = shown.iter().map(|n| n.note.note.serial).collect();
        paying.revised = true;
        Ok(TransferMessage::Proposal {
            amount,
            notes: shown,
        })
    }

    /// Payee: considers the payer's revised proposal, after its counter.
    /// Answers `Ready`, or refuses (no second counter).
    pub fn consider_revised(
        &self,
        countered: Receiving,
        proposal: TransferMessage,
    ) -> Result<(Receiving, TransferMessage), CashError> {
        if !countered.countered {
            return Err(CashError::Protocol(
                "a revised proposal follows only a counter".into(),
            ));
        }
        self.consider_round(countered.from, &countered.from_key, proposal, false)
    }
}

/// The smallest total at least `amount` that the payer's `held` values make
/// exactly and whose excess over `amount` the payee's `available` values
/// make exactly; `None` when there is none below [`MAX_JOINT_SUM`].
fn joint_total(held: &[u64], available: &[u64], amount: u64) -> Option<u64> {
    let held_total: u64 = held.iter().sum();
    let available_total: u64 = available.iter().fold(0, |sum, v| sum.saturating_add(*v));
    let highest = held_total
        .min(amount.saturating_add(available_total))
        .min(MAX_JOINT_SUM);
    if amount > highest {
        return None;
    }
    let payer = reachable_sums(held, highest);
    let payee = reachable_sums(available, highest - amount);
    (amount..=highest).find(|&total| payer.has(total) && payee.has(total - amount))
}

/// The sums of sub-multisets of some values, up to a limit: one bit each.
struct Sums {
    words: Vec<u64>,
}

impl Sums {
    fn has(&self, sum: u64) -> bool {
        let word = (sum / 64) as usize;
        self.words
            .get(word)
            .is_some_and(|w| w >> (sum % 64) & 1 == 1)
    }
}

/// Subset sums of `values` up to `limit` (0/1 knapsack as a bit set:
/// each value shifts the sums reached so far and adds them).
fn reachable_sums(values: &[u64], limit: u64) -> Sums {
    let len = (limit / 64 + 1) as usize;
    let mut words = vec![0u64; len];
    words[0] = 1;
    for &value in values.iter().filter(|&&v| v > 0 && v <= limit) {
        let word_shift = (value / 64) as usize;
        let bit_shift = (value % 64) as u32;
        // From the top down, so each value is used once.
        for i in (word_shift..len).rev() {
            let low = words[i - word_shift] << bit_shift;
            let carry = if bit_shift > 0 && i > word_shift {
                words[i - word_shift - 1] >> (64 - bit_shift)
            } else {
                0
            };
            words[i] |= low | carry;
        }
    }
    // Bits above the limit in the last word are sums beyond it.
    let spare = 63 - (limit % 64) as u32;
    if let Some(last) = words.last_mut() {
        *last &= u64::MAX >> spare;
    }
    Sums { words }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::tests::{run, settled_value, try_run, TestWallet, World, MESSAGES};
    use proptest::prelude::*;

    /// A payer holding 500 and 100 pays 350 to a payee holding 400 and 150:
    /// the first proposal (600, change 250) cannot be changed; 500 with
    /// 150 back can.
    fn countered_pair(world: &mut World) -> (TestWallet, TestWallet) {
        (world.wallet(1, &[500, 100]), world.wallet(2, &[400, 150]))
    }

    fn values(wallet: &TestWallet) -> Vec<u64> {
        let mut values: Vec<u64> = wallet
            .element()
            .notes()
            .values()
            .map(|n| n.note.note.denomination)
            .collect();
        values.sort_unstable();
        values
    }

    #[test]
    fn a_payment_the_payee_cannot_change_succeeds_in_a_second_round() {
        let mut world = World::new();
        let (mut payer, mut payee) = countered_pair(&mut world);
        let (mut paying, proposal) = payer.propose(payee.certificate(), 350).unwrap();
        let (_, counter) = payee.consider(payer.certificate(), proposal).unwrap();
        assert_eq!(
            counter,
            TransferMessage::Counter {
                change_available: vec![150, 400]
            }
        );
        // Without the second round this payment was refused.
        assert!(matches!(
            payee.consider_round(
                payer.number(),
                &payer.certificate().certificate.signing_key,
                payer.propose(payee.certificate(), 350).unwrap().1,
                false
            ),
            Err(CashError::CannotMakeChange { change: 250 })
        ));
        assert!(matches!(
            payer.revise(&mut paying, counter.clone()),
            Ok(TransferMessage::Proposal { amount: 350, .. })
        ));

        run(&mut payer, &mut payee, 350, MESSAGES);
        assert_eq!(values(&payer), vec![100, 150]);
        assert_eq!(values(&payee), vec![400, 500]);
        assert_eq!(payer.in_doubt().count() + payee.in_doubt().count(), 0);
    }

    #[test]
    fn no_cut_of_a_two_round_payment_loses_or_duplicates_value() {
        for delivered in 0..=MESSAGES {
            let mut world = World::new();
            let (mut payer, mut payee) = countered_pair(&mut world);
            run(&mut payer, &mut payee, 350, delivered);
            assert_eq!(
                settled_value(&[&payer, &payee]),
                1_150,
                "cut after {delivered} messages"
            );
            for serial in payer.element().notes().keys() {
                assert!(!payee.element().notes().contains_key(serial));
            }
        }
    }

    #[test]
    fn a_payer_revises_once_and_a_payee_counters_once() {
        let mut world = World::new();
        let (payer, payee) = countered_pair(&mut world);
        let (mut paying, proposal) = payer.propose(payee.certificate(), 350).unwrap();
        let (receiving, counter) = payee
            .consider(payer.certificate(), proposal.clone())
            .unwrap();
        payer.revise(&mut paying, counter.clone()).unwrap();
        assert!(matches!(
            payer.revise(&mut paying, counter),
            Err(CashError::Protocol(_))
        ));
        // A revised proposal is only taken after a counter...
        let (ready_state, _) = payee
            .consider(
                payer.certificate(),
                payer.propose(payee.certificate(), 100).unwrap().1,
            )
            .unwrap();
        assert!(matches!(
            payee.consider_revised(ready_state, proposal.clone()),
            Err(CashError::Protocol(_))
        ));
        // ...and answered with Ready or a refusal, never a second counter:
        // the payer re-sending its first proposal gets a refusal.
        assert_eq!(
            payee.consider_revised(receiving, proposal).err(),
            Some(CashError::CannotMakeChange { change: 250 })
        );
    }

    #[test]
    fn a_lying_counter_only_fails_the_payment() {
        let mut world = World::new();
        let (mut payer, mut payee) = countered_pair(&mut world);
        let before = (values(&payer), values(&payee));
        let (mut paying, proposal) = payer.propose(payee.certificate(), 350).unwrap();
        let (receiving, _) = payee.consider(payer.certificate(), proposal).unwrap();
        // The payee claims it can give back 250 (it cannot).
        let lie = TransferMessage::Counter {
            change_available: vec![250],
        };
        let revised = payer.revise(&mut paying, lie).unwrap();
        assert_eq!(
            payee.consider_revised(receiving, revised).err(),
            Some(CashError::CannotMakeChange { change: 250 })
        );
        // A counter of absurd values costs the payer a bounded search.
        let absurd = TransferMessage::Counter {
            change_available: vec![u64::MAX; MAX_NOTES_PER_MESSAGE],
        };
        let (mut paying, _) = payer.propose(payee.certificate(), 350).unwrap();
        assert_eq!(
            payer.revise(&mut paying, absurd).err(),
            Some(CashError::NoExactExchange { amount: 350 })
        );
        assert_eq!((values(&payer), values(&payee)), before);
        let _ = try_run(&mut payer, &mut payee, 350, MESSAGES);
        assert_eq!(settled_value(&[&payer, &payee]), 1_150);
    }

    #[test]
    fn a_payee_without_notes_refuses_rather_than_counters() {
        let mut world = World::new();
        let payer = world.wallet(1, &[500]);
        let payee = world.wallet(2, &[]);
        let (_, proposal) = payer.propose(payee.certificate(), 100).unwrap();
        assert_eq!(
            payee.consider(payer.certificate(), proposal).err(),
            Some(CashError::CannotMakeChange { change: 400 })
        );
    }

    fn brute_force_sums(values: &[u64]) -> std::collections::BTreeSet<u64> {
        let mut sums = std::collections::BTreeSet::from([0]);
        for &value in values {
            let next: Vec<u64> = sums.iter().map(|s| s + value).collect();
            sums.extend(next);
        }
        sums
    }

    proptest! {
        #[test]
        fn reachable_sums_are_exactly_the_subset_sums(
            values in prop::collection::vec(1u64..300, 0..9),
            limit in 0u64..1_500,
        ) {
            let sums = reachable_sums(&values, limit);
            let expected = brute_force_sums(&values);
            for sum in 0..=limit + 70 {
                prop_assert_eq!(sums.has(sum), sum <= limit && expected.contains(&sum), "sum {}", sum);
            }
        }

        #[test]
        fn the_joint_total_is_the_smallest_that_both_sides_make(
            held in prop::collection::vec(prop::sample::select(&crate::DENOMINATIONS[..12]), 0..8),
            available in prop::collection::vec(prop::sample::select(&crate::DENOMINATIONS[..12]), 0..8),
            amount in 1u64..3_000,
        ) {
            let payer = brute_force_sums(&held);
            let payee = brute_force_sums(&available);
            let expected = payer
                .range(amount..)
                .find(|&&total| payee.contains(&(total - amount)))
                .copied();
            prop_assert_eq!(joint_total(&held, &available, amount), expected);
        }
    }
}
