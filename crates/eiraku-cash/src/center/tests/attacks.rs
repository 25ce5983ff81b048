//! The center read as its users would attack it: a wallet posing as the
//! center or swapping its key, copied notes with made-up histories, kept
//! change, a clone that never pays one note twice, concurrent deposits,
//! and blacklist expiry (software key: the HSM scenarios are the parent's).

use super::*;

/// No device may pose as the center (wallet 0), and a wallet number keeps
/// the key it was registered with, so evidence against it stays checkable
/// and nobody is framed under a swapped key.
#[test]
fn wallet_zero_and_a_second_certificate_for_a_number_are_refused() {
    let world = World::new(Signer::Software);
    let certify = |number: u64, seed: u64| {
        let keys = crate::UncertifiedElement::from_seed(seed);
        world
            .device_center
            .certify(keys.certificate_request(WalletNumber(number), 0, u64::MAX))
    };
    assert!(matches!(
        world.center.register(&certify(0, 9), 1),
        Err(CenterError::Refused(CashError::ReservedWalletNumber))
    ));
    let first = certify(7, 7);
    world.center.register(&first, 1).unwrap();
    world.center.register(&first, 1).unwrap();
    assert!(matches!(
        world.center.register(&certify(7, 8), 1),
        Err(CenterError::Refused(CashError::WalletNumberTaken(
            WalletNumber(7)
        )))
    ));
    assert!(matches!(
        world
            .center
            .register_many(&[certify(8, 8), certify(8, 9)], 1),
        Err(CenterError::Refused(CashError::WalletNumberTaken(
            WalletNumber(8)
        )))
    ));
    assert_eq!(
        world.center.wallet_key(WalletNumber(7)).unwrap(),
        Some(first.certificate.signing_key.clone())
    );
    assert_eq!(world.center.wallet_key(WalletNumber(8)).unwrap(), None);
}

/// Eve has seen a note (Alice showed it to her, or once paid it to her)
/// and pays a copy of it, with made-up history, to Carol. Carol cannot
/// read the history, but she holds Eve's signed statement of the hop, and
/// sealed it into her own entry: the center walks the path back to Eve.
#[test]
fn a_copied_note_with_a_made_up_history_names_its_maker() {
    let world = World::new(Signer::Software);
    let mut alice = world.wallet_with(1, &[500]);
    let mut bob = world.wallet(2, 0);
    let (_, shown) = alice.propose(bob.certificate(), 500).unwrap();
    let crate::TransferMessage::Proposal { notes: shown, .. } = shown else {
        unreachable!()
    };
    pay(&mut alice, &mut bob, 500);
    let genuine = bob.element().notes().values().next().unwrap().clone();

    // Two forgeries: as if just issued to Eve, and with random bytes as
    // the one hop before her.
    let as_issued = NoteInHand {
        note: shown[0].note.clone(),
        history: vec![],
        received: None,
    };
    let mut junk = genuine.history[0].clone();
    junk.ciphertext.iter_mut().for_each(|b| *b ^= 0x5a);
    let made_up = NoteInHand {
        history: vec![junk],
        ..as_issued.clone()
    };
    for (forged, eve_number) in [(as_issued, 3), (made_up, 5)] {
        let mut eve = world.wallet(eve_number, 0);
        let mut carol = world.wallet(eve_number + 1, 0);
        // A modified app puts the copy in Eve's element; Carol accepts it.
        eve.element_mut().put_notes(vec![forged]);
        pay(&mut eve, &mut carol, 500);
        let outcomes = world.deposit_all(&mut carol);
        let [DepositOutcome::Forged { evidence, .. }] = outcomes.as_slice() else {
            panic!("expected a forgery, got {outcomes:?}");
        };
        assert_eq!(evidence.culprit(), WalletNumber(eve_number));
        // Anyone can check it: Eve's key, the issuance record, the key of
        // the payer Eve's entry names (none here).
        let eve_key = signing_key(&eve);
        let issued = world.center.issued(genuine.note.note.serial).unwrap();
        assert_eq!(
            evidence.verify(&eve_key, &issued, None),
            Ok(WalletNumber(eve_number))
        );
        assert!(world
            .center
            .blacklist()
            .unwrap()
            .wallets
            .contains(&WalletNumber(eve_number)));
    }
    // Nobody honest is named, and the genuine note is credited.
    assert_eq!(credited(&world.deposit_all(&mut bob)), 500);
    assert_eq!(
        world.center.blacklist().unwrap().wallets,
        vec![WalletNumber(3), WalletNumber(5)]
    );
}

