//! The offline cash on the ledger: an account loads a wallet it binds to
//! itself (its coins go into the economy's offline float), the economy's
//! cash center credits deposited notes to the account the depositing
//! wallet is bound to, each serial once; `money.backing` counts the float.
//! The attacks: a load into another's wallet or without the wallet's
//! consent, an uncertified wallet, a serial credited twice, a deposit by
//! anyone but the cash center, to another account, or beyond the float.

use super::*;
use commonware_codec::Encode;
use eiraku_cash::{DeviceCenter, WalletCertificate, WalletNumber};
use eiraku_core::cash::{binding_message, WALLET_BINDING_NAMESPACE};
use eiraku_core::{CashCall, DepositedNote};
use eiraku_state::invariants::{check_money_whole, Books};
use eiraku_state::money::PendingLoad;

const CENTER_JP: u64 = 60;
const DEVICE_JP: u64 = 61;
/// The key the device center certifies with.
const DEVICE_KEY: u64 = 62;
/// Alice's wallet: JP's number 7 (the economy's letters in the top two
/// bytes), its signing key from seed 70.
const WALLET: u64 = 0x4A50_0000_0000_0007;
const WALLET_KEY: u64 = 70;

/// The test genesis, with JP's cash center and device center named at the
/// founding.
fn centers_genesis() -> Genesis {
    let mut genesis = genesis();
    let center = |seed: u64, role: Role| GenesisAccount {
        id: id(seed),
        balance: Amount::ZERO,
        label: String::new(),
        role: Some(role),
        bank: None,
        travel_key: None,
    };
    let jp = economy("JP");
    genesis.accounts = vec![
        center(CENTER_JP, Role::CashCenter { economy: jp }),
        center(DEVICE_JP, Role::DeviceCenter { economy: jp }),
    ];
    genesis
}

/// Funded, with 100,000 coins paid to Alice and the device center's key
/// published.
fn cash_chain() -> Chain {
    let mut chain = fund(open_all(Chain::on(centers_genesis())));
    chain.send(BANK_JP, pay(ALICE_JP, 100_000)).unwrap();
    let key = CashCall::SetDeviceKey {
        key: id(DEVICE_KEY),
    };
    chain.send_call(DEVICE_JP, Call::Cash(key)).unwrap();
    chain
}

/// Wallet `number`'s certificate for signing key `key_seed`, signed by the
/// device key `device_seed`.
fn certificate(number: u64, key_seed: u64, device_seed: u64) -> Vec<u8> {
    DeviceCenter::new(Keypair::from_seed(device_seed))
        .certify(WalletCertificate {
            number: WalletNumber(number),
            signing_key: Keypair::from_seed(key_seed).public_key(),
            agreement_key: [1; 32],
            sealing_key: [2; 32],
            reserved: vec![],
            valid_from_ms: 0,
            valid_until_ms: u64::MAX,
        })
        .encode()
        .to_vec()
}

/// `account` loads `amount` into wallet `number`, whose key `key_seed`
/// signs the binding.
fn load(chain: &Chain, account: u64, number: u64, key_seed: u64, amount: u128) -> Call {
    let message = binding_message(chain.state.chain_id(), &id(account), number);
    Call::Cash(CashCall::Load {
        certificate: certificate(number, key_seed, DEVICE_KEY),
        amount: Amount(amount),
        possession: Keypair::from_seed(key_seed).sign(WALLET_BINDING_NAMESPACE, &message),
    })
}

/// The cash center records `count` serials from `first` as issued against
/// `account`'s load at `nonce`.
fn record_issued(account: u64, nonce: u64, first: u64, count: u32) -> Call {
    Call::Cash(CashCall::RecordIssued {
        load_account: id(account),
        load_nonce: nonce,
        first_serial: first,
        count,
        root: hash(&[b"notes", &first.to_be_bytes()]),
    })
}

/// `account` loads `amount` into wallet `number` (key `key_seed`), and the
/// cash center records serials `first..first + count` as its notes.
fn load_issued(
    chain: &mut Chain,
    account: u64,
    number: u64,
    key_seed: u64,
    amount: u128,
    first: u64,
    count: u32,
) {
    let nonce = next_nonce(chain, account);
    let call = load(chain, account, number, key_seed, amount);
    chain.send_call(account, call).unwrap();
    chain
        .send_call(CENTER_JP, record_issued(account, nonce, first, count))
        .unwrap();
}

fn next_nonce(chain: &Chain, account: u64) -> u64 {
    chain.state.account(&id(account)).map_or(0, |a| a.nonce)
}

fn deposit(number: u64, account: u64, notes: &[(u64, u128)]) -> Call {
    Call::Cash(CashCall::Deposit {
        wallet: number,
        account: id(account),
        notes: notes
            .iter()
            .map(|&(serial, value)| DepositedNote {
                serial,
                value: Amount(value),
            })
            .collect(),
    })
}

fn float(chain: &Chain) -> Amount {
    chain.state.money().unwrap().economies[&economy("JP")].offline_float
}

/// Sends a call that must be refused, and checks it changed nothing in
/// the money state or any balance.
fn refused(chain: &mut Chain, seed: u64, call: Call) -> MoneyError {
    let before = chain.state.clone();
    let error = chain.send_call(seed, call).unwrap_err();
    assert_eq!(chain.state.money(), before.money(), "{error}");
    for (account, after) in chain.state.accounts() {
        let was = before.account(account).copied().unwrap_or_default();
        assert_eq!(after.balance, was.balance, "{error}");
    }
    error
}

