//! Purpose-bound purses: Japan's benefits agency pushes a food purse to
//! Alice; she spends it at a grocer; what is left returns to the agency
//! at expiry with no transaction, and the invariants hold after every
//! block. The attacks: a push by a non-agency, to an account of another
//! economy or to a bank, with a bad expiry or beyond the agency's funds; a
//! spend by someone else, at a merchant of another category, at a
//! merchant of another economy or at a person, beyond the purse, or after
//! expiry.

use super::*;
use eiraku_core::{Digest, TxHash};

const AGENCY_JP: u64 = 65;
const GROCER_JP: u64 = 66;
const PHARMACY_JP: u64 = 67;
const GROCERY: u16 = 5411;
const PHARMACY: u16 = 5912;

/// Funded, with Japan's agency (opened by its central bank, paid 100,000
/// by its bank), a grocer and a pharmacy.
fn purse_chain() -> Chain {
    let mut chain = funded();
    let open = |account: u64, role: Role| MoneyCall::OpenAccount {
        account: id(account),
        role,
    };
    let agency = Role::Agency {
        economy: economy("JP"),
    };
    chain.send(CB_JP, open(AGENCY_JP, agency)).unwrap();
    for (shop, category) in [(GROCER_JP, GROCERY), (PHARMACY_JP, PHARMACY)] {
        let kind = RetailKind::Merchant { category };
        let role = Role::Retail {
            economy: economy("JP"),
            kind,
            tier: 1,
        };
        chain.send(BANK_JP, open(shop, role)).unwrap();
    }
    chain.send(BANK_JP, pay(AGENCY_JP, 100_000)).unwrap();
    chain
}

fn push(beneficiary: u64, amount: u128, expiry_ms: u64) -> MoneyCall {
    MoneyCall::PushPurse {
        beneficiary: id(beneficiary),
        amount: Amount(amount),
        categories: vec![GROCERY],
        expiry_ms,
    }
}

fn spend(purse: Digest, to: u64, amount: u128) -> MoneyCall {
    MoneyCall::SpendPurse {
        purse,
        to: id(to),
        amount: Amount(amount),
    }
}

/// Pushes a purse as `agency`; its name.
fn pushed(chain: &mut Chain, agency: u64, call: MoneyCall) -> TxHash {
    let name = chain.tx(agency, Call::Money(call.clone())).hash();
    chain.send(agency, call).unwrap();
    name
}

/// A block with no transaction, at `now_ms`, and the invariants after it.
fn empty_block(chain: &mut Chain, now_ms: u64) {
    chain.now_ms = now_ms;
    let env = BlockEnv {
        height: chain.state.height() + 1,
        timestamp_ms: now_ms,
    };
    chain.state.execute_block(&env, &[]).unwrap();
    let state = &chain.state;
    let money = state.money().unwrap();
    money
        .check_invariants(state.accounts(), state.authority())
        .expect("invariants hold after every block");
}

