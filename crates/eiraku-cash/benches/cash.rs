//! Offline-cash costs: a session handshake, a transfer of k notes, and the
//! issuance center's check of a deposited note with a 4-hop history.
//!
//! `cargo bench -p eiraku-cash`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use eiraku_cash::{
    history::{open_path, IssuedNote},
    DeviceCenter, Initiator, IssuanceCenterKeys, Note, NoteInHand, PeerPolicy, Responder,
    RiskLimits, SecureElement, SoftwareSecureElement, Unit, Wallet, WalletNumber,
};
use eiraku_core::Keypair;
use std::collections::BTreeSet;

const LIMITS: RiskLimits = RiskLimits {
    max_balance: u64::MAX,
    max_hops: 64,
    max_transfer: u64::MAX,
};

fn element(number: u64, device_center: &DeviceCenter) -> SoftwareSecureElement {
    SoftwareSecureElement::from_seed_certified(number, device_center, u64::MAX)
}

fn notes(center: &IssuanceCenterKeys, first_serial: u64, count: u64) -> Vec<NoteInHand> {
    (first_serial..first_serial + count)
        .map(|serial| NoteInHand {
            note: center
                .seal(Note {
                    serial,
                    unit: Unit::ACU,
                    denomination: 1,
                    issuer: 1,
                    reserved: vec![],
                    valid_until_ms: u64::MAX,
                })
                .unwrap(),
            history: vec![],
            received: None,
        })
        .collect()
}

fn pay(
    payer: &mut Wallet<SoftwareSecureElement>,
    payee: &mut Wallet<SoftwareSecureElement>,
    amount: u64,
) {
    let (mut paying, proposal) = payer.propose(payee.certificate(), amount).expect("funds");
    let (mut receiving, ready) = payee
        .consider(payer.certificate(), proposal)
        .expect("ready");
    let payment = payer.pay(&mut paying, ready).expect("paid");
    let change = payee.accept(&mut receiving, payment).expect("accepted");
    payer.complete(&mut paying, change).expect("completed");
}

fn handshake(c: &mut Criterion) {
    let device_center = DeviceCenter::new(Keypair::from_seed(100));
    let key = device_center.public_key();
    let blacklist = BTreeSet::new();
    let policy = PeerPolicy {
        device_center: &key,
        now_ms: 1,
        blacklist: &blacklist,
    };
    let (a, b) = (element(1, &device_center), element(2, &device_center));
    c.bench_function("session handshake (both sides)", |bench| {
        bench.iter(|| {
            let (initiator, first) = Initiator::start(&a).unwrap();
            let (responder, second) = Responder::respond(&b, &first).unwrap();
            let (_, third) = initiator.finish(&second, &policy).unwrap();
            responder.finish(&third, &policy).unwrap()
        })
    });
}

fn transfer(c: &mut Criterion) {
    let device_center = DeviceCenter::new(Keypair::from_seed(100));
    let center = IssuanceCenterKeys::from_seed(1);
    let mut group = c.benchmark_group("transfer (both wallets)");
    for k in [1u64, 4, 16] {
        group.bench_function(format!("{k} notes"), |bench| {
            bench.iter_batched(
                || {
                    let mut payer =
                        Wallet::new(element(1, &device_center), LIMITS, center.public());
                    payer.element_mut().put_notes(notes(&center, 1, k));
                    let payee = Wallet::new(element(2, &device_center), LIMITS, center.public());
                    (payer, payee)
                },
                |(mut payer, mut payee)| {
                    pay(&mut payer, &mut payee, k);
                    (payer, payee)
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// A note issued to wallet 1 and paid 1 → 2 → 3 → 4 → 5: four hops.
fn four_hop_note(
    center: &IssuanceCenterKeys,
    device_center: &DeviceCenter,
    serial: u64,
) -> NoteInHand {
    let mut wallets: Vec<Wallet<SoftwareSecureElement>> = (1..=5)
        .map(|n| Wallet::new(element(n, device_center), LIMITS, center.public()))
        .collect();
    wallets[0].element_mut().put_notes(notes(center, serial, 1));
    for hop in 0..4 {
        let (left, right) = wallets.split_at_mut(hop + 1);
        pay(&mut left[hop], &mut right[0], 1);
    }
    let note = wallets[4]
        .element()
        .notes()
        .values()
        .next()
        .unwrap()
        .clone();
    assert_eq!(note.history.len(), 4);
    note
}

fn deposit_check(c: &mut Criterion) {
    let device_center = DeviceCenter::new(Keypair::from_seed(100));
    let center = IssuanceCenterKeys::from_seed(1);
    let note = four_hop_note(&center, &device_center, 1);
    let issued = IssuedNote {
        to: WalletNumber(1),
        digest: note.note.digest(),
    };
    // The center agrees each wallet's history key once and keeps it.
    let keys: Vec<_> = (0..=5)
        .map(|n| {
            let agreement = element(n.max(1), &device_center)
                .certificate()
                .certificate
                .sealing_key;
            center.history_key(WalletNumber(n), &agreement).unwrap()
        })
        .collect();
    c.bench_function("deposit check per note (4-hop history)", |bench| {
        bench.iter(|| open_path(&note, &issued, |w| Ok(keys[w.0 as usize].clone())).unwrap())
    });
}

criterion_group!(benches, handshake, transfer, deposit_check);
criterion_main!(benches);
