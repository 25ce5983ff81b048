//! Accession (class A): a member economy admitted by governance opens its
//! books, and its central bank and regulator take their roles and seats.
//! The attacks: a proposal that reuses an economy or a currency, or names
//! officials that hold a role or a seat already (two offices in one key),
//! or the same key twice.

use super::*;
use eiraku_core::{
    governance::{NewEconomy, ProposalClass},
    MoneyCall, Role,
};
use eiraku_state::authority::GrantRule;

/// The new economy's central bank and regulator.
const NEW_CB: u64 = 40;
const NEW_REG: u64 = 41;

fn vietnam() -> NewEconomy {
    let code = EconomyCode::new("VN").unwrap();
    NewEconomy {
        code,
        currency: CurrencyCode::new("VND").unwrap(),
        central_bank: id(NEW_CB),
        regulator: id(NEW_REG),
        rate: "0.00004".parse().unwrap(),
        central_bank_consent: consent_of(NEW_CB, Role::CentralBank { economy: code }),
        regulator_consent: consent_of(NEW_REG, Role::Regulator { economy: code }),
    }
}

fn admit(economy: NewEconomy) -> GovernanceCall {
    GovernanceCall::Propose {
        amendment: Amendment::AddEconomy(economy),
        text: text_digest("a new member"),
    }
}

#[test]
fn an_admitted_economy_opens_empty_books_and_its_officials_take_roles_and_seats() {
    let mut chain = Chain::new();
    let vn = vietnam();
    chain.send(CB, admit(vn.clone())).unwrap();
    assert_eq!(chain.proposal(0).class, ProposalClass::A);
    pass_all(&mut chain, &[0], CB..CB + 4);
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    let books = &chain.state.money().unwrap().economies[&vn.code];
    assert_eq!(
        (books.currency, books.central_bank, books.regulator),
        (vn.currency, vn.central_bank, vn.regulator)
    );
    assert_eq!((books.rate, books.rate_posted_ms), (vn.rate, chain.now_ms));
    assert_eq!(books.own_bonds, Amount(0));
    assert_eq!(books.issued_bonds, Amount(0));
    let authority = chain.state.authority();
    let grant = authority.grant(&vn.central_bank).unwrap();
    assert_eq!(grant.role, Role::CentralBank { economy: vn.code });
    assert_eq!((grant.rule, grant.granted_by), (GrantRule::Accession, None));
    let regulator = Role::Regulator { economy: vn.code };
    assert_eq!(authority.role(&vn.regulator), Some(regulator));
    let rules = chain.rules();
    assert_eq!((rules.voting.len(), rules.advisory.len()), (6, 6));
    assert!(rules.voting.contains(&vn.central_bank));
    assert!(rules.advisory.contains(&vn.regulator));
    chain.state.check_invariants().unwrap();

    // Its central bank acts for its economy and votes; its regulator
    // advises.
    let caps = Call::Money(MoneyCall::SetTierCaps {
        tier: 1,
        balance_cap: Amount(1_000),
        transfer_cap: Amount(100),
    });
    assert_eq!(chain.send_any(NEW_CB, caps), Outcome::Success);
    let books = &chain.state.money().unwrap().economies[&vn.code];
    assert!(books.tiers.contains_key(&1));
    chain
        .send(NEW_CB, propose(Parameter::MaxRateAgeMs(90 * SECOND)))
        .unwrap();
    chain.send(NEW_REG, advise_on(1)).unwrap();

    let read_back = chain.read_back(chain.entries()).unwrap();
    assert_eq!(read_back, chain.state, "a restarted node reads it back");
}

fn advise_on(proposal: u64) -> GovernanceCall {
    GovernanceCall::Advise {
        proposal,
        stance: Stance::Support,
        text: text_digest("support"),
    }
}

#[test]
fn an_accession_reusing_an_economy_a_currency_or_an_office_is_refused() {
    let mut chain = Chain::new();
    let not_a_key = (0u8..=255)
        .map(|b| AccountId::from_bytes([b; 32]))
        .find(|id| id.public_key().is_err())
        .unwrap();
    let cases = [
        (
            NewEconomy {
                code: EconomyCode::new("JP").unwrap(),
                ..vietnam()
            },
            AmendmentError::EconomyExists,
        ),
        (
            NewEconomy {
                currency: CurrencyCode::new("KRD").unwrap(),
                ..vietnam()
            },
            AmendmentError::EconomyExists,
        ),
        (
            NewEconomy {
                regulator: id(NEW_CB),
                ..vietnam()
            },
            AmendmentError::NewOfficialsNotFresh,
        ),
        (
            NewEconomy {
                central_bank: id(REG + 2),
                ..vietnam()
            },
            AmendmentError::NewOfficialsNotFresh,
        ),
        (
            NewEconomy {
                regulator: id(REVIEWER),
                ..vietnam()
            },
            AmendmentError::NewOfficialsNotFresh,
        ),
        (
            NewEconomy {
                central_bank: not_a_key,
                ..vietnam()
            },
            AmendmentError::InvalidKey,
        ),
    ];
    for (economy, reason) in cases {
        assert_eq!(chain.send(CB, admit(economy)), invalid(reason));
    }
    // Keys that did not consent: the regulator's consent is the central
    // bank's, and a consent signed for another economy.
    let swapped = NewEconomy {
        regulator_consent: vietnam().central_bank_consent,
        ..vietnam()
    };
    let elsewhere = NewEconomy {
        central_bank_consent: consent_of(
            NEW_CB,
            Role::CentralBank {
                economy: EconomyCode::new("JP").unwrap(),
            },
        ),
        ..vietnam()
    };
    for economy in [swapped, elsewhere] {
        assert_eq!(
            chain.send(CB, admit(economy)),
            invalid(AmendmentError::RoleConsentInvalid)
        );
    }
    assert!(chain.state.governance().unwrap().proposals().is_empty());
}

#[test]
fn a_second_accession_of_the_same_economy_fails_on_the_record() {
    let mut chain = Chain::new();
    chain.send(CB, admit(vietnam())).unwrap();
    let vn = vietnam().code;
    let again = NewEconomy {
        central_bank: id(NEW_CB + 10),
        regulator: id(NEW_REG + 10),
        central_bank_consent: consent_of(NEW_CB + 10, Role::CentralBank { economy: vn }),
        regulator_consent: consent_of(NEW_REG + 10, Role::Regulator { economy: vn }),
        ..vietnam()
    };
    chain.send(CB + 1, admit(again)).unwrap();
    pass_all(&mut chain, &[0, 1], CB..CB + 4);
    assert_second_failed(&chain, AmendmentError::EconomyExists);
    assert_eq!(chain.state.authority().role(&id(NEW_CB + 10)), None);
    assert_eq!(chain.rules().voting.len(), 6);
}
