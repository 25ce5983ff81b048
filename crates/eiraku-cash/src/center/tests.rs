//! The issuance center's scenarios, each with the software key and with
//! the SoftHSM2 key.

use super::*;
use crate::{DeviceCenter, RiskLimits, SecureElement, SoftwareSecureElement, Wallet};
use eiraku_core::Keypair;

const LIMITS: RiskLimits = RiskLimits {
    max_balance: 1_000_000,
    max_hops: 8,
    max_transfer: 1_000_000,
};

/// Where the center's signing key lives: every test below runs with
/// both.
#[derive(Clone, Copy)]
enum Signer {
    Software,
    /// A SoftHSM2 token key with this label.
    SoftHsm(&'static str),
}

struct World {
    device_center: DeviceCenter,
    signer: Signer,
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    center: IssuanceCenter,
}

fn keys(signer: Signer) -> IssuanceCenterKeys {
    match signer {
        Signer::Software => IssuanceCenterKeys::from_seed(1),
        Signer::SoftHsm(label) => IssuanceCenterKeys::with_signer(
            Box::new(crate::pkcs11::softhsm::signer(label)),
            [7u8; 32],
        ),
    }
}

impl World {
    fn new(signer: Signer) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes");
        let device_center = DeviceCenter::new(Keypair::from_seed(100));
        let mut world = Self {
            center: Self::open_center(&path, &device_center, signer),
            device_center,
            signer,
            _dir: dir,
            path,
        };
        world.restart();
        world
    }

    fn open_center(path: &Path, device_center: &DeviceCenter, signer: Signer) -> IssuanceCenter {
        IssuanceCenter::open(path, keys(signer), device_center.public_key(), 1, Unit::ACU).unwrap()
    }

    /// Closes the center and opens it again on the same database and key.
    fn restart(&mut self) {
        let placeholder = tempfile::tempdir().unwrap();
        let old = std::mem::replace(
            &mut self.center,
            Self::open_center(placeholder.path(), &self.device_center, Signer::Software),
        );
        drop(old);
        self.center = Self::open_center(&self.path, &self.device_center, self.signer);
    }

    fn wallet(&self, number: u64, loaded: u64) -> Wallet<SoftwareSecureElement> {
        let element =
            SoftwareSecureElement::from_seed_certified(number, &self.device_center, u64::MAX);
        self.center.register(element.certificate(), 1).unwrap();
        let mut wallet = Wallet::new(element, LIMITS, self.center.keys.public());
        if loaded > 0 {
            let notes = self.center.issue(WalletNumber(number), loaded, 1).unwrap();
            wallet.element_mut().put_notes(notes);
        }
        wallet
    }

    /// Issues `wallet` exactly these notes.
    fn load(&self, wallet: &mut TestWallet, denominations: &[u64]) {
        let issued = self
            .center
            .issue_denominations(&[(wallet.number(), denominations.to_vec())], 1)
            .unwrap();
        wallet
            .element_mut()
            .put_notes(issued.into_iter().flatten().collect());
    }

    /// A wallet registered as `number`, holding exactly these notes.
    fn wallet_with(&self, number: u64, denominations: &[u64]) -> TestWallet {
        let mut wallet = self.wallet(number, 0);
        self.load(&mut wallet, denominations);
        wallet
    }

    /// A copy of `wallet`'s element, used as a second wallet: a clone.
    fn clone_of(&self, wallet: &TestWallet) -> TestWallet {
        Wallet::new(
            wallet.element().copied_by_an_attacker(),
            LIMITS,
            self.center.keys.public(),
        )
    }

    fn deposit_all(&self, wallet: &mut Wallet<SoftwareSecureElement>) -> Vec<DepositOutcome> {
        let serials: Vec<u64> = wallet.element().notes().keys().copied().collect();
        let (record, notes) = wallet.hand_to_center(&serials).unwrap();
        let outcomes = self.center.deposit(&notes).unwrap();
        wallet.deposit_answered(record);
        outcomes
    }
}

