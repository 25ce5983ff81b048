//! Re-weighing the ACU (class A): enacted with fresh rates, the new
//! composition keeps its proportions and the ACU its value; stale rates or
//! a coin that is no basket make the passed proposal fail on the record.

use super::*;
use eiraku_core::{governance::ProposalClass, BasketPart, CoinUnit, Rate};
use eiraku_state::governance::AmendmentError;

fn propose_a(amendment: Amendment) -> GovernanceCall {
    GovernanceCall::Propose {
        amendment,
        text: text_digest("re-weigh"),
    }
}

fn part(currency: &str, quantity: &str) -> BasketPart {
    BasketPart {
        currency: CurrencyCode::new(currency).unwrap(),
        quantity: quantity.parse::<Rate>().unwrap(),
    }
}

/// The five economies' currencies at different rates, the coin a basket.
fn basket_chain() -> Chain {
    let mut genesis = genesis(Some(windows()));
    let money = genesis.money.as_mut().unwrap();
    let rates = ["0.0067", "0.00072", "0.0175", "0.028", "0.74"];
    for (economy, rate) in money.economies.iter_mut().zip(rates) {
        economy.rate = rate.parse().unwrap();
    }
    money.unit = CoinUnit::Basket {
        basket: vec![
            part("JPD", "50"),
            part("KRD", "400"),
            part("PHD", "10"),
            part("SGD", "0.2"),
            part("THD", "5"),
        ],
    };
    Chain {
        state: State::from_genesis(&genesis),
        now_ms: START_MS,
    }
}

fn new_weights() -> Vec<BasketPart> {
    vec![
        part("JPD", "60"),
        part("KRD", "300"),
        part("PHD", "12"),
        part("SGD", "0.1"),
        part("THD", "6"),
    ]
}

/// Proposes `basket`, passes it (4 of 5) and returns its enactment time.
fn pass(chain: &mut Chain, basket: Vec<BasketPart>) -> u64 {
    chain
        .send(CB, propose_a(Amendment::SetBasket { basket }))
        .unwrap();
    let proposal = chain.proposal(0);
    assert_eq!(proposal.class, ProposalClass::A);
    chain.at_ms(proposal.voting_opens_ms());
    for seat in CB..CB + 4 {
        chain.send(seat, vote(Choice::Yes)).unwrap();
    }
    chain.at_ms(proposal.voting_closes_ms());
    proposal.enact_ms()
}

fn basket(chain: &Chain) -> Vec<BasketPart> {
    match &chain.state.money().unwrap().unit {
        CoinUnit::Basket { basket } => basket.clone(),
        CoinUnit::Single { .. } => panic!("not a basket"),
    }
}

fn failed_with(chain: &Chain) -> AmendmentError {
    match chain.proposal(0).outcome {
        ProposalOutcome::Failed { reason, .. } => reason,
        other => panic!("not failed: {other:?}"),
    }
}

#[test]
fn a_re_weighed_basket_keeps_its_proportions_and_the_acu_its_value() {
    let mut chain = basket_chain();
    let enact_ms = pass(&mut chain, new_weights());
    let jpd = CurrencyCode::new("JPD").unwrap();
    let face = Amount(1_000_000_000_000);
    let money = chain.state.money().unwrap().clone();
    let before = money.coin_value(&jpd, face, enact_ms).unwrap();
    chain.at_ms(enact_ms);
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    let after = chain
        .state
        .money()
        .unwrap()
        .coin_value(&jpd, face, enact_ms)
        .unwrap();
    // A trillion yen buys the same coins to within one minor unit.
    assert!(before.0.abs_diff(after.0) <= 1, "{before:?} → {after:?}");
    let switched = basket(&chain);
    assert_ne!(switched, new_weights(), "scaled, not copied");
    for (new, weight) in switched.iter().zip(new_weights()) {
        assert_eq!(new.currency, weight.currency);
        let ratio = new.quantity.value() / weight.quantity.value();
        let first = switched[0].quantity.value() / new_weights()[0].quantity.value();
        assert!(
            (ratio - first).abs() < "0.000000001".parse().unwrap(),
            "proportions kept"
        );
    }
}

#[test]
fn a_basket_changes_only_with_fresh_rates_and_only_a_basket() {
    // Rates posted at genesis are a minute old by then: the switch fails on
    // the record and the basket stays.
    let mut stale = basket_chain();
    let enact_ms = pass(&mut stale, new_weights());
    let kept = basket(&stale);
    stale.at_ms(enact_ms + 60 * SECOND);
    assert_eq!(failed_with(&stale), AmendmentError::StaleRates);
    assert_eq!(basket(&stale), kept);

    // A single-currency coin has no basket to re-weigh.
    let mut single = Chain::new();
    let enact_ms = pass(&mut single, new_weights());
    single.at_ms(enact_ms);
    assert_eq!(failed_with(&single), AmendmentError::NotABasket);

    // A basket out of order is refused when proposed.
    let mut unordered = new_weights();
    unordered.swap(0, 1);
    assert_eq!(
        basket_chain().send(CB, propose_a(Amendment::SetBasket { basket: unordered })),
        Err(GovernanceError::InvalidAmendment {
            reason: AmendmentError::BadBasket
        })
    );
}
