//! Registry roles (class B): governance grants an attester or a registry
//! authority of a member economy to a fresh account and revokes it; the
//! grant stays on record. The attacks: a class-B proposal that grants or
//! revokes an official's role (class A's), a role of an economy that is
//! not a member, a grant to a key that holds a role already.

use super::*;
use eiraku_core::{governance::ProposalClass, Role};
use eiraku_state::authority::GrantRule;

fn proposing(amendment: Amendment) -> GovernanceCall {
    GovernanceCall::Propose {
        amendment,
        text: text_digest("registry role"),
    }
}

fn attester(economy: &str) -> Role {
    Role::Attester {
        economy: EconomyCode::new(economy).unwrap(),
    }
}

/// Passes the class-B proposal `id` with three of the five voting seats.
fn pass_b(chain: &mut Chain, id: u64) {
    assert_eq!(chain.proposal(id).class, ProposalClass::B);
    pass_enacted(chain, id, CB..CB + 3);
}

#[test]
fn governance_grants_an_attester_and_revokes_it_on_the_record() {
    let mut chain = Chain::new();
    let kyc = id(NEWCOMER);
    let grant = Amendment::GrantRole {
        account: kyc,
        role: attester("JP"),
        consent: consent_of(NEWCOMER, attester("JP")),
    };
    chain.send(CB, proposing(grant)).unwrap();
    pass_b(&mut chain, 0);
    let granted = *chain.state.authority().grant(&kyc).unwrap();
    assert_eq!(granted.role, attester("JP"));
    assert_eq!(
        (granted.rule, granted.granted_by),
        (GrantRule::Governance, None)
    );
    let note = GovernanceCall::Comment {
        proposal: 1,
        text: text_digest("an attester may comment"),
    };
    assert!(chain.state.account(&kyc).is_some(), "its account is open");
    // Its lost key is governance's to replace, as an official's.
    let replace = Amendment::ReplaceKey {
        account: kyc,
        new_key: id(OUTSIDER + 100),
    };
    chain.send(CB + 1, proposing(replace)).unwrap();
    chain.send(NEWCOMER, note.clone()).unwrap();

    chain
        .send(CB, proposing(Amendment::RevokeRole { account: kyc }))
        .unwrap();
    pass_b(&mut chain, 2);
    let authority = chain.state.authority();
    assert_eq!(authority.role(&kyc), None);
    let record = authority.record(&kyc).unwrap();
    assert_eq!(record.role, attester("JP"));
    assert_eq!(record.revoked.unwrap().successor, None);
    assert_eq!(chain.send(NEWCOMER, note), Err(GovernanceError::NoRole));
    let read_back = chain.read_back(chain.entries()).unwrap();
    assert_eq!(read_back, chain.state, "a restarted node reads it back");
    // A revoked record is not granted over.
    let again = Amendment::GrantRole {
        account: kyc,
        role: attester("JP"),
        consent: consent_of(NEWCOMER, attester("JP")),
    };
    assert_eq!(
        chain.send(CB, proposing(again)),
        invalid(AmendmentError::HoldsRole)
    );
}

#[test]
fn class_b_grants_only_registry_roles_of_members_to_fresh_keys() {
    let mut chain = Chain::new();
    let fresh = id(NEWCOMER);
    let not_a_key = (0u8..=255)
        .map(|b| AccountId::from_bytes([b; 32]))
        .find(|id| id.public_key().is_err())
        .unwrap();
    let jp = EconomyCode::new("JP").unwrap();
    let grant = |seed: u64, role| Amendment::GrantRole {
        account: id(seed),
        role,
        consent: consent_of(seed, role),
    };
    let cases = [
        (
            grant(NEWCOMER, Role::CentralBank { economy: jp }),
            AmendmentError::NotARegistryRole,
        ),
        (
            grant(NEWCOMER, Role::Bank { economy: jp }),
            AmendmentError::NotARegistryRole,
        ),
        (
            grant(NEWCOMER, attester("VN")),
            AmendmentError::UnknownEconomy,
        ),
        (grant(REG, attester("JP")), AmendmentError::HoldsRole),
        (
            grant(REVIEWER, attester("JP")),
            AmendmentError::AlreadySeated,
        ),
        (
            Amendment::GrantRole {
                account: not_a_key,
                role: attester("JP"),
                consent: consent_of(1, attester("JP")),
            },
            AmendmentError::InvalidKey,
        ),
        // The key signed for another economy: it did not consent to this.
        (
            Amendment::GrantRole {
                account: id(NEWCOMER),
                role: attester("JP"),
                consent: consent_of(NEWCOMER, attester("KR")),
            },
            AmendmentError::RoleConsentInvalid,
        ),
        (
            Amendment::RevokeRole {
                account: id(CB + 1),
            },
            AmendmentError::NotARegistryRole,
        ),
        (
            Amendment::RevokeRole {
                account: id(OUTSIDER),
            },
            AmendmentError::NotARegistryRole,
        ),
    ];
    for (amendment, reason) in cases {
        assert_eq!(chain.send(CB, proposing(amendment)), invalid(reason));
    }
    assert!(chain.state.governance().unwrap().proposals().is_empty());
    let authority = Role::RegistryAuthority { economy: jp };
    chain
        .send(CB, proposing(grant(NEWCOMER, authority)))
        .unwrap();
    pass_b(&mut chain, 0);
    assert_eq!(chain.state.authority().role(&fresh), Some(authority));
}