fn pay(
    payer: &mut Wallet<SoftwareSecureElement>,
    payee: &mut Wallet<SoftwareSecureElement>,
    amount: u64,
) {
    let (mut paying, proposal) = payer.propose(payee.certificate(), amount).unwrap();
    let (mut receiving, ready) = payee.consider(payer.certificate(), proposal).unwrap();
    let payment = payer.pay(&mut paying, ready).unwrap();
    let change = payee.accept(&mut receiving, payment).unwrap();
    if let Some(done) = payer.complete(&mut paying, change).unwrap() {
        payee.change_received(&mut receiving, done).unwrap();
    }
    assert!(payee.in_doubt().next().is_none() && payer.in_doubt().next().is_none());
}

/// The key `wallet`'s certificate names: what its evidence is checked with.
fn signing_key(wallet: &TestWallet) -> eiraku_core::PublicKey {
    wallet.certificate().certificate.signing_key.clone()
}

fn credited(outcomes: &[DepositOutcome]) -> u64 {
    outcomes
        .iter()
        .map(|o| match o {
            DepositOutcome::Credited { value, .. } => *value,
            _ => 0,
        })
        .sum()
}

fn issued_notes_travel_and_deposit_once_even_across_a_restart(signer: Signer) {
    let mut world = World::new(signer);
    let mut alice = world.wallet(1, 750);
    let mut bob = world.wallet(2, 0);
    pay(&mut alice, &mut bob, 750);
    let serials: Vec<u64> = bob.element().notes().keys().copied().collect();
    let (_, notes) = bob.hand_to_center(&serials).unwrap();
    assert_eq!(credited(&world.center.deposit(&notes).unwrap()), 750);

    // The database survives a restart: the same deposit is a replay.
    world.restart();
    let again = world.center.deposit(&notes).unwrap();
    assert!(again
        .iter()
        .all(|o| matches!(o, DepositOutcome::Replayed { .. })));
    assert_eq!(world.center.blacklist().unwrap().wallets, vec![]);
    // Serials keep counting after the restart.
    let more = world.center.issue(WalletNumber(1), 1, 1).unwrap();
    assert!(more[0].note.note.serial > *serials.iter().max().unwrap());
}

type TestWallet = Wallet<SoftwareSecureElement>;

/// Alice (wallet 1) pays her note to Bob (2) while her clone pays the
/// same note to Carol (3). Returns the four wallets, Bob's deposit
/// outcomes, then Carol's.
#[allow(clippy::type_complexity)]
fn clone_double_spends(
    world: &World,
) -> ([TestWallet; 4], Vec<DepositOutcome>, Vec<DepositOutcome>) {
    let mut alice = world.wallet(1, 500);
    let mut clone = world.clone_of(&alice);
    let mut bob = world.wallet(2, 0);
    let mut carol = world.wallet(3, 0);
    pay(&mut alice, &mut bob, 500);
    pay(&mut clone, &mut carol, 500);
    let first = world.deposit_all(&mut bob);
    let second = world.deposit_all(&mut carol);
    ([alice, clone, bob, carol], first, second)
}

fn a_cloned_wallet_is_caught_with_evidence_and_blacklisted(signer: Signer) {
    let world = World::new(signer);
    let ([alice, ..], first, outcomes) = clone_double_spends(&world);
    assert_eq!(credited(&first), 500);
    // Every note Alice's clone paid was already deposited by Bob.
    let Some(DepositOutcome::DoubleSpend { evidence, .. }) = outcomes.first() else {
        panic!("expected double spends, got {outcomes:?}");
    };
    assert!(outcomes.iter().all(|o| matches!(
        o,
        DepositOutcome::DoubleSpend { evidence, .. } if evidence.culprit() == WalletNumber(1)
    )));
    assert_eq!(evidence.verify(&signing_key(&alice)), Ok(WalletNumber(1)));
    let blacklist = world.center.blacklist().unwrap();
    assert_eq!(
        (blacklist.version, blacklist.wallets.clone()),
        (1, vec![WalletNumber(1)])
    );
    assert!(blacklist.verify(&world.center.keys.public().signing));
    // It travels as bytes (to wallets at their sync, through e-vaults).
    let travelled = SignedBlacklist::from_bytes(&blacklist.encode()).unwrap();
    assert_eq!(travelled, blacklist);
    assert!(SignedBlacklist::from_bytes(&blacklist.encode()[1..]).is_err());
    assert_eq!(
        world.center.evidence_against(WalletNumber(1)).unwrap(),
        Some(Evidence::DoubleSpend(evidence.as_ref().clone()))
    );
    assert_eq!(
        world.center.evidence_against(WalletNumber(3)).unwrap(),
        None
    );
}

