use super::*;
use crate::test_support::{account, round_trip};

fn jp() -> EconomyCode {
    EconomyCode::new("JP").unwrap()
}

fn period() -> SeigniorPeriodView {
    SeigniorPeriodView {
        from_ms: 1,
        to_ms: 2,
        income: Amount(300),
        operating_cost: Amount(10),
        reserve: Amount(0),
        shares: BTreeMap::from([(jp(), Amount(290))]),
    }
}

fn claim() -> ClaimView {
    ClaimView {
        creditor: EconomyCode::new("TH").unwrap(),
        debtor: jp(),
        amount: Amount(196_500_000),
    }
}

fn caps() -> TierCaps {
    TierCaps {
        tier: 1,
        balance_cap: Amount(1_000_000),
        transfer_cap: Amount(200_000),
    }
}

#[test]
fn the_supply_summary_survives_a_round_trip() {
    round_trip(&SupplyView {
        height: 3,
        circulation: Amount(5),
        offline_float: Amount(1),
        own_bonds: Amount(6),
        contributed: Amount(11),
        pending_contributions: 1,
        economies: vec![EconomySupply {
            code: jp(),
            currency: CurrencyCode::new("JPY").unwrap(),
            rate: "0.0065".parse().unwrap(),
            rate_posted_ms: 9,
            own_bonds: Amount(6),
            issued_bonds: Amount(5),
            contributed: Amount(11),
            seigniorage: Amount(0),
            tiers: vec![caps()],
            offline_float: Amount(1),
        }],
        claims: vec![claim()],
        seigniorage_periods: vec![period()],
    });
}

#[test]
fn the_whole_money_state_survives_a_round_trip() {
    let books = EconomyBooks {
        currency: CurrencyCode::new("JPY").unwrap(),
        central_bank: account(1),
        regulator: account(2),
        rate: "0.0065".parse().unwrap(),
        rate_posted_ms: 9,
        own_bonds: Amount(6),
        issued_bonds: Amount(5),
        contributed: Amount(11),
        tiers: BTreeMap::from([(1, caps())]),
        seigniorage: Amount(0),
        offline_float: Amount(1),
    };
    round_trip(&MoneyStateView {
        unit: CoinUnit::Single {
            currency: CurrencyCode::new("USD").unwrap(),
        },
        numeraire: CurrencyCode::new("USD").unwrap(),
        max_rate_age_ms: 86_400_000,
        travel_rule_threshold: Amount(100_000),
        issuer: account(3),
        economies: BTreeMap::from([(jp(), books)]),
        travel_keys: BTreeMap::from([(account(4), TravelKey([7; 32]))]),
        frozen: BTreeMap::from([(
            account(5),
            FreezeView {
                reason: "court order".into(),
                since_ms: 4,
            },
        )]),
        contributions: vec![ContributionView {
            id: 0,
            economy: jp(),
            instrument: "JP-1".into(),
            currency: CurrencyCode::new("JPY").unwrap(),
            face: Amount(1_000),
            yield_bps: 300,
            maturity_ms: 99,
            offered_ms: 1,
            accepted: Some(Acceptance {
                acu_value: Amount(11),
                accepted_ms: 2,
            }),
            withdrawn_ms: None,
        }],
        claims: vec![claim()],
        settlements: vec![SettlementView {
            id: 0,
            creditor: EconomyCode::new("TH").unwrap(),
            debtor: jp(),
            amount: Amount(1),
            proposed_ms: 5,
            confirmed_ms: None,
        }],
        seigniorage_closed_ms: 2,
        seigniorage_periods: vec![period()],
        height: 12,
    });
}

#[test]
fn claims_periods_and_recipients_keep_their_wire_form() {
    assert_eq!(
        round_trip(&claim()),
        r#"{"creditor":"TH","debtor":"JP","amount":"196500000"}"#
    );
    assert_eq!(
        round_trip(&period()),
        r#"{"from_ms":1,"to_ms":2,"income":"300","operating_cost":"10","reserve":"0","shares":{"JP":"290"}}"#
    );
    let recipient = TravelRecipient {
        account: account(1),
        key: TravelKey([0xab; 32]),
    };
    assert_eq!(
        round_trip(&recipient),
        format!(
            r#"{{"account":"{}","key":"{}"}}"#,
            account(1).to_hex(),
            "ab".repeat(32)
        )
    );
    round_trip(&DepositView {
        digest: "cd".repeat(32),
    });
}