/// The worst case: the forger pays the copy to the center itself, first.
#[test]
fn a_forger_depositing_a_copy_first_is_named_and_not_credited() {
    let world = World::new(Signer::Software);
    let mut alice = world.wallet_with(1, &[500]);
    let mut bob = world.wallet(2, 0);
    pay(&mut alice, &mut bob, 500);
    let genuine = bob.element().notes().values().next().unwrap().clone();
    let mut eve = world.wallet(3, 0);
    eve.element_mut().put_notes(vec![NoteInHand {
        note: genuine.note.clone(),
        history: vec![],
        received: None,
    }]);
    let outcomes = world.deposit_all(&mut eve);
    assert!(matches!(
        outcomes.as_slice(),
        [DepositOutcome::Forged { evidence, .. }] if evidence.culprit() == WalletNumber(3)
    ));
    assert_eq!(credited(&world.deposit_all(&mut bob)), 500);
}

/// Dave promised Carol her change, took her payment and kept the change
/// (his app stored the notes and never handed the change over), then spent
/// it. Carol claims with his signed promise: she is refunded, he is charged.
#[test]
fn change_kept_by_a_payee_is_refunded_to_the_payer_and_charged_to_him() {
    let world = World::new(Signer::Software);
    let mut carol = world.wallet_with(3, &[500]);
    let mut dave = world.wallet_with(4, &[100, 50, 20, 20, 10]);
    let mut erin = world.wallet(5, 0);
    let (mut paying, proposal) = carol.propose(dave.certificate(), 320).unwrap();
    let (_, ready) = dave.consider(carol.certificate(), proposal).unwrap();
    let crate::TransferMessage::Payment { notes } = carol.pay(&mut paying, ready).unwrap() else {
        unreachable!()
    };
    dave.element_mut().put_notes(notes);
    pay(&mut dave, &mut erin, 180);
    world.deposit_all(&mut erin);
    world.deposit_all(&mut dave);

    // A promise Carol altered is refused; the one Dave signed is filed.
    let mut altered = carol.in_doubt_records();
    altered[0].promise.as_mut().unwrap().signed.agreement.amount = 100;
    assert!(world
        .center
        .file_claims(&claim_of(&carol, altered))
        .is_err());
    world.center.file_claims(&carol.signed_claim()).unwrap();
    let end_of_life = 1 + DEFAULT_NOTE_LIFETIME_MS;
    let refunds = world.center.settle_claims(end_of_life + 1).unwrap();
    assert_eq!(refunds.iter().map(|r| r.value).sum::<u64>(), 180);
    assert!(refunds
        .iter()
        .all(|r| r.wallet == WalletNumber(3) && r.charged == Some(WalletNumber(4))));
    // Decided once.
    assert_eq!(world.center.settle_claims(end_of_life + 2).unwrap(), vec![]);
}