#[test]
fn coins_go_into_a_wallet_and_come_back_by_deposit_with_the_books_kept() {
    let mut chain = cash_chain();
    load_issued(&mut chain, ALICE_JP, WALLET, WALLET_KEY, 30_000, 1, 10);
    assert_eq!(chain.balance(ALICE_JP), Amount(70_000));
    assert_eq!(float(&chain), Amount(30_000));
    let cash = &chain.state.money().unwrap().cash;
    assert_eq!(cash.wallets[&WALLET].account, id(ALICE_JP));

    // Notes that came back to Alice's wallet are credited to her.
    let notes = [(1, 10_000), (2, 5_000)];
    chain
        .send_call(CENTER_JP, deposit(WALLET, ALICE_JP, &notes))
        .unwrap();
    assert_eq!(chain.balance(ALICE_JP), Amount(85_000));
    assert_eq!(float(&chain), Amount(15_000));
    // She loads again: the wallet stays hers.
    let again = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 1_000);
    chain.send_call(ALICE_JP, again).unwrap();
    assert_eq!(float(&chain), Amount(16_000));

    // `send_call` checked every invariant after each block; a restarting
    // node reads the same books back from the entries.
    let store = entries(&chain.state.all_entries());
    assert!(store.contains_key(&StateKey::Money(MoneyKey::Wallet(WALLET))));
    let spent = MoneyKey::Spent {
        economy: economy("JP"),
        serial: 2,
    };
    assert!(store.contains_key(&StateKey::Money(spent)));
    assert_eq!(rebuilt_from(&store, &chain.state).unwrap(), chain.state);
}

/// A shop's till wallet only receives and deposits: a load of 0 binds it
/// to the shop's account without moving coins, and deposits by it are
/// credited there.
#[test]
fn a_load_of_nothing_binds_a_till_wallet_to_its_shop() {
    let mut chain = cash_chain();
    load_issued(&mut chain, ALICE_JP, WALLET, WALLET_KEY, 30_000, 1, 10);
    let till = WALLET + 1;
    let before = chain.balance(BANK_JP);
    chain
        .send_call(BANK_JP, load(&chain, BANK_JP, till, WALLET_KEY + 1, 0))
        .unwrap();
    assert_eq!(chain.balance(BANK_JP), before);
    assert_eq!(float(&chain), Amount(30_000));
    let cash = &chain.state.money().unwrap().cash;
    assert_eq!(cash.wallets[&till].account, id(BANK_JP));
    // Nothing was loaded: no notes wait to be recorded against it.
    let nothing = record_issued(BANK_JP, next_nonce(&chain, BANK_JP) - 1, 100, 1);
    assert!(matches!(
        refused(&mut chain, CENTER_JP, nothing),
        MoneyError::UnknownLoad { .. }
    ));
    chain
        .send_call(CENTER_JP, deposit(till, BANK_JP, &[(1, 10_000)]))
        .unwrap();
    assert_eq!(chain.balance(BANK_JP), Amount(before.0 + 10_000));
    assert_eq!(float(&chain), Amount(20_000));
}

#[test]
fn a_serial_is_credited_once_and_only_by_the_cash_center() {
    let mut chain = cash_chain();
    load_issued(&mut chain, ALICE_JP, WALLET, WALLET_KEY, 30_000, 1, 10);
    chain
        .send_call(CENTER_JP, deposit(WALLET, ALICE_JP, &[(1, 100)]))
        .unwrap();
    let credited_twice = MoneyError::NoteAlreadyCredited {
        economy: economy("JP"),
        serial: 1,
    };
    let again = deposit(WALLET, ALICE_JP, &[(1, 100)]);
    assert_eq!(refused(&mut chain, CENTER_JP, again), credited_twice);
    let named_twice = deposit(WALLET, ALICE_JP, &[(3, 100), (3, 100)]);
    assert!(matches!(
        refused(&mut chain, CENTER_JP, named_twice),
        MoneyError::NoteAlreadyCredited { serial: 3, .. }
    ));
    // Nobody but the cash center credits: not the wallet's owner, not the
    // device center.
    for seed in [ALICE_JP, DEVICE_JP, CB_JP] {
        let own = deposit(WALLET, ALICE_JP, &[(4, 100)]);
        assert_eq!(refused(&mut chain, seed, own), MoneyError::NotCashCenter);
    }
    // Not to an account the wallet is not bound to, nor for a wallet no
    // account loaded.
    let elsewhere = deposit(WALLET, BANK_JP, &[(5, 100)]);
    assert!(matches!(
        refused(&mut chain, CENTER_JP, elsewhere),
        MoneyError::WalletNotBoundTo { wallet: WALLET, .. }
    ));
    let unknown = deposit(WALLET + 99, ALICE_JP, &[(6, 100)]);
    assert_eq!(
        refused(&mut chain, CENTER_JP, unknown),
        MoneyError::UnknownWallet {
            wallet: WALLET + 99
        }
    );
    // Never more from a load's notes than the load paid for, nor a note
    // no load paid for.
    let beyond = deposit(WALLET, ALICE_JP, &[(7, 29_901)]);
    assert!(matches!(
        refused(&mut chain, CENTER_JP, beyond),
        MoneyError::RangeExhausted {
            first_serial: 1,
            ..
        }
    ));
    let unissued = deposit(WALLET, ALICE_JP, &[(11, 100)]);
    assert_eq!(
        refused(&mut chain, CENTER_JP, unissued),
        MoneyError::NoteNotIssued {
            economy: economy("JP"),
            serial: 11
        }
    );
}

