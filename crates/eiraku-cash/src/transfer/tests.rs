//! Payments between two wallets: every cut of the message sequence, value
//! kept over random payments and cuts, typed refusals, copied and worn
//! notes, promises and receipts.

use super::*;
use crate::{DeviceCenter, IssuanceCenterKeys, SoftwareSecureElement};
use commonware_codec::Encode;
use eiraku_core::Keypair;

pub(crate) const LIMITS: RiskLimits = RiskLimits {
    max_balance: 10_000,
    max_hops: 4,
    max_transfer: 5_000,
};

pub(crate) struct World {
    center: IssuanceCenterKeys,
    next_serial: u64,
}

impl World {
    pub(crate) fn new() -> Self {
        Self {
            center: IssuanceCenterKeys::from_seed(1),
            next_serial: 1,
        }
    }

    pub(crate) fn wallet(&mut self, number: u64, notes: &[u64]) -> Wallet<SoftwareSecureElement> {
        let device_center = DeviceCenter::new(Keypair::from_seed(100));
        let element = SoftwareSecureElement::from_seed_certified(number, &device_center, u64::MAX);
        let mut wallet = Wallet::new(element, LIMITS, self.center.public());
        let issued = notes
            .iter()
            .map(|&denomination| {
                self.next_serial += 1;
                self.center.test_note(self.next_serial, denomination)
            })
            .collect();
        wallet.element_mut().put_notes(issued);
        wallet
    }
}

pub(crate) type TestWallet = Wallet<SoftwareSecureElement>;

/// Most messages a payment takes: Proposal, Counter, revised Proposal,
/// Ready, Payment, Change, ChangeReceived.
pub(crate) const MESSAGES: usize = 7;

/// Runs a payment, delivering only the first `delivered` of its
/// messages (Proposal, [Counter, Proposal,] Ready, Payment, Change,
/// ChangeReceived). Every message crosses the wire encoded. A refusal
/// ends it early.
pub(crate) fn try_run(
    payer: &mut TestWallet,
    payee: &mut TestWallet,
    amount: u64,
    delivered: usize,
) -> Result<(), CashError> {
    let wire = |m: TransferMessage| TransferMessage::from_bytes(&m.encode()).unwrap();
    let mut left = delivered;
    let mut delivers = || left.checked_sub(1).map(|rest| left = rest).is_some();
    let (mut paying, proposal) = payer.propose(payee.certificate(), amount)?;
    if !delivers() {
        return Ok(());
    }
    let (mut receiving, mut ready) = payee.consider(payer.certificate(), wire(proposal))?;
    if let TransferMessage::Counter { .. } = ready {
        if !delivers() {
            return Ok(());
        }
        let revised = payer.revise(&mut paying, wire(ready))?;
        if !delivers() {
            return Ok(());
        }
        (receiving, ready) = payee.consider_revised(receiving, wire(revised))?;
    }
    if !delivers() {
        return Ok(());
    }
    let payment = payer.pay(&mut paying, wire(ready))?;
    if !delivers() {
        return Ok(());
    }
    let change = payee.accept(&mut receiving, wire(payment))?;
    if !delivers() {
        return Ok(());
    }
    let received = payer.complete(&mut paying, wire(change))?;
    if !delivers() {
        return Ok(());
    }
    if let Some(message) = received {
        payee.change_received(&mut receiving, wire(message))?;
    }
    Ok(())
}

pub(crate) fn run(payer: &mut TestWallet, payee: &mut TestWallet, amount: u64, delivered: usize) {
    try_run(payer, payee, amount, delivered).unwrap();
}

/// Value of honest wallets as the issuance center settles it once every
/// note is back: notes held, plus in-doubt notes that never reached
/// their payee (no wallet holds them at that hop or beyond, and no
/// record shows them handed on from there).
pub(crate) fn settled_value(wallets: &[&TestWallet]) -> u64 {
    let reached = |serial: u64, hop: u16| {
        wallets.iter().any(|w| {
            w.element()
                .notes()
                .get(&serial)
                .is_some_and(|n| hops(n) >= hop)
                || w.in_doubt()
                    .flat_map(|r| &r.notes)
                    .any(|n| n.note.note.serial == serial && hops(n) > hop)
        })
    };
    let held: u64 = wallets.iter().map(|w| w.balance()).sum();
    let credited: u64 = wallets
        .iter()
        .flat_map(|w| w.in_doubt().flat_map(|r| &r.notes))
        .filter(|n| !reached(n.note.note.serial, hops(n)))
        .map(|n| n.note.note.denomination)
        .sum();
    held + credited
}

