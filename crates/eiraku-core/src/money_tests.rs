//! Tests of `money`.

use super::*;
use crate::Keypair;
use commonware_codec::{Copying, DecodeExt, Encode};

fn round_trip<T: Write + EncodeSize + Read<Cfg = ()> + PartialEq + std::fmt::Debug>(value: T) {
    let bytes = value.encode();
    assert_eq!(bytes.len(), value.encode_size());
    assert_eq!(T::decode(Copying(bytes.as_ref())).unwrap(), value);
}

#[test]
fn codes_accept_only_upper_case_letters_of_their_length() {
    assert_eq!(EconomyCode::new("JP").unwrap().as_str(), "JP");
    assert!(EconomyCode::new("jp").is_err());
    assert!(EconomyCode::new("JPN").is_err());
    assert!(CurrencyCode::new("JP1").is_err());
    assert!(CurrencyCode::decode(Copying(&b"jpy"[..])).is_err());
    round_trip(CurrencyCode::new("KRW").unwrap());
}

#[test]
fn rates_have_one_encoding() {
    let rate: Rate = "0.006700".parse().unwrap();
    assert_eq!(rate.to_string(), "0.0067");
    round_trip(rate);
    assert!("0".parse::<Rate>().is_err());
    assert!("-1".parse::<Rate>().is_err());
    // 67 with scale 4 is 0.0067; 670 with scale 5 is the same value and
    // must not decode.
    let mut bytes = Vec::new();
    670u128.write(&mut bytes);
    5u8.write(&mut bytes);
    assert!(Rate::decode(Copying(bytes.as_slice())).is_err());
}

#[test]
fn every_call_round_trips() {
    let account = Keypair::from_seed(1).account_id();
    let jp = EconomyCode::new("JP").unwrap();
    let calls = vec![
        MoneyCall::PostRate {
            rate: "0.0067".parse().unwrap(),
        },
        MoneyCall::SetTierCaps {
            tier: 1,
            balance_cap: Amount(5),
            transfer_cap: Amount(2),
        },
        MoneyCall::OpenAccount {
            account,
            role: Role::Retail {
                economy: jp,
                kind: RetailKind::Person,
                tier: 2,
            },
        },
        MoneyCall::OpenAccount {
            account,
            role: Role::Bank { economy: jp },
        },
        MoneyCall::Contribute {
            instrument: "JP1234567890".into(),
            currency: CurrencyCode::new("JPY").unwrap(),
            face: Amount(1_000_000),
            yield_bps: 90,
            maturity_ms: 2_000_000_000_000,
        },
        MoneyCall::AcceptContribution { id: 3 },
        MoneyCall::WithdrawContribution { id: 4 },
        MoneyCall::IssueCoins {
            bank: account,
            amount: Amount(7),
        },
        MoneyCall::Pay {
            to: account,
            amount: Amount(7),
            travel_rule: Some(crate::hash(&[b"data"])),
        },
        MoneyCall::Pay {
            to: account,
            amount: Amount(7),
            travel_rule: None,
        },
        MoneyCall::Redeem { amount: Amount(1) },
        MoneyCall::Freeze {
            account,
            reason: "court order 12".into(),
        },
        MoneyCall::Unfreeze {
            account,
            reason: "lifted".into(),
        },
        MoneyCall::SuspendBank {
            bank: account,
            reason: "capital below the minimum".into(),
        },
        MoneyCall::ProposeSettlement {
            creditor: jp,
            amount: Amount(4),
        },
        MoneyCall::ConfirmSettlement { id: 0 },
        MoneyCall::CloseSeigniorage {
            operating_cost: Amount(1),
            reserve: Amount(2),
        },
        MoneyCall::RegisterTravelKey {
            key: TravelKey([7; 32]),
        },
        MoneyCall::ChangeTier {
            account: Keypair::from_seed(3).account_id(),
            tier: 2,
            attestation: Some(crate::hash(&[b"kyc"])),
        },
        MoneyCall::ChangeTier {
            account: Keypair::from_seed(3).account_id(),
            tier: 0,
            attestation: None,
        },
        MoneyCall::PushPurse {
            beneficiary: Keypair::from_seed(3).account_id(),
            amount: Amount(50),
            categories: vec![5411, 5912],
            expiry_ms: 9,
        },
        MoneyCall::SpendPurse {
            purse: crate::hash(&[b"purse"]),
            to: Keypair::from_seed(4).account_id(),
            amount: Amount(5),
        },
    ];
    for call in calls {
        round_trip(call);
    }
}

#[test]
fn a_purse_names_one_to_sixteen_categories() {
    let push = |n: usize| MoneyCall::PushPurse {
        beneficiary: Keypair::from_seed(3).account_id(),
        amount: Amount(50),
        categories: vec![5411; n],
        expiry_ms: 9,
    };
    for (n, holds) in [(0, false), (1, true), (16, true), (17, false)] {
        let bytes = push(n).encode();
        assert_eq!(MoneyCall::decode(Copying(bytes.as_ref())).is_ok(), holds);
    }
}

#[test]
fn oversized_text_is_refused() {
    let call = MoneyCall::Freeze {
        account: Keypair::from_seed(1).account_id(),
        reason: "x".repeat(MAX_TEXT_BYTES + 1),
    };
    assert!(MoneyCall::decode(Copying(call.encode().as_ref())).is_err());
}