/// In-doubt value comes back as a refund to the wallet's account, under
/// a deposit's rules: each serial once, from recorded notes, only by the
/// cash center.
#[test]
fn a_refund_credits_the_wallets_account_once() {
    let mut chain = cash_chain();
    load_issued(&mut chain, ALICE_JP, WALLET, WALLET_KEY, 30_000, 1, 10);
    let refund = |serial: u64| {
        Call::Cash(CashCall::Refund {
            wallet: WALLET,
            account: id(ALICE_JP),
            notes: vec![DepositedNote {
                serial,
                value: Amount(2_000),
            }],
        })
    };
    assert_eq!(
        refused(&mut chain, ALICE_JP, refund(3)),
        MoneyError::NotCashCenter
    );
    chain.send_call(CENTER_JP, refund(3)).unwrap();
    assert_eq!(chain.balance(ALICE_JP), Amount(72_000));
    assert_eq!(float(&chain), Amount(28_000));
    let again = deposit(WALLET, ALICE_JP, &[(3, 2_000)]);
    assert!(matches!(
        refused(&mut chain, CENTER_JP, again),
        MoneyError::NoteAlreadyCredited { serial: 3, .. }
    ));
    assert!(matches!(
        refused(&mut chain, CENTER_JP, refund(50)),
        MoneyError::NoteNotIssued { serial: 50, .. }
    ));
    // A lost phone, revoked: no deposit by it, but its owner is refunded.
    let revoke = Call::Cash(CashCall::RevokeWallet { wallet: WALLET });
    chain.send_call(ALICE_JP, revoke).unwrap();
    let by_lost = deposit(WALLET, ALICE_JP, &[(4, 2_000)]);
    assert!(matches!(
        refused(&mut chain, CENTER_JP, by_lost),
        MoneyError::WalletRevoked { .. }
    ));
    chain.send_call(CENTER_JP, refund(4)).unwrap();
    assert_eq!(chain.balance(ALICE_JP), Amount(74_000));
}

/// Notes past their life and their claims are written off by the center
/// that issued them: the float shrinks and the issued bonds go back to the
/// economy's own account, the books kept; never before, never twice, and
/// nothing is credited from the range afterwards.
#[test]
fn what_was_never_deposited_is_written_off_after_the_notes_life() {
    use eiraku_core::cash::WRITE_OFF_AFTER_MS;
    let mut chain = cash_chain();
    load_issued(&mut chain, ALICE_JP, WALLET, WALLET_KEY, 30_000, 1, 10);
    chain
        .send_call(CENTER_JP, deposit(WALLET, ALICE_JP, &[(1, 10_000)]))
        .unwrap();
    let write_off = |first_serial| Call::Cash(CashCall::WriteOff { first_serial });
    assert!(matches!(
        refused(&mut chain, CENTER_JP, write_off(1)),
        MoneyError::RangeNotExpired {
            first_serial: 1,
            ..
        }
    ));
    chain.now_ms += WRITE_OFF_AFTER_MS;
    assert_eq!(
        refused(&mut chain, ALICE_JP, write_off(1)),
        MoneyError::NotCashCenter
    );
    assert!(matches!(
        refused(&mut chain, CENTER_JP, write_off(2)),
        MoneyError::UnknownRange {
            first_serial: 2,
            ..
        }
    ));
    let jp = |chain: &Chain| chain.state.money().unwrap().economies[&economy("JP")].clone();
    let before = jp(&chain);
    chain.send_call(CENTER_JP, write_off(1)).unwrap();
    let after = jp(&chain);
    assert_eq!(after.offline_float, Amount(0));
    assert_eq!(after.issued_bonds.0, before.issued_bonds.0 - 20_000);
    assert_eq!(after.own_bonds.0, before.own_bonds.0 + 20_000);
    assert_eq!(chain.balance(ALICE_JP), Amount(80_000));
    assert_eq!(
        refused(&mut chain, CENTER_JP, write_off(1)),
        MoneyError::ZeroAmount
    );
    let late = deposit(WALLET, ALICE_JP, &[(2, 5_000)]);
    assert!(matches!(
        refused(&mut chain, CENTER_JP, late),
        MoneyError::RangeExhausted {
            first_serial: 1,
            ..
        }
    ));
}