#[test]
fn a_payment_with_change_moves_exactly_the_amount() {
    let mut world = World::new();
    let mut payer = world.wallet(1, &[500, 200]);
    let mut payee = world.wallet(2, &[100, 50, 20, 20, 10]);
    run(&mut payer, &mut payee, 620, MESSAGES);
    assert_eq!(payer.balance(), 700 - 620);
    assert_eq!(payee.balance(), 200 + 620);
    assert_eq!(payer.in_doubt().count() + payee.in_doubt().count(), 0);
    // The center reads the path of a paid note: issued to 1, paid to 2.
    let paid = payee
        .element()
        .notes()
        .values()
        .find(|n| n.note.note.denomination == 500)
        .unwrap();
    let issued = crate::history::IssuedNote {
        to: WalletNumber(1),
        digest: paid.note.digest(),
    };
    let path = crate::history::open_path(paid, &issued, |w| {
        let element = SoftwareSecureElement::from_seed_certified(
            w.0,
            &DeviceCenter::new(Keypair::from_seed(100)),
            u64::MAX,
        );
        world
            .center
            .history_key(w, &element.certificate().certificate.sealing_key)
    })
    .unwrap();
    assert_eq!(path.len(), 1);
    assert_eq!(
        (path[0].entry.from, path[0].entry.to),
        (WalletNumber(1), WalletNumber(2))
    );
}

/// The payee signs its promise of change before the payment and its
/// receipt after it; the payer takes neither unsigned nor forged.
#[test]
fn the_payee_promises_the_change_and_signs_a_receipt() {
    let mut world = World::new();
    let mut payer = world.wallet(1, &[500, 200, 500]);
    let mut payee = world.wallet(2, &[100, 50, 20, 20, 10]);
    run(&mut payer, &mut payee, 620, MESSAGES);
    let payee_key = payee.certificate().certificate.signing_key.clone();
    let receipt = payer.receipts().last().unwrap().clone();
    assert_eq!(
        (receipt.agreement.payee, receipt.agreement.amount),
        (WalletNumber(2), 620)
    );
    assert!(receipt.verify(&payee_key, PayeeSignature::Receipt));
    assert!(!receipt.verify(&payee_key, PayeeSignature::Promise));

    let forged = Keypair::from_seed(99);
    let (mut paying, proposal) = payer.propose(payee.certificate(), 380).unwrap();
    let (mut receiving, ready) = payee.consider(payer.certificate(), proposal).unwrap();
    let TransferMessage::Ready { change, promise } = ready else {
        unreachable!()
    };
    let unsigned = TransferMessage::Ready {
        change: change.clone(),
        promise: forged.sign(b"eiraku-cash/change-promise", b"anything"),
    };
    assert_eq!(
        payer.pay(&mut paying, unsigned).err(),
        Some(CashError::BadPayeeSignature {
            what: "promise of change"
        })
    );
    assert_eq!(payer.balance(), 580);
    let payment = payer
        .pay(&mut paying, TransferMessage::Ready { change, promise })
        .unwrap();
    let TransferMessage::Change { notes, .. } = payee.accept(&mut receiving, payment).unwrap()
    else {
        unreachable!()
    };
    let unreceipted = TransferMessage::Change {
        notes,
        receipt: forged.sign(b"eiraku-cash/receipt", b"anything"),
    };
    assert_eq!(
        payer.complete(&mut paying, unreceipted).err(),
        Some(CashError::BadPayeeSignature { what: "receipt" })
    );
    // The payment stays in doubt, with the promise to claim the change by.
    let record = payer.in_doubt().next().unwrap();
    assert!(record.promise.is_some());
}