/// The offline-cash centers are granted like registry roles: each economy's
/// cash center and device center, by class B, to a fresh key that
/// consented.
#[test]
fn class_b_grants_an_economys_cash_center_and_device_center() {
    let mut chain = Chain::new();
    let jp = EconomyCode::new("JP").unwrap();
    let centers = [
        (NEWCOMER, Role::CashCenter { economy: jp }),
        (NEWCOMER + 1, Role::DeviceCenter { economy: jp }),
    ];
    for (proposal, (seed, role)) in centers.into_iter().enumerate() {
        let grant = Amendment::GrantRole {
            account: id(seed),
            role,
            consent: consent_of(seed, role),
        };
        chain.send(CB, proposing(grant)).unwrap();
        pass_b(&mut chain, proposal as u64);
        assert_eq!(chain.state.authority().role(&id(seed)), Some(role));
    }
    // A center of an economy that is not a member is refused.
    let vn = Role::CashCenter {
        economy: EconomyCode::new("VN").unwrap(),
    };
    let grant = Amendment::GrantRole {
        account: id(NEWCOMER + 2),
        role: vn,
        consent: consent_of(NEWCOMER + 2, vn),
    };
    assert_eq!(
        chain.send(CB, proposing(grant)),
        invalid(AmendmentError::UnknownEconomy)
    );
}

/// An attester attests a claim about an account for a time and revokes
/// it; nobody else attests or revokes, a window must make sense, and the
/// attestation reads back from the stored entries. The attacks: a
/// non-attester attesting, another attester revoking, a window that ends
/// before it starts or spans over ten years, revoking twice or an
/// attestation that does not exist.
#[test]
fn an_attester_attests_and_revokes_and_nobody_else_does() {
    use eiraku_core::registry::RegistryCall;
    use eiraku_state::registry::RegistryError;
    let mut chain = Chain::new();
    for (seed, economy) in [(NEWCOMER, "JP"), (NEWCOMER + 1, "PH")] {
        let grant = Amendment::GrantRole {
            account: id(seed),
            role: attester(economy),
            consent: consent_of(seed, attester(economy)),
        };
        chain.send(CB, proposing(grant)).unwrap();
        let proposal = chain.state.governance().unwrap().proposals().len() as u64 - 1;
        pass_b(&mut chain, proposal);
    }
    let subject = id(OUTSIDER);
    let now = chain.now_ms;
    let attest = |from: u64, until: u64| {
        Call::Registry(RegistryCall::Attest {
            subject,
            schema: text_digest("kyc-v1"),
            claim: text_digest("kyc passed"),
            valid_from_ms: from,
            valid_until_ms: until,
        })
    };
    let failed = |outcome: Outcome| match outcome {
        Outcome::Failed(ExecutionError::Registry(error)) => error,
        other => panic!("expected a registry refusal, got {other:?}"),
    };
    let year = 365 * 24 * 60 * 60 * 1000;
    assert_eq!(
        failed(chain.send_any(OUTSIDER, attest(now, now + year))),
        RegistryError::NotAttester
    );
    let last = eiraku_core::attestation::MAX_TIME_MS;
    for (from, until) in [(now + 5, now + 5), (now, now + 11 * year), (last, last + 5)] {
        assert_eq!(
            failed(chain.send_any(NEWCOMER, attest(from, until))),
            RegistryError::BadValidity
        );
    }
    let (named, outcome) = chain.send_hashed(NEWCOMER, attest(now, now + year));
    assert_eq!(outcome, Outcome::Success);
    let registry = chain.state.registry();
    let attestation = *registry.attestation(&named).unwrap();
    assert_eq!(
        (attestation.attester, attestation.subject),
        (id(NEWCOMER), subject)
    );
    assert!(attestation.valid_at(chain.now_ms));
    assert!(!attestation.valid_at(now + year));
    let revoke = |id| Call::Registry(RegistryCall::RevokeAttestation { id });
    let hex = eiraku_core::digest::to_hex(&named);
    assert_eq!(
        failed(chain.send_any(NEWCOMER + 1, revoke(named))),
        RegistryError::NotItsAttester { id: hex.clone() }
    );
    let unknown = text_digest("no such attestation");
    assert_eq!(
        failed(chain.send_any(NEWCOMER, revoke(unknown))),
        RegistryError::UnknownAttestation {
            id: eiraku_core::digest::to_hex(&unknown)
        }
    );
    assert_eq!(chain.send_any(NEWCOMER, revoke(named)), Outcome::Success);
    assert_eq!(
        failed(chain.send_any(NEWCOMER, revoke(named))),
        RegistryError::AttestationRevoked { id: hex }
    );
    let revoked = chain.state.registry().attestation(&named).copied().unwrap();
    assert!(!revoked.valid_at(chain.now_ms));
    let read_back = chain.read_back(chain.entries()).unwrap();
    assert_eq!(read_back, chain.state, "a restarted node reads it back");
}