#[test]
fn a_purse_is_pushed_spent_at_allowed_merchants_and_its_remainder_returns_at_expiry() {
    let mut chain = purse_chain();
    let expiry = chain.now_ms + 30 * DAY_MS;
    assert_eq!(
        chain.send(BANK_JP, push(ALICE_JP, 10, expiry)),
        Err(MoneyError::NotAgency)
    );
    for beneficiary in [MARIA_PH, BANK_JP] {
        assert_eq!(
            chain.send(AGENCY_JP, push(beneficiary, 10, expiry)),
            Err(MoneyError::NotRetailOf {
                account: id(beneficiary),
                economy: economy("JP")
            })
        );
    }
    let now = chain.now_ms;
    for bad in [now, now + 3 * YEAR_MS as u64] {
        assert_eq!(
            chain.send(AGENCY_JP, push(ALICE_JP, 10, bad)),
            Err(MoneyError::BadPurseExpiry)
        );
    }
    assert_eq!(
        chain.send(AGENCY_JP, push(ALICE_JP, 100_001, expiry)),
        Err(MoneyError::InsufficientFunds {
            balance: Amount(100_000),
            needed: Amount(100_001)
        })
    );
    let purse = pushed(&mut chain, AGENCY_JP, push(ALICE_JP, 30_000, expiry));
    assert_eq!(chain.balance(AGENCY_JP), Amount(70_000));
    assert_eq!(chain.state.money().unwrap().purses.held(), Amount(30_000));

    assert_eq!(
        chain.send(MARIA_PH, spend(purse, GROCER_JP, 5)),
        Err(MoneyError::NotPurseBeneficiary {
            purse: eiraku_core::digest::to_hex(&purse)
        })
    );
    assert_eq!(
        chain.send(ALICE_JP, spend(purse, PHARMACY_JP, 5)),
        Err(MoneyError::CategoryNotAllowed {
            category: PHARMACY,
            allowed: vec![GROCERY]
        })
    );
    for elsewhere in [SHOP_TH, MARIA_PH] {
        assert_eq!(
            chain.send(ALICE_JP, spend(purse, elsewhere, 5)),
            Err(MoneyError::NotAMerchantOf {
                account: id(elsewhere),
                economy: economy("JP")
            })
        );
    }
    assert_eq!(
        chain.send(ALICE_JP, spend(purse, GROCER_JP, 30_001)),
        Err(MoneyError::PurseTooSmall {
            balance: Amount(30_000),
            needed: Amount(30_001)
        })
    );
    chain
        .send(ALICE_JP, spend(purse, GROCER_JP, 12_000))
        .unwrap();
    assert_eq!(chain.balance(GROCER_JP), Amount(12_000));
    assert_eq!(chain.state.money().unwrap().purses.held(), Amount(18_000));

    // A node restarting reads the purse back, its index and total too.
    let whole = entries(&chain.state.all_entries());
    assert_eq!(rebuilt_from(&whole, &chain.state).unwrap(), chain.state);

    // Time alone returns the rest: a block with no transaction.
    empty_block(&mut chain, expiry - 1);
    assert_eq!(chain.balance(AGENCY_JP), Amount(70_000), "not due yet");
    empty_block(&mut chain, expiry);
    assert_eq!(chain.balance(AGENCY_JP), Amount(88_000));
    assert_eq!(chain.state.money().unwrap().purses.held(), Amount::ZERO);
    assert_eq!(
        chain.send(ALICE_JP, spend(purse, GROCER_JP, 1)),
        Err(MoneyError::UnknownPurse {
            purse: eiraku_core::digest::to_hex(&purse)
        })
    );
}

#[test]
fn a_purse_spent_out_closes_and_many_expire_in_one_block() {
    let mut chain = purse_chain();
    let expiry = chain.now_ms + DAY_MS;
    let spent_out = pushed(&mut chain, AGENCY_JP, push(ALICE_JP, 1_000, expiry));
    chain
        .send(ALICE_JP, spend(spent_out, GROCER_JP, 1_000))
        .unwrap();
    assert!(!chain
        .state
        .money()
        .unwrap()
        .purses
        .open
        .contains_key(&spent_out));
    for n in 0..5 {
        pushed(&mut chain, AGENCY_JP, push(ALICE_JP, 100, expiry + n));
    }
    assert_eq!(chain.balance(AGENCY_JP), Amount(98_500));
    empty_block(&mut chain, expiry + 10);
    assert_eq!(chain.balance(AGENCY_JP), Amount(99_000));
    assert!(chain.state.money().unwrap().purses.open.is_empty());
}

#[test]
fn a_merchant_beneficiary_cannot_pay_itself_and_a_purse_names_real_categories() {
    let mut chain = purse_chain();
    let expiry = chain.now_ms + DAY_MS;
    let mut no_category = push(ALICE_JP, 10, expiry);
    if let MoneyCall::PushPurse { categories, .. } = &mut no_category {
        *categories = vec![GROCERY, 0];
    }
    assert_eq!(
        chain.send(AGENCY_JP, no_category),
        Err(MoneyError::BadPurseCategories)
    );
    let to_grocer = pushed(&mut chain, AGENCY_JP, push(GROCER_JP, 1_000, expiry));
    assert_eq!(
        chain.send(GROCER_JP, spend(to_grocer, GROCER_JP, 10)),
        Err(MoneyError::SelfPayment)
    );
    // The beneficiary's tier caps what one spend moves (tier 1: 80,000).
    let big = pushed(&mut chain, AGENCY_JP, push(ALICE_JP, 90_000, expiry));
    assert_eq!(
        chain.send(ALICE_JP, spend(big, GROCER_JP, 85_000)),
        Err(MoneyError::TransferCapExceeded {
            cap: Amount(80_000),
            amount: Amount(85_000)
        })
    );
}