fn wallets_holding_the_blacklist_refuse_the_culprit(signer: Signer) {
    let world = World::new(signer);
    let ([_, clone, mut bob, carol], ..) = clone_double_spends(&world);
    let list = world.center.blacklist().unwrap();

    // A forged or stale list is refused.
    let mut forged = list.clone();
    forged.wallets.push(WalletNumber(2));
    assert_eq!(
        bob.install_blacklist(&forged),
        Err(CashError::BadBlacklistSignature)
    );
    bob.install_blacklist(&list).unwrap();
    assert_eq!(
        bob.install_blacklist(&list),
        Err(CashError::StaleBlacklist {
            offered: 1,
            held: 1
        })
    );

    // Carol, without the list, still accepts the cloned wallet; Bob,
    // holding it, refuses it.
    let device_key = world.device_center.public_key();
    let (initiator, first) = crate::Initiator::start(clone.element()).unwrap();
    let (responder, second) = crate::Responder::respond(carol.element(), &first).unwrap();
    let (_, third) = initiator
        .finish(&second, &clone.peer_policy(&device_key, 1))
        .unwrap();
    assert!(responder
        .finish(&third, &carol.peer_policy(&device_key, 1))
        .is_ok());
    let (initiator, first) = crate::Initiator::start(clone.element()).unwrap();
    let (responder, second) = crate::Responder::respond(bob.element(), &first).unwrap();
    let (_, third) = initiator
        .finish(&second, &clone.peer_policy(&device_key, 1))
        .unwrap();
    assert_eq!(
        responder
            .finish(&third, &bob.peer_policy(&device_key, 1))
            .err(),
        Some(CashError::Blacklisted(WalletNumber(1)))
    );
}

fn depositing_a_note_already_paid_away_names_the_depositor(signer: Signer) {
    let world = World::new(signer);
    let mut alice = world.wallet(1, 200);
    let mut copy = world.clone_of(&alice);
    let mut bob = world.wallet(2, 0);
    pay(&mut alice, &mut bob, 200);
    assert_eq!(credited(&world.deposit_all(&mut bob)), 200);
    let outcomes = world.deposit_all(&mut copy);
    assert!(!outcomes.is_empty());
    assert!(outcomes.iter().all(|o| matches!(
        o,
        DepositOutcome::DoubleSpend { evidence, .. } if evidence.culprit() == WalletNumber(1)
    )));
}

fn counterfeit_tampered_and_undelivered_notes_are_refused_one_by_one(signer: Signer) {
    let world = World::new(signer);
    let mut alice = world.wallet(1, 300);
    let serials: Vec<u64> = alice.element().notes().keys().copied().collect();
    assert!(serials.len() >= 2, "the load is spread over several notes");
    let (_, notes) = alice.hand_to_center(&serials).unwrap();
    let refused = |outcomes: Vec<DepositOutcome>| -> Vec<CashError> {
        outcomes
            .into_iter()
            .filter_map(|outcome| match outcome {
                DepositOutcome::Refused { reason, .. } => Some(reason),
                _ => None,
            })
            .collect()
    };

    let mut counterfeit = notes[0].clone();
    counterfeit.note.note.denomination *= 10;
    let mut tampered = notes[0].clone();
    tampered.history[0].ciphertext[3] ^= 1;
    // Not handed to the center.
    let unhanded = NoteInHand {
        note: notes[0].note.clone(),
        history: vec![],
        received: None,
    };
    let reasons = refused(
        world
            .center
            .deposit(&[counterfeit, tampered, unhanded])
            .unwrap(),
    );
    assert!(matches!(
        reasons.as_slice(),
        [
            CashError::BadSeal { .. },
            CashError::HistoryUnreadable { .. },
            CashError::HistoryInvalid { .. }
        ]
    ));

    // One bad note in a batch costs only itself: every good note is
    // credited (it refused the whole deposit before).
    let mut batch = notes.clone();
    batch[0].history[0].ciphertext[3] ^= 1;
    let outcomes = world.center.deposit(&batch).unwrap();
    let first_value = notes[0].note.note.denomination;
    assert_eq!(credited(&outcomes), 300 - first_value);
    assert_eq!(refused(outcomes).len(), 1);
    // The refused note recorded nothing: deposited intact, it is credited.
    assert_eq!(
        credited(&world.center.deposit(&notes[..1]).unwrap()),
        first_value
    );
}