#[test]
fn no_cut_of_the_message_sequence_loses_or_duplicates_value() {
    for amount in [700, 620] {
        for delivered in 0..=MESSAGES {
            let mut world = World::new();
            let mut payer = world.wallet(1, &[500, 200]);
            let mut payee = world.wallet(2, &[100, 50, 20, 20, 10]);
            let before = payer.balance() + payee.balance();
            run(&mut payer, &mut payee, amount, delivered);
            let after = settled_value(&[&payer, &payee]);
            assert_eq!(
                after, before,
                "amount {amount}, cut after {delivered} messages"
            );
            // No note is spendable in both wallets.
            for serial in payer.element().notes().keys() {
                assert!(
                    !payee.element().notes().contains_key(serial),
                    "note {serial} spendable twice (cut after {delivered})"
                );
            }
            // Value in doubt is never spendable by the wallet that handed it over.
            for record in payer.in_doubt() {
                for note in &record.notes {
                    assert!(!payer.element().notes().contains_key(&note.note.note.serial));
                }
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    #[test]
    fn honest_wallets_conserve_value_whatever_the_payments_and_cuts(
        loads in proptest::collection::vec(0u64..3_000, 4),
        payments in proptest::collection::vec((0usize..4, 0usize..4, 1u64..2_000, 0usize..=MESSAGES), 0..20),
    ) {
        let mut world = World::new();
        let mut wallets: Vec<TestWallet> = loads
            .iter()
            .enumerate()
            .map(|(i, &load)| world.wallet(i as u64 + 1, &crate::note::split_amount(load)))
            .collect();
        let total: u64 = loads.iter().sum();
        for (from, to, amount, delivered) in payments {
            if from == to {
                continue;
            }
            let (low, high) = wallets.split_at_mut(from.max(to));
            let (payer, payee) = if from < to {
                (&mut low[from], &mut high[0])
            } else {
                (&mut high[0], &mut low[to])
            };
            // Refusals (funds, change, limits) come before any commit point.
            let _ = try_run(payer, payee, amount, delivered);
        }
        let all: Vec<&TestWallet> = wallets.iter().collect();
        proptest::prop_assert_eq!(settled_value(&all), total);
    }
}

#[test]
fn refusals_are_typed_and_change_nothing() {
    let mut world = World::new();
    let payer = world.wallet(1, &[5_000, 5_000, 200]);
    let rich = world.wallet(2, &[5_000, 5_000]);
    let poor = world.wallet(3, &[]);

    assert_eq!(
        payer.propose(rich.certificate(), 6_000).err(),
        Some(CashError::OverTransferLimit {
            amount: 6_000,
            limit: 5_000
        })
    );
    assert!(matches!(
        payer.propose(rich.certificate(), 20_000),
        Err(CashError::OverTransferLimit { .. })
    ));
    let (_, proposal) = payer.propose(rich.certificate(), 5_000).unwrap();
    assert_eq!(
        rich.consider(payer.certificate(), proposal).err(),
        Some(CashError::OverBalanceLimit {
            would_be: 15_000,
            limit: 10_000
        })
    );
    let (_, proposal) = payer.propose(poor.certificate(), 100).unwrap();
    assert_eq!(
        poor.consider(payer.certificate(), proposal).err(),
        Some(CashError::CannotMakeChange { change: 100 })
    );
    let empty_handed = world.wallet(4, &[]);
    assert_eq!(
        empty_handed.propose(rich.certificate(), 1).err(),
        Some(CashError::InsufficientFunds {
            available: 0,
            wanted: 1
        })
    );
    assert_eq!(payer.balance(), 10_200);
    assert_eq!(payer.in_doubt().count(), 0);
}

#[test]
fn counterfeit_copied_and_worn_out_notes_are_refused() {
    let mut world = World::new();
    let mut payer = world.wallet(1, &[200]);
    let mut payee = world.wallet(2, &[]);
    let third = world.wallet(3, &[]);
    let third_certificate = third.certificate().clone();

    let (_, proposal) = payer.propose(payee.certificate(), 200).unwrap();
    let TransferMessage::Proposal { amount, mut notes } = proposal.clone() else {
        unreachable!()
    };
    notes[0].note.note.denomination = 2_000;
    let counterfeit = TransferMessage::Proposal { amount, notes };
    assert!(matches!(
        payee.consider(payer.certificate(), counterfeit),
        Err(CashError::BadSeal { .. })
    ));

    // A clone of the payer spends the same note again at the same hop.
    let clone = Wallet::new(
        payer.element().copied_by_an_attacker(),
        LIMITS,
        world.center.public(),
    );
    run(&mut payer, &mut payee, 200, MESSAGES);
    let (_, again) = clone.propose(payee.certificate(), 200).unwrap();
    assert!(matches!(
        payee.consider(payer.certificate(), again),
        Err(CashError::DuplicateNote { hop: 1, .. })
    ));

    // A note at the hop limit cannot be passed on.
    let mut worn = third;
    let mut note = payee.element().notes().values().next().unwrap().clone();
    while (note.history.len() as u16) < LIMITS.max_hops {
        let copy = note.history[0].clone();
        note.history.push(copy);
    }
    worn.element_mut().put_notes(vec![note.clone()]);
    assert!(matches!(
        worn.propose(payer.certificate(), 200),
        Err(CashError::InsufficientFunds { available: 0, .. })
    ));
    let shown = TransferMessage::Proposal {
        amount: 200,
        notes: vec![ShownNote::of(&note)],
    };
    assert!(matches!(
        payer.consider(&third_certificate, shown),
        Err(CashError::TooManyHops { hops: 4, .. })
    ));
}