/// A cash center records notes only against a load that paid for them,
/// once, in a range of serials no other load's notes use; nobody else
/// records.
#[test]
fn issued_notes_are_recorded_once_against_a_paid_load() {
    let mut chain = cash_chain();
    let nonce = next_nonce(&chain, ALICE_JP);
    let call = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 30_000);
    chain.send_call(ALICE_JP, call).unwrap();
    for seed in [ALICE_JP, DEVICE_JP, CB_JP] {
        let own = record_issued(ALICE_JP, nonce, 1, 10);
        assert_eq!(refused(&mut chain, seed, own), MoneyError::NotCashCenter);
    }
    assert!(matches!(
        refused(
            &mut chain,
            CENTER_JP,
            record_issued(ALICE_JP, nonce + 1, 1, 10)
        ),
        MoneyError::UnknownLoad { .. }
    ));
    // A load's notes always fit one range: no load moves more than that.
    let huge = load(
        &chain,
        BANK_JP,
        WALLET + 3,
        WALLET_KEY + 3,
        eiraku_core::cash::MAX_LOAD.0 + 1,
    );
    assert!(matches!(
        refused(&mut chain, BANK_JP, huge),
        MoneyError::LoadTooLarge { .. }
    ));
    let most = eiraku_cash::note::spread_amount(eiraku_core::cash::MAX_LOAD.0 as u64).len();
    assert!(
        most <= eiraku_state::money::MAX_ISSUED_RANGE as usize,
        "{most} notes"
    );
    for count in [0, eiraku_state::money::MAX_ISSUED_RANGE + 1] {
        assert!(matches!(
            refused(
                &mut chain,
                CENTER_JP,
                record_issued(ALICE_JP, nonce, 1, count)
            ),
            MoneyError::SerialsTaken { .. }
        ));
    }
    chain
        .send_call(CENTER_JP, record_issued(ALICE_JP, nonce, 5, 10))
        .unwrap();
    let cash = &chain.state.money().unwrap().cash;
    let range = cash.issued[&(economy("JP"), 5)];
    assert_eq!(
        (range.wallet, range.total, range.count),
        (WALLET, Amount(30_000), 10)
    );
    assert!(cash.loads.is_empty());
    // Recorded once: the load no longer waits.
    assert!(matches!(
        refused(
            &mut chain,
            CENTER_JP,
            record_issued(ALICE_JP, nonce, 100, 1)
        ),
        MoneyError::UnknownLoad { .. }
    ));
    // Another load's notes never reuse those serials, from either side.
    let nonce = next_nonce(&chain, ALICE_JP);
    let call = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 1_000);
    chain.send_call(ALICE_JP, call).unwrap();
    for (first, count) in [(1, 5), (14, 2), (7, 1), (1, 100)] {
        assert!(
            matches!(
                refused(
                    &mut chain,
                    CENTER_JP,
                    record_issued(ALICE_JP, nonce, first, count)
                ),
                MoneyError::SerialsTaken { .. }
            ),
            "{first}+{count}"
        );
    }
    chain
        .send_call(CENTER_JP, record_issued(ALICE_JP, nonce, 1, 4))
        .unwrap();
    chain
        .send_call(
            CENTER_JP,
            deposit(WALLET, ALICE_JP, &[(4, 1_000), (14, 30_000)]),
        )
        .unwrap();
}

#[test]
fn a_wallet_is_loaded_only_certified_consenting_and_by_its_own_account() {
    let mut chain = cash_chain();
    let chain_id = chain.state.chain_id().clone();
    let signed = |account: u64, number: u64, key_seed: u64| {
        let message = binding_message(&chain_id, &id(account), number);
        Keypair::from_seed(key_seed).sign(WALLET_BINDING_NAMESPACE, &message)
    };
    // A certificate the device center did not sign.
    let forged = Call::Cash(CashCall::Load {
        certificate: certificate(WALLET, WALLET_KEY, 999),
        amount: Amount(1_000),
        possession: signed(ALICE_JP, WALLET, WALLET_KEY),
    });
    assert!(matches!(
        refused(&mut chain, ALICE_JP, forged),
        MoneyError::BadWalletCertificate { .. }
    ));
    let garbage = Call::Cash(CashCall::Load {
        certificate: vec![1, 2, 3],
        amount: Amount(1_000),
        possession: signed(ALICE_JP, WALLET, WALLET_KEY),
    });
    assert!(matches!(
        refused(&mut chain, ALICE_JP, garbage),
        MoneyError::BadWalletCertificate { .. }
    ));
    // The wallet did not agree: signed by another key, or for another
    // account.
    for possession in [
        signed(ALICE_JP, WALLET, WALLET_KEY + 1),
        signed(BANK_JP, WALLET, WALLET_KEY),
    ] {
        let unconsented = Call::Cash(CashCall::Load {
            certificate: certificate(WALLET, WALLET_KEY, DEVICE_KEY),
            amount: Amount(1_000),
            possession,
        });
        assert_eq!(
            refused(&mut chain, ALICE_JP, unconsented),
            MoneyError::BadWalletPossession { wallet: WALLET }
        );
    }
    // Another economy's device center numbers its wallets under its own
    // letters: a JP account cannot bind one of them (nor squat its number).
    let foreign = 0x5048_0000_0000_0007; // PH's wallet 7
    let squat = load(&chain, ALICE_JP, foreign, WALLET_KEY, 1_000);
    assert_eq!(
        refused(&mut chain, ALICE_JP, squat),
        MoneyError::WalletOfAnotherEconomy {
            wallet: foreign,
            economy: economy("JP")
        }
    );
    // Bound to Alice, the wallet takes no load from her bank, even one it
    // signed for.
    let call = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 1_000);
    chain.send_call(ALICE_JP, call).unwrap();
    let bank_load = load(&chain, BANK_JP, WALLET, WALLET_KEY, 1_000);
    assert_eq!(
        refused(&mut chain, BANK_JP, bank_load),
        MoneyError::WalletBoundElsewhere { wallet: WALLET }
    );
    // The AML rules hold for loads as for payments.
    let above_cap = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 80_001);
    assert!(matches!(
        refused(&mut chain, ALICE_JP, above_cap),
        MoneyError::TransferCapExceeded { .. }
    ));
    let freeze = MoneyCall::Freeze {
        account: id(ALICE_JP),
        reason: "court order".into(),
    };
    chain.send(REG_JP, freeze).unwrap();
    let frozen = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 1_000);
    assert!(matches!(
        refused(&mut chain, ALICE_JP, frozen),
        MoneyError::AccountFrozen { .. }
    ));
    // Only the centers publish their keys.
    let keys = Call::Cash(CashCall::SetCenterKeys {
        note_key: id(1),
        history_key: hash(&[b"history"]),
    });
    assert_eq!(
        refused(&mut chain, DEVICE_JP, keys.clone()),
        MoneyError::NotCashCenter
    );
    chain.send_call(CENTER_JP, keys).unwrap();
    let device = Call::Cash(CashCall::SetDeviceKey { key: id(1) });
    assert_eq!(
        refused(&mut chain, CENTER_JP, device),
        MoneyError::NotDeviceCenter
    );
}