/// A caught wallet stays on the published list while its certificate lets
/// it open sessions, then leaves it (peers refuse it anyway); its evidence
/// stays, and it is never issued notes again.
#[test]
fn blacklist_entries_end_with_the_culprits_certificate() {
    let world = World::new(Signer::Software);
    let valid_until = 50_000;
    let element = SoftwareSecureElement::from_seed_certified(1, &world.device_center, valid_until);
    world.center.register(element.certificate(), 1).unwrap();
    let mut alice = Wallet::new(element, LIMITS, world.center.keys.public());
    world.load(&mut alice, &[500]);
    let mut clone = world.clone_of(&alice);
    let (mut bob, mut carol) = (world.wallet(2, 0), world.wallet(3, 0));
    pay(&mut alice, &mut bob, 500);
    pay(&mut clone, &mut carol, 500);
    world.deposit_all(&mut bob);
    world.deposit_all(&mut carol);
    let listed = world.center.blacklist().unwrap();
    assert_eq!(listed.wallets, vec![WalletNumber(1)]);

    assert_eq!(world.center.prune_blacklist(valid_until - 1).unwrap(), 0);
    assert_eq!(world.center.prune_blacklist(valid_until).unwrap(), 1);
    let pruned = world.center.blacklist().unwrap();
    assert_eq!(
        (pruned.version, pruned.wallets),
        (listed.version + 1, vec![])
    );
    assert!(world
        .center
        .evidence_against(WalletNumber(1))
        .unwrap()
        .is_some());
    assert!(matches!(
        world
            .center
            .issue_denominations(&[(WalletNumber(1), vec![5])], 2),
        Err(CenterError::Refused(CashError::Blacklisted(WalletNumber(
            1
        ))))
    ));
    // A wallet's certificate ending also ends its issuance.
    assert!(matches!(
        world
            .center
            .issue_denominations(&[(WalletNumber(1), vec![5])], valid_until),
        Err(CenterError::Refused(
            CashError::CertificateNotValidNow { .. }
        ))
    ));
}

/// A clone that never pays a note its original pays is still caught: the
/// copied element signs under counters the original already used.
#[test]
fn a_clone_spending_other_notes_is_caught_by_its_repeated_counter() {
    let world = World::new(Signer::Software);
    let mut alice = world.wallet_with(1, &[500, 200]);
    let mut clone = world.clone_of(&alice);
    let mut bob = world.wallet(2, 0);
    let mut carol = world.wallet(3, 0);
    pay(&mut alice, &mut bob, 500);
    pay(&mut clone, &mut carol, 200);
    // Different notes: no serial is deposited twice, all is credited...
    assert_eq!(credited(&world.deposit_all(&mut bob)), 500);
    assert_eq!(credited(&world.deposit_all(&mut carol)), 200);
    // ...but two entries under counter 1 name wallet 1, provably.
    assert_eq!(
        world.center.blacklist().unwrap().wallets,
        vec![WalletNumber(1)]
    );
    let Some(Evidence::DoubleSpend(evidence)) =
        world.center.evidence_against(WalletNumber(1)).unwrap()
    else {
        panic!("expected clone evidence");
    };
    assert_ne!(evidence.first.entry.serial, evidence.second.entry.serial);
    assert_eq!(evidence.verify(&signing_key(&alice)), Ok(WalletNumber(1)));
    // An honest wallet that pays many times is never named.
    let mut dave = world.wallet(4, 900);
    let mut erin = world.wallet(5, 0);
    for _ in 0..3 {
        pay(&mut dave, &mut erin, 100);
    }
    world.deposit_all(&mut erin);
    world.deposit_all(&mut dave);
    assert_eq!(
        world.center.blacklist().unwrap().wallets,
        vec![WalletNumber(1)]
    );
}

/// The center checks a serial and writes it as one step: eight depositors
/// of the same notes at once are credited once in all.
#[test]
fn concurrent_deposits_of_one_serial_credit_it_once() {
    let world = World::new(Signer::Software);
    let mut alice = world.wallet(1, 300);
    let serials: Vec<u64> = alice.element().notes().keys().copied().collect();
    let (_, notes) = alice.hand_to_center(&serials).unwrap();
    let start = std::sync::Barrier::new(8);
    let credits: Vec<u64> = std::thread::scope(|scope| {
        let depositors: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    credited(&world.center.deposit(&notes).unwrap())
                })
            })
            .collect();
        depositors.into_iter().map(|d| d.join().unwrap()).collect()
    });
    assert_eq!(credits.iter().sum::<u64>(), 300, "{credits:?}");
}