fn an_e_vault_forwards_deposits_and_spreads_the_blacklist(signer: Signer) {
    let world = World::new(signer);
    let ([_, mut clone, ..], ..) = clone_double_spends(&world);
    let vault_element =
        SoftwareSecureElement::from_seed_certified(9, &world.device_center, u64::MAX);
    world
        .center
        .register(vault_element.certificate(), 1)
        .unwrap();
    let mut vault = crate::EVault::new(vault_element, LIMITS, world.center.keys.public());
    let mut dave = world.wallet(4, 300);
    let device_key = world.device_center.public_key();
    let setting = crate::exchange::Setting {
        device_center: &device_key,
        now_ms: 1,
    };

    // Before it has been online, the vault takes Dave's deposit; once
    // online it forwards it, credited, and holds the blacklist.
    vault.receive(&mut dave, 120, setting).unwrap();
    let outcomes = vault.forward(&world.center).unwrap();
    assert_eq!(credited(&outcomes), 120);
    assert_eq!(vault.wallet().balance(), 0);

    // The clone of the blacklisted wallet is refused by the vault.
    let refused = vault.receive(&mut clone, 10, setting);
    assert_eq!(refused.err(), Some(CashError::Blacklisted(WalletNumber(1))));
    // Dave deposits again and leaves with the list: he refuses the clone too.
    vault.receive(&mut dave, 5, setting).unwrap();
    let refused = crate::exchange::pay_face_to_face(&mut clone, &mut dave, 10, setting);
    assert_eq!(refused.err(), Some(CashError::Blacklisted(WalletNumber(1))));
}

/// A claim on `records`, signed by `wallet`'s element.
fn claim_of(wallet: &TestWallet, records: Vec<crate::InDoubt>) -> SignedClaim {
    let message = SignedClaim::message(wallet.number(), &records);
    SignedClaim {
        claimant: wallet.number(),
        signature: wallet.element().sign_claim(&message),
        records,
    }
}