#[test]
fn an_economy_without_a_device_key_loads_no_wallet() {
    let mut chain = fund(open_all(Chain::on(centers_genesis())));
    chain.send(BANK_JP, pay(ALICE_JP, 10_000)).unwrap();
    let call = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 1_000);
    assert_eq!(
        refused(&mut chain, ALICE_JP, call),
        MoneyError::NoDeviceKey {
            economy: economy("JP")
        }
    );
}

#[test]
fn the_backing_invariant_counts_the_offline_float() {
    let chain = cash_chain();
    let before = chain.state.money().unwrap().clone();
    let mut after = before.clone();
    // Float appearing from nowhere (no balance moved) breaks the books.
    after
        .economies
        .get_mut(&economy("JP"))
        .unwrap()
        .offline_float = Amount(1);
    let broken = check_money_change([], chain.state.authority(), &before, &after).unwrap_err();
    assert_eq!(broken.invariant, Invariant::MoneyBacking);
    // Coins leaving an account into the float keep the backing, but the
    // float must be owed to a load waiting for its notes.
    let alice = id(ALICE_JP);
    let moved = [(&alice, Amount(100_000), Amount(99_999))];
    let broken = check_money_change(moved, chain.state.authority(), &before, &after).unwrap_err();
    assert_eq!(broken.invariant, Invariant::MoneyFloat);
    let load = PendingLoad {
        wallet: WALLET,
        amount: Amount(1),
    };
    after.cash.loads.insert((alice, 0), load);
    check_money_change(moved, chain.state.authority(), &before, &after).unwrap();
}

/// The float follows pending loads and the notes recorded and credited:
/// a range recorded for more than its load, or credited without the float
/// moving, or a float no load owns, breaks `money.float` by name, on the
/// change and over the whole state (what `eiraku verify` checks).
#[test]
fn the_float_is_what_loads_and_uncredited_notes_hold() {
    let mut chain = cash_chain();
    load_issued(&mut chain, ALICE_JP, WALLET, WALLET_KEY, 30_000, 1, 10);
    chain
        .send_call(CENTER_JP, deposit(WALLET, ALICE_JP, &[(1, 10_000)]))
        .unwrap();
    let before = chain.state.money().unwrap().clone();
    let books = Books {
        accounts: chain.state.accounts(),
        authority: chain.state.authority(),
        money: &before,
    };
    check_money_whole(&books).unwrap();
    let key = (economy("JP"), 1);
    let tamper = |change: &dyn Fn(&mut eiraku_state::money::Money)| {
        let mut after = before.clone();
        change(&mut after);
        let on_change = check_money_change([], chain.state.authority(), &before, &after);
        assert_eq!(on_change.unwrap_err().invariant, Invariant::MoneyFloat);
        let books = Books {
            accounts: chain.state.accounts(),
            authority: chain.state.authority(),
            money: &after,
        };
        assert_eq!(
            check_money_whole(&books).unwrap_err().invariant,
            Invariant::MoneyFloat
        );
    };
    tamper(&|m| m.cash.issued.get_mut(&key).unwrap().total = Amount(40_000));
    tamper(&|m| m.cash.issued.get_mut(&key).unwrap().credited = Amount(0));
    tamper(&|m| {
        m.cash.loads.insert(
            (id(ALICE_JP), 99),
            PendingLoad {
                wallet: WALLET,
                amount: Amount(5),
            },
        );
    });
}

/// One random offline-cash call: who sends it and what.
#[derive(Clone, Debug)]
enum CashOp {
    /// `account` loads `amount` into wallet `wallet` (its key: seed
    /// `WALLET_KEY + wallet`).
    Load {
        account: u64,
        wallet: u64,
        amount: u128,
    },
    /// `sender` records `count` serials from `first` as issued against
    /// `account`'s load at `nonce`.
    Issue {
        sender: u64,
        account: u64,
        nonce: u64,
        first: u64,
        count: u32,
    },
    /// `sender` credits notes `serials`, each worth `value`, deposited by
    /// `wallet`, to `account`.
    Deposit {
        sender: u64,
        wallet: u64,
        account: u64,
        serials: Vec<u64>,
        value: u128,
    },
}