/// A wallet asks twice for notes against one load (or a replayed request
/// reaches the center again): it gets the same notes back, so a load pays
/// for its notes once; and the answer survives a restart.
#[test]
fn a_load_is_issued_against_once() {
    let mut world = World::new(Signer::Software);
    let element = SoftwareSecureElement::from_seed_certified(5, &world.device_center, u64::MAX);
    let load = Digest::from([9u8; 32]);
    let first = world
        .center
        .issue_for_load(&load, element.certificate(), 1_234, 1)
        .unwrap();
    assert_eq!(
        first.iter().map(|n| n.note.note.denomination).sum::<u64>(),
        1_234
    );
    world.restart();
    let again = world
        .center
        .issue_for_load(&load, element.certificate(), 1_234, 1)
        .unwrap();
    assert_eq!(again, first);
    let other = world
        .center
        .issue_for_load(&Digest::from([8u8; 32]), element.certificate(), 1, 1)
        .unwrap();
    let highest = first.iter().map(|n| n.note.note.serial).max().unwrap();
    assert_eq!(
        other[0].note.note.serial,
        highest + 1,
        "nothing else was issued"
    );
}

/// Recorded loads come due for their write-off in time order, and only
/// once each: the sweep reads only what is due.
#[test]
fn recorded_ranges_come_due_for_write_off_in_time_order() {
    let mut world = World::new(Signer::Software);
    for (load, first, due) in [(1u8, 30, 300), (2, 10, 100), (3, 20, 200)] {
        world
            .center
            .mark_load_recorded(&Digest::from([load; 32]), first, due)
            .unwrap();
    }
    assert!(world.center.load_recorded(&Digest::from([2; 32])).unwrap());
    assert!(!world.center.load_recorded(&Digest::from([4; 32])).unwrap());
    assert_eq!(world.center.due_write_offs(99).unwrap(), vec![]);
    assert_eq!(
        world.center.due_write_offs(250).unwrap(),
        vec![(100, 10), (200, 20)]
    );
    world.center.write_off_done(100, 10).unwrap();
    world.restart();
    assert_eq!(
        world.center.due_write_offs(u64::MAX).unwrap(),
        vec![(200, 20), (300, 30)]
    );
}

/// A deposit is credited to the wallet that handed the notes over: a
/// rewritten statement naming another wallet (a blacklisted owner naming
/// a clean one, a relay redirecting the credit) is refused.
#[test]
fn a_deposit_names_its_real_depositor_only() {
    let world = World::new(Signer::Software);
    let mut alice = world.wallet(1, 750);
    let _bob = world.wallet(2, 0);
    let serials: Vec<u64> = alice.element().notes().keys().copied().collect();
    let (_, notes) = alice.hand_to_center(&serials).unwrap();
    assert_eq!(world.center.depositor(&notes[0]).unwrap(), WalletNumber(1));
    let mut renamed = notes[0].clone();
    renamed.received.as_mut().unwrap().statement.from = WalletNumber(2);
    assert!(world.center.depositor(&renamed).is_err());
    let mut unsigned = notes[0].clone();
    unsigned.received = None;
    assert!(world.center.depositor(&unsigned).is_err());
    // A statement of an earlier hop, not the one to the center.
    let fresh = world.wallet(3, 5);
    let mut bob = world.wallet(4, 0);
    let mut fresh = fresh;
    pay(&mut fresh, &mut bob, 5);
    let held: Vec<NoteInHand> = bob.element().notes().values().cloned().collect();
    assert!(world.center.depositor(&held[0]).is_err());
}
