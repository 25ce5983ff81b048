//! The CLI session of docs/governance.md, run line by line against a new
//! 4-validator network with the ASEAN+3 demo: a whole class-B cycle from
//! proposal to enactment, and a class-A cycle with a send-back and a veto,
//! each on a network of its own, with the refusals the document shows.

mod common;

use common::{session, TestNetwork};
use eiraku_api::ProposalStatus;
use eiraku_core::{
    governance::{Choice, GovernanceKey},
    proof::LightClient,
    Amount, StateKey,
};

#[test]
fn the_documented_governance_session_runs_verbatim() {
    let doc = include_str!("../../../docs/governance.md");
    let lines = session::lines(doc, "## A session of a whole class-B cycle");
    assert!(lines.len() > 10, "the session has its steps");
    let network = TestNetwork::start_with(4, true);
    session::run(&lines, &network);

    let client = network.client(1);
    let money = client.money_state().unwrap();
    assert_eq!(money.travel_rule_threshold, Amount(2_000_000));
    let key_file = network.path().join("attester-jp.key");
    let attester = eiraku::keyfile::read(&key_file).unwrap().account;
    let account = client.account(&attester).unwrap();
    assert_eq!(
        account.role,
        Some(eiraku_core::Role::Attester {
            economy: eiraku_core::EconomyCode::new("JP").unwrap()
        })
    );
    assert_eq!(account.grant_rule, Some(eiraku_api::GrantRule::Governance));
    let proposal = client.proposal(0).unwrap();
    assert!(matches!(proposal.status, ProposalStatus::Enacted { .. }));
    assert_eq!(proposal.votes_needed, 8, "more than half of 14 seats");
    let listed = client.proposals(0, 10).unwrap();
    assert_eq!((listed.len(), &listed[0]), (2, &proposal));
    assert!(
        client.proposals(2, 10).unwrap().is_empty(),
        "one page past the last"
    );
    let count = |choice| proposal.votes.iter().filter(|v| v.choice == choice).count();
    assert_eq!(
        (
            count(Choice::Yes),
            count(Choice::No),
            count(Choice::Abstain)
        ),
        (8, 1, 1)
    );
    assert_eq!(proposal.advice.len(), 2);
    assert!(
        proposal.advice[0].response.is_some(),
        "the objection was answered"
    );
    let governance = client.governance().unwrap();
    assert_eq!(
        (
            governance.voting_seats.len(),
            governance.advisory_seats.len()
        ),
        (14, 14)
    );
    assert_eq!(
        network.metric(1, "eiraku_governance_proposals{status=\"enacted\"}"),
        2.0
    );
    assert_eq!(
        network.metric(1, "eiraku_governance_seats{kind=\"voting\"}"),
        14.0
    );
}

#[test]
fn the_documented_class_a_session_runs_verbatim() {
    let doc = include_str!("../../../docs/governance.md");
    let lines = session::lines(doc, "## A session of a whole class-A cycle");
    assert!(lines.len() > 10, "the session has its steps");
    let network = TestNetwork::start_with(4, true);
    session::run(&lines, &network);

    let client = network.client(2);
    let proposal = client.proposal(0).unwrap();
    assert!(matches!(proposal.status, ProposalStatus::Enacted { .. }));
    assert_eq!(proposal.round, 1, "sent back once");
    assert_eq!(proposal.votes_needed, 10, "two thirds of 14 seats");
    let count = |choice| proposal.votes.iter().filter(|v| v.choice == choice).count();
    assert_eq!((count(Choice::Yes), count(Choice::No)), (10, 1));
    assert_eq!(
        (
            proposal.comments,
            proposal.reconsider.len(),
            proposal.vetoes.len()
        ),
        (1, 2, 1)
    );
    let comments = client.comments(0, 0, 10).unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].by, network.key("bank-th-1").account_id());
    // The record is in the state: proven by a validator, checked offline
    // with the genesis file alone; a flipped byte fails.
    let keys = [
        StateKey::Governance(GovernanceKey::Proposal(0)),
        StateKey::Governance(GovernanceKey::Comment {
            proposal: 0,
            number: 0,
        }),
        StateKey::Governance(GovernanceKey::Comment {
            proposal: 0,
            number: 1,
        }),
    ];
    let proofs: Vec<_> = keys
        .iter()
        .map(|key| client.state_proof(key).expect("state proof"))
        .collect();
    let light = LightClient::from_genesis(network.net.genesis()).unwrap();
    let values: Vec<bool> = proofs
        .iter()
        .map(|proof| light.verify_state(proof).expect("verifies").value.is_some())
        .collect();
    assert_eq!(
        values,
        [true, true, false],
        "the proposal, its one comment, no second"
    );
    let mut tampered = proofs[0].clone();
    let mut bytes = hex::decode(&tampered.proof).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    tampered.proof = hex::encode(bytes);
    assert!(light.verify_state(&tampered).is_err());
    let representative = network.key("person-vn").account_id();
    let governance = client.governance().unwrap();
    assert_eq!(governance.advisory_seats.len(), 15);
    assert!(governance.advisory_seats.contains(&representative));

    // The succession run alongside: role, books and seat moved.
    let exposed = network.key("reg-sg").account_id();
    let key_file = network.path().join("reg-sg-new.key");
    let successor = eiraku::keyfile::read(&key_file).unwrap().account;
    assert!(governance.advisory_seats.contains(&successor));
    assert!(!governance.advisory_seats.contains(&exposed));
    let singapore = eiraku_core::EconomyCode::new("SG").unwrap();
    let books = &client.money_state().unwrap().economies[&singapore];
    assert_eq!(books.regulator, successor);
    let old = client.account(&exposed).unwrap();
    assert_eq!(old.role, None);
    assert_eq!(old.revoked.unwrap().successor, Some(successor));
    let new = client.account(&successor).unwrap();
    assert_eq!(
        new.role,
        Some(eiraku_core::Role::Regulator { economy: singapore })
    );
    assert_eq!(new.grant_rule, Some(eiraku_api::GrantRule::Succession));
}