fn in_doubt_value_is_settled_to_whom_it_is_owed(signer: Signer) {
    let world = World::new(signer);
    let load = |wallet: &mut TestWallet, notes: Vec<u64>| world.load(wallet, &notes);
    let end_of_life = 1 + DEFAULT_NOTE_LIFETIME_MS;

    // A payment lost on the way: the payer is refunded after the note's life.
    let mut alice = world.wallet(1, 0);
    let mut bob = world.wallet(2, 0);
    load(&mut alice, vec![500]);
    let (mut paying, proposal) = alice.propose(bob.certificate(), 500).unwrap();
    let (_, ready) = bob.consider(alice.certificate(), proposal).unwrap();
    let _lost_payment = alice.pay(&mut paying, ready).unwrap();
    let records = alice.in_doubt_records();
    // Nobody else can claim Alice's hop: not in her name (Bob cannot sign
    // as her), not in his own (the hop is hers).
    let mut in_her_name = claim_of(&bob, records.clone());
    in_her_name.claimant = WalletNumber(1);
    assert!(matches!(
        world.center.file_claims(&in_her_name),
        Err(CenterError::Refused(CashError::BadClaimSignature(
            WalletNumber(1)
        )))
    ));
    assert!(matches!(
        world.center.file_claims(&claim_of(&bob, records.clone())),
        Err(CenterError::Refused(CashError::HistoryInvalid { .. }))
    ));
    let claim = alice.signed_claim();
    assert_eq!(SignedClaim::from_bytes(&claim.encode()).unwrap(), claim);
    let filed = world.center.file_claims(&claim).unwrap();
    assert!(matches!(
        filed.as_slice(),
        [ClaimOutcome::Pending { decided_after_ms, .. }] if *decided_after_ms == end_of_life
    ));
    // Filed again (a retry), it is answered the same; a different claim on
    // the same hop (here one that would pay Bob) never replaces it.
    assert_eq!(world.center.file_claims(&claim).unwrap(), filed);
    let mut rewritten = records;
    rewritten[0].kind = crate::InDoubtKind::Change;
    assert!(matches!(
        world.center.file_claims(&claim_of(&alice, rewritten)),
        Err(CenterError::Refused(CashError::ClaimTaken { hop: 1, .. }))
    ));
    alice.claims_filed();
    assert_eq!(world.center.settle_claims(end_of_life).unwrap(), vec![]);
    let refunds = world.center.settle_claims(end_of_life + 1).unwrap();
    assert_eq!(
        refunds
            .iter()
            .map(|r| (r.wallet, r.value))
            .collect::<Vec<_>>(),
        vec![(WalletNumber(1), 500)]
    );
    // Decided once: settling again refunds nothing.
    assert_eq!(world.center.settle_claims(end_of_life + 2).unwrap(), vec![]);

    // Change lost on the way back: the payment arrived (no refund to the
    // payer for it), the change is refunded to the payer it was due to.
    let mut carol = world.wallet(3, 0);
    let mut dave = world.wallet(4, 0);
    load(&mut carol, vec![500]);
    load(&mut dave, vec![100, 50, 20, 20, 10]);
    let (mut paying, proposal) = carol.propose(dave.certificate(), 320).unwrap();
    let (mut receiving, ready) = dave.consider(carol.certificate(), proposal).unwrap();
    let payment = carol.pay(&mut paying, ready).unwrap();
    let _lost_change = dave.accept(&mut receiving, payment).unwrap();
    assert_eq!(credited(&world.deposit_all(&mut dave)), 500 + 20);
    // Carol's payment arrived; she also claims the four change notes Dave
    // promised, which his own claim will refund to her first.
    let carol_filed = world.center.file_claims(&carol.signed_claim()).unwrap();
    assert!(matches!(
        carol_filed.as_slice(),
        [
            ClaimOutcome::Pending { .. },
            ClaimOutcome::Pending { .. },
            ClaimOutcome::Pending { .. },
            ClaimOutcome::Pending { .. },
            ClaimOutcome::Arrived { .. }
        ]
    ));
    let dave_records: Vec<_> = dave
        .in_doubt_records()
        .into_iter()
        .filter(|r| r.kind == crate::InDoubtKind::Change)
        .collect();
    let dave_filed = world
        .center
        .file_claims(&claim_of(&dave, dave_records))
        .unwrap();
    assert_eq!(dave_filed.len(), 4);
    let refunds = world.center.settle_claims(end_of_life + 1).unwrap();
    let to_carol: u64 = refunds
        .iter()
        .filter(|r| r.wallet == WalletNumber(3))
        .map(|r| r.value)
        .sum();
    assert_eq!((to_carol, refunds.len()), (180, 4));
    assert!(refunds.iter().all(|r| r.charged.is_none()));
    // Carol paid 320 net; Dave gained 320 net: value conserved.

    // A note past its life is refused by a payee and not spent by a payer.
    let mut erin = world.wallet(5, 0);
    load(&mut erin, vec![50]);
    erin.set_clock(end_of_life - 1);
    let (_, proposal) = erin.propose(bob.certificate(), 50).unwrap();
    bob.set_clock(end_of_life);
    assert!(matches!(
        bob.consider(erin.certificate(), proposal),
        Err(CashError::NoteExpired { valid_until_ms, .. }) if valid_until_ms == end_of_life
    ));
    erin.set_clock(end_of_life);
    assert!(matches!(
        erin.propose(bob.certificate(), 50),
        Err(CashError::InsufficientFunds { available: 0, .. })
    ));
}

/// Each scenario with the software key and with the SoftHSM2 key.
macro_rules! with_both_signers {
    ($($name:ident),*) => {
        mod software_signer {
            $(#[test]
            fn $name() {
                super::$name(super::Signer::Software)
            })*
        }
        mod softhsm2_signer {
            $(#[test]
            fn $name() {
                let _token = crate::pkcs11::softhsm::exclusive();
                super::$name(super::Signer::SoftHsm(stringify!($name)))
            })*
        }
    };
}

with_both_signers!(
    issued_notes_travel_and_deposit_once_even_across_a_restart,
    a_cloned_wallet_is_caught_with_evidence_and_blacklisted,
    wallets_holding_the_blacklist_refuse_the_culprit,
    depositing_a_note_already_paid_away_names_the_depositor,
    counterfeit_tampered_and_undelivered_notes_are_refused_one_by_one,
    an_e_vault_forwards_deposits_and_spreads_the_blacklist,
    in_doubt_value_is_settled_to_whom_it_is_owed
);

mod attacks;