fn any_cash_op() -> impl Strategy<Value = CashOp> {
    let holder = prop_oneof![Just(ALICE_JP), Just(BANK_JP), Just(MARIA_PH)];
    let wallet = WALLET..WALLET + 3;
    let issue = (
        prop_oneof![Just(CENTER_JP), Just(ALICE_JP)],
        holder.clone(),
        1u64..6,
        0u64..12,
        0u32..5,
    )
        .prop_map(|(sender, account, nonce, first, count)| CashOp::Issue {
            sender,
            account,
            nonce,
            first,
            count,
        });
    prop_oneof![
        issue,
        (holder.clone(), wallet.clone(), 0u128..120_000).prop_map(|(account, wallet, amount)| {
            CashOp::Load {
                account,
                wallet,
                amount,
            }
        }),
        (
            prop_oneof![Just(CENTER_JP), Just(ALICE_JP)],
            wallet,
            holder,
            prop::collection::vec(0u64..12, 1..4),
            0u128..20_000,
        )
            .prop_map(
                |(sender, wallet, account, serials, value)| CashOp::Deposit {
                    sender,
                    wallet,
                    account,
                    serials,
                    value,
                }
            ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Random loads and deposits keep every invariant (`send_call` checks
    /// them after each block, the float included), a refused one changes
    /// nothing, each block's changes keep a store equal to the state, and
    /// the state reads back from it.
    #[test]
    fn random_loads_and_deposits_keep_the_books(ops in prop::collection::vec(any_cash_op(), 1..30)) {
        let mut chain = cash_chain();
        chain.send(BANK_JP, pay(ALICE_JP, 50_000)).unwrap();
        let mut store = entries(&chain.state.all_entries());
        for op in ops {
            let (sender, call) = match op {
                CashOp::Load { account, wallet, amount } => {
                    (account, load(&chain, account, wallet, WALLET_KEY + wallet, amount))
                }
                CashOp::Issue { sender, account, nonce, first, count } => {
                    (sender, record_issued(account, nonce, first, count))
                }
                CashOp::Deposit { sender, wallet, account, serials, value } => {
                    let notes: Vec<(u64, u128)> = serials.iter().map(|&s| (s, value)).collect();
                    (sender, deposit(wallet, account, &notes))
                }
            };
            let before = chain.state.clone();
            let outcome = chain.send_call(sender, call);
            prop_assert!(!matches!(outcome, Err(MoneyError::InvariantBroken { .. })), "{:?}", outcome);
            if outcome.is_err() {
                prop_assert_eq!(chain.state.money(), before.money());
            }
            for (key, value) in chain.state.changes_since(&before) {
                match value {
                    Some(value) => store.insert(key, value),
                    None => store.remove(&key),
                };
            }
            prop_assert_eq!(&store, &entries(&chain.state.all_entries()));
        }
        prop_assert_eq!(&rebuilt_from(&store, &chain.state).unwrap(), &chain.state);
    }
}

/// Two different entries wallet `number` (key `key_seed`) signed for hop 1
/// of one note: the evidence of a double spend, encoded.
fn double_spend_evidence(number: u64, key_seed: u64) -> Vec<u8> {
    use eiraku_cash::{history::HISTORY_NAMESPACE, DoubleSpendEvidence, Evidence};
    use eiraku_cash::{HistoryEntry, SignedEntry};
    let signed = |to: u64| {
        let entry = HistoryEntry {
            serial: 5,
            hop: 1,
            from: WalletNumber(number),
            to: WalletNumber(to),
            counter: to,
            previous: hash(&[b"note 5"]),
            received: None,
        };
        let signature = Keypair::from_seed(key_seed).sign(HISTORY_NAMESPACE, &entry.encode());
        SignedEntry { entry, signature }
    };
    Evidence::DoubleSpend(DoubleSpendEvidence {
        first: signed(2),
        second: signed(3),
    })
    .encode()
    .to_vec()
}

#[test]
fn anyone_blacklists_a_wallet_on_evidence_the_chain_checks_and_nobody_is_framed() {
    let mut chain = cash_chain();
    let call = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 10_000);
    chain.send_call(ALICE_JP, call).unwrap();
    let blacklist =
        |wallet: u64, evidence: Vec<u8>| Call::Cash(CashCall::Blacklist { wallet, evidence });
    // Framing: entries signed by another key, evidence against another
    // wallet, bytes that are no evidence, a wallet no account bound.
    let cases = [
        blacklist(WALLET, double_spend_evidence(WALLET, WALLET_KEY + 1)),
        blacklist(WALLET, double_spend_evidence(WALLET + 1, WALLET_KEY)),
        blacklist(WALLET, vec![0, 1, 2]),
    ];
    for call in cases {
        assert!(matches!(
            refused(&mut chain, MARIA_PH, call),
            MoneyError::BadEvidence { .. }
        ));
    }
    assert_eq!(
        refused(
            &mut chain,
            MARIA_PH,
            blacklist(99, double_spend_evidence(99, 1))
        ),
        MoneyError::UnknownWallet { wallet: 99 }
    );
    // Genuine evidence, from anyone: the wallet takes no load or deposit.
    let genuine = double_spend_evidence(WALLET, WALLET_KEY);
    chain
        .send_call(MARIA_PH, blacklist(WALLET, genuine.clone()))
        .unwrap();
    let blacklisted = MoneyError::WalletBlacklisted { wallet: WALLET };
    let again = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 1_000);
    assert_eq!(refused(&mut chain, ALICE_JP, again), blacklisted);
    let credit = deposit(WALLET, ALICE_JP, &[(1, 100)]);
    assert_eq!(refused(&mut chain, CENTER_JP, credit), blacklisted);
    assert_eq!(
        refused(&mut chain, MARIA_PH, blacklist(WALLET, genuine.clone())),
        blacklisted
    );
    // The chain keeps the evidence: anyone checks it again from the chain
    // alone, with the key bound to the wallet.
    let cash = &chain.state.money().unwrap().cash;
    let kept = &cash.blacklisted[&WALLET].evidence;
    assert_eq!(kept, &genuine);
    let key = cash.wallets[&WALLET].signing_key.public_key().unwrap();
    let Ok(eiraku_cash::Evidence::DoubleSpend(evidence)) =
        <eiraku_cash::Evidence as commonware_codec::DecodeExt<()>>::decode(
            commonware_codec::Copying(&kept[..]),
        )
    else {
        panic!("kept evidence decodes");
    };
    assert_eq!(evidence.verify(&key), Ok(WalletNumber(WALLET)));
    let store = entries(&chain.state.all_entries());
    assert_eq!(rebuilt_from(&store, &chain.state).unwrap(), chain.state);
}

#[test]
fn a_lost_wallet_is_revoked_by_its_account_or_its_device_center() {
    let mut chain = cash_chain();
    for (number, key) in [(WALLET, WALLET_KEY), (WALLET + 1, WALLET_KEY + 1)] {
        let call = load(&chain, ALICE_JP, number, key, 1_000);
        chain.send_call(ALICE_JP, call).unwrap();
    }
    let revoke = |wallet: u64| Call::Cash(CashCall::RevokeWallet { wallet });
    // Not her bank, not the cash center, not another economy's customer.
    for seed in [BANK_JP, CENTER_JP, MARIA_PH] {
        assert_eq!(
            refused(&mut chain, seed, revoke(WALLET)),
            MoneyError::NotWalletHolder { wallet: WALLET }
        );
    }
    chain.send_call(ALICE_JP, revoke(WALLET)).unwrap();
    chain.send_call(DEVICE_JP, revoke(WALLET + 1)).unwrap();
    for (number, key) in [(WALLET, WALLET_KEY), (WALLET + 1, WALLET_KEY + 1)] {
        let revoked = MoneyError::WalletRevoked { wallet: number };
        let again = load(&chain, ALICE_JP, number, key, 1_000);
        assert_eq!(refused(&mut chain, ALICE_JP, again), revoked);
        let credit = deposit(number, ALICE_JP, &[(number, 100)]);
        assert_eq!(refused(&mut chain, CENTER_JP, credit), revoked);
        assert_eq!(refused(&mut chain, ALICE_JP, revoke(number)), revoked);
    }
}

/// Coins parked in a wallet are not in accounts: a redemption larger than
/// what the redeeming bank's economy has in accounts draws the rest on the
/// other economies, and never takes the economy's issued bonds below its
/// float.
#[test]
fn redemption_leaves_the_offline_float_backed() {
    let mut chain = cash_chain();
    let bank_wallet = WALLET + 5;
    let call = load(&chain, BANK_JP, bank_wallet, WALLET_KEY + 5, 350_000);
    chain.send_call(BANK_JP, call).unwrap();
    let call = load(&chain, ALICE_JP, WALLET, WALLET_KEY, 80_000);
    chain.send_call(ALICE_JP, call).unwrap();
    // JP: 500,000 issued, 430,000 offline: 70,000 in accounts (the bank's
    // 50,000, Alice's 20,000). PH issues 100,000; its bank pays JP's 40,000.
    let php = MoneyCall::Contribute {
        instrument: "PH-BOND".into(),
        currency: currency("PHP"),
        face: Amount(10_000_000),
        yield_bps: 100,
        maturity_ms: START_MS + 10 * YEAR_MS as u64,
    };
    chain.send(CB_PH, php).unwrap();
    chain
        .send(ISSUER, MoneyCall::AcceptContribution { id: 1 })
        .unwrap();
    let issue = MoneyCall::IssueCoins {
        bank: id(BANK_PH),
        amount: Amount(100_000),
    };
    chain.send(CB_PH, issue).unwrap();
    chain.send(BANK_PH, pay(BANK_JP, 40_000)).unwrap();
    // JP's bank redeems its 90,000: 70,000 are JP's coins in accounts, the
    // other 20,000 a claim on PH (counting the float as JP's would have
    // taken JP's issued bonds to 410,000, below its float).
    chain
        .send(
            BANK_JP,
            MoneyCall::Redeem {
                amount: Amount(90_000),
            },
        )
        .unwrap();
    let jp = &chain.state.money().unwrap().economies[&economy("JP")];
    assert!(jp.issued_bonds >= jp.offline_float, "{jp:?}");
    assert_eq!(jp.issued_bonds, Amount(430_000));
    assert_eq!(chain.claim("JP", "PH"), Amount(20_000));
}

/// A software secure element signs the binding the ledger checks: a wallet
/// made by the wallet library loads from its owner's account.
#[test]
fn a_wallet_element_consents_to_its_binding_as_the_ledger_checks_it() {
    use eiraku_cash::{SecureElement, UncertifiedElement};
    let mut chain = cash_chain();
    let keys = UncertifiedElement::from_seed(WALLET_KEY);
    let request = keys.certificate_request(WalletNumber(WALLET), 0, u64::MAX);
    let certified = DeviceCenter::new(Keypair::from_seed(DEVICE_KEY)).certify(request);
    let element = keys.install(certified.clone()).unwrap();
    let possession = element.sign_binding(chain.state.chain_id(), &id(ALICE_JP));
    let call = Call::Cash(CashCall::Load {
        certificate: certified.encode().to_vec(),
        amount: Amount(5_000),
        possession: possession.clone(),
    });
    chain.send_call(ALICE_JP, call).unwrap();
    assert_eq!(float(&chain), Amount(5_000));
    // The same consent does not bind the wallet to another account.
    let stolen = Call::Cash(CashCall::Load {
        certificate: certified.encode().to_vec(),
        amount: Amount(5_000),
        possession,
    });
    assert_eq!(
        refused(&mut chain, BANK_JP, stolen),
        MoneyError::BadWalletPossession { wallet: WALLET }
    );
}

/// An entry wallet `number` (key `key_seed`) signed for `hop` of note
/// `serial`, received as its statement says (`stated` by wallet
/// `payer`, key `payer_seed`), or with no statement.
fn entry_by(
    number: u64,
    key_seed: u64,
    serial: u64,
    hop: u16,
    stated: Option<(u64, u64)>,
) -> eiraku_cash::SignedEntry {
    use eiraku_cash::{history::HISTORY_NAMESPACE, statement::STATEMENT_NAMESPACE};
    use eiraku_cash::{HistoryEntry, SignedStatement, TransferStatement};
    let previous = hash(&[b"sealed hop before"]);
    let received = stated.map(|(payer, payer_seed)| {
        let statement = TransferStatement {
            serial,
            hop: hop - 1,
            from: WalletNumber(payer),
            to: WalletNumber(number),
            previous: hash(&[b"two hops before"]),
            sealed: previous,
        };
        let signature =
            Keypair::from_seed(payer_seed).sign(STATEMENT_NAMESPACE, &statement.encode());
        SignedStatement {
            statement,
            signature,
        }
    });
    let entry = HistoryEntry {
        serial,
        hop,
        from: WalletNumber(number),
        to: WalletNumber(number + 100),
        counter: 1,
        previous,
        received,
    };
    let signature = Keypair::from_seed(key_seed).sign(HISTORY_NAMESPACE, &entry.encode());
    eiraku_cash::SignedEntry { entry, signature }
}

fn unfounded(entry: eiraku_cash::SignedEntry) -> Vec<u8> {
    eiraku_cash::Evidence::Unfounded(eiraku_cash::UnfoundedEntry { entry })
        .encode()
        .to_vec()
}

/// A made-up history is blacklisted on the ledger on its evidence, checked
/// against the note's recorded issuance and the stated payer's bound key;
/// and nobody is framed with it: not a wallet that received the hop it
/// built on, nor one whose payer the ledger cannot check.
#[test]
fn a_made_up_history_is_blacklisted_on_evidence_the_ledger_checks() {
    let mut chain = cash_chain();
    // Notes 1–10 were issued to Alice's wallet; Bank's wallet is bound too.
    load_issued(&mut chain, ALICE_JP, WALLET, WALLET_KEY, 30_000, 1, 10);
    let bank_wallet = WALLET + 1;
    let call = load(&chain, BANK_JP, bank_wallet, WALLET_KEY + 1, 0);
    chain.send_call(BANK_JP, call).unwrap();
    let blacklist =
        |wallet: u64, evidence: Vec<u8>| Call::Cash(CashCall::Blacklist { wallet, evidence });
    let framing = [
        // Bank's wallet received hop 1 from Alice's, as she stated.
        entry_by(
            bank_wallet,
            WALLET_KEY + 1,
            3,
            2,
            Some((WALLET, WALLET_KEY)),
        ),
        // A stated payer the ledger does not know.
        entry_by(bank_wallet, WALLET_KEY + 1, 3, 2, Some((WALLET + 9, 5))),
        // A note never recorded as issued.
        entry_by(bank_wallet, WALLET_KEY + 1, 50, 1, None),
        // Signed by another key.
        entry_by(bank_wallet, WALLET_KEY + 7, 3, 1, None),
    ];
    for entry in framing {
        assert!(matches!(
            refused(
                &mut chain,
                MARIA_PH,
                blacklist(bank_wallet, unfounded(entry))
            ),
            MoneyError::BadEvidence { .. }
        ));
    }
    // The first hop of a note issued to Alice's wallet is Alice's to sign:
    // the ledger cannot tell a made-up one without the note's digest.
    let own = entry_by(WALLET, WALLET_KEY, 3, 1, None);
    assert!(matches!(
        refused(&mut chain, MARIA_PH, blacklist(WALLET, unfounded(own))),
        MoneyError::BadEvidence { .. }
    ));
    // Bank's wallet signs hop 1 of a note issued to Alice's: made up.
    let made_up = unfounded(entry_by(bank_wallet, WALLET_KEY + 1, 3, 1, None));
    chain
        .send_call(MARIA_PH, blacklist(bank_wallet, made_up))
        .unwrap();
    let cash = &chain.state.money().unwrap().cash;
    assert!(cash.blacklisted.contains_key(&bank_wallet));
}

/// A retail account's tier caps what it holds online and offline: coins
/// it loaded into wallets count against its cap until they are credited
/// back (to anyone), so loading a wallet does not make room for more.
#[test]
fn the_tier_cap_counts_coins_loaded_offline_until_they_come_back() {
    let mut chain = cash_chain();
    // Alice (tier 1: 200,000 held) has 100,000; she loads 30,000.
    load_issued(&mut chain, ALICE_JP, WALLET, WALLET_KEY, 30_000, 1, 10);
    let held = |chain: &Chain| {
        let cash = &chain.state.money().unwrap().cash;
        cash.offline_held.get(&id(ALICE_JP)).copied()
    };
    assert_eq!(held(&chain), Some(Amount(30_000)));
    // 70,000 online + 30,000 offline + 100,001 would pass 200,000.
    let over = Call::Money(pay(ALICE_JP, 100_001));
    assert!(matches!(
        refused(&mut chain, BANK_JP, over),
        MoneyError::BalanceCapExceeded { .. }
    ));
    // Her notes come back (here through the bank's till): the room too.
    let till = WALLET + 1;
    let call = load(&chain, BANK_JP, till, WALLET_KEY + 1, 0);
    chain.send_call(BANK_JP, call).unwrap();
    chain
        .send_call(CENTER_JP, deposit(till, BANK_JP, &[(1, 10_000)]))
        .unwrap();
    assert_eq!(held(&chain), Some(Amount(20_000)));
    chain.send(BANK_JP, pay(ALICE_JP, 100_001)).unwrap();
    // A write-off of what never came back frees the rest.
    chain.now_ms += eiraku_core::cash::WRITE_OFF_AFTER_MS;
    let write_off = Call::Cash(CashCall::WriteOff { first_serial: 1 });
    chain.send_call(CENTER_JP, write_off).unwrap();
    assert_eq!(held(&chain), None);
}
