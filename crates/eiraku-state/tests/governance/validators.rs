//! Changing the validator set (class A): a change enacted during an epoch
//! becomes the active set only after the epoch's last block; each rule
//! refuses its attack when proposed, and a change the set outgrew while it
//! waited fails on the record.

use super::*;
use eiraku_core::{
    validators::Joiner, GenesisValidator, ValidatorChange, ValidatorSet, ValidatorsKey,
};

const EPOCH: u64 = 10;
/// Validators are seeds 40..46.
const VALIDATOR: u64 = 40;
const JOINER: u64 = 50;

fn validator_chain(epoch_length: Option<u64>) -> Chain {
    let mut genesis = genesis(Some(windows()));
    genesis.validators = (VALIDATOR..VALIDATOR + 6)
        .map(|seed| GenesisValidator {
            name: format!("v{seed}"),
            public_key: id(seed),
            p2p_address: address(seed),
            api_address: address(seed + 1000),
        })
        .collect();
    genesis.epoch_length = epoch_length;
    Chain {
        state: State::from_genesis(&genesis),
        now_ms: START_MS,
    }
}

fn address(seed: u64) -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 7000 + seed as u16))
}

fn joiner(chain: &Chain, seed: u64) -> Joiner {
    Joiner::sign(
        chain.state.chain_id(),
        &Keypair::from_seed(seed),
        address(seed),
    )
}

fn propose_change(add: Vec<Joiner>, remove: Vec<u64>) -> GovernanceCall {
    let mut remove: Vec<AccountId> = remove.into_iter().map(id).collect();
    remove.sort();
    GovernanceCall::Propose {
        amendment: Amendment::ChangeValidators(ValidatorChange { add, remove }),
        text: text_digest("validators"),
    }
}

fn active(chain: &Chain) -> ValidatorSet {
    chain.state.validators().active().clone()
}

fn refused(chain: &mut Chain, call: GovernanceCall) -> AmendmentError {
    match chain.send(CB, call) {
        Err(GovernanceError::InvalidAmendment { reason }) => reason,
        other => panic!("expected an invalid amendment, got {other:?}"),
    }
}

/// Passes proposals `ids` (4 of 5 voting seats each, proposed in the same
/// second) and runs the chain past their enactment.
fn pass_and_enact(chain: &mut Chain, ids: &[u64]) {
    let proposal = chain.proposal(ids[0]);
    chain.at_ms(proposal.voting_opens_ms() + SECOND);
    for &id in ids {
        for seat in CB..CB + 4 {
            let call = GovernanceCall::Vote {
                proposal: id,
                choice: Choice::Yes,
                reason: text_digest("yes"),
            };
            chain.send(seat, call).unwrap();
        }
    }
    let last = chain.proposal(*ids.last().unwrap());
    chain.at_ms(last.voting_closes_ms() + SECOND);
    chain.at_ms(chain.proposal(last.id).enact_ms() + SECOND);
}

#[test]
fn an_enacted_change_takes_effect_after_the_epochs_last_block() {
    let mut chain = validator_chain(Some(EPOCH));
    let genesis_set = active(&chain);
    let change = propose_change(vec![joiner(&chain, JOINER)], vec![VALIDATOR + 1]);
    chain.send(CB, change).unwrap();
    pass_and_enact(&mut chain, &[0]);
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    let next = chain.state.validators().set().clone();
    assert!(next.contains(&id(JOINER)) && !next.contains(&id(VALIDATOR + 1)));
    // Until the epoch's last block, the genesis set signs.
    while !(chain.state.height() + 1).is_multiple_of(EPOCH) {
        assert_eq!(active(&chain), genesis_set);
        chain.at_ms(chain.now_ms + 1);
    }
    assert_eq!(
        active(&chain),
        next,
        "the last block of the epoch hands over"
    );
    // The handover is an entry of the state root, read back on restart.
    let back = chain.read_back(chain.entries()).unwrap();
    assert_eq!(back.validators().active(), &next);
    let active_entry = chain
        .entries()
        .into_iter()
        .find(|(key, _)| *key == StateKey::Validators(ValidatorsKey::Active))
        .unwrap();
    assert_eq!(ValidatorSet::from_bytes(&active_entry.1), Some(next));
}

#[test]
fn each_validator_rule_refuses_the_proposal_with_its_typed_error() {
    let mut chain = validator_chain(Some(EPOCH));
    // Someone's key added without its consent (signed for another chain).
    let mut forged = joiner(&chain, JOINER);
    forged.consent = Joiner::sign(
        &ChainId::new("elsewhere").unwrap(),
        &Keypair::from_seed(JOINER),
        address(JOINER),
    )
    .consent;
    let bad_consent = propose_change(vec![forged], vec![]);
    assert_eq!(refused(&mut chain, bad_consent), AmendmentError::BadConsent);
    // Consent for one address, proposed with another.
    let mut moved = joiner(&chain, JOINER);
    moved.validator.p2p_address = address(1);
    let moved = propose_change(vec![moved], vec![]);
    assert_eq!(refused(&mut chain, moved), AmendmentError::BadConsent);
    // A third of six is two: removing three at once is refused.
    let purge = propose_change(vec![], vec![VALIDATOR, VALIDATOR + 1, VALIDATOR + 2]);
    assert_eq!(
        refused(&mut chain, purge),
        AmendmentError::RemovesTooManyValidators
    );
    let stranger = propose_change(vec![], vec![OUTSIDER]);
    assert_eq!(refused(&mut chain, stranger), AmendmentError::NotValidator);
    let twice = propose_change(vec![joiner(&chain, VALIDATOR)], vec![]);
    assert_eq!(refused(&mut chain, twice), AmendmentError::AlreadyValidator);
    let nothing = propose_change(vec![], vec![]);
    assert_eq!(
        refused(&mut chain, nothing),
        AmendmentError::EmptyValidatorChange
    );
    // Three offline joiners and six validators: the six would no longer
    // be a quorum of nine by themselves.
    let (a, b, c) = (
        joiner(&chain, JOINER),
        joiner(&chain, JOINER + 1),
        joiner(&chain, JOINER + 2),
    );
    let mut flood = vec![a, b, c];
    flood.sort_by_key(|j| j.validator.key);
    let flood = propose_change(flood, vec![]);
    assert_eq!(refused(&mut chain, flood), AmendmentError::BreaksContinuity);
    assert!(chain.state.governance().unwrap().proposals().is_empty());
    // A chain of one epoch never hands over, so it refuses any change.
    let mut single = validator_chain(None);
    let change = propose_change(vec![joiner(&single, JOINER)], vec![]);
    assert_eq!(refused(&mut single, change), AmendmentError::NoEpochs);
}

#[test]
fn a_change_the_set_outgrew_while_waiting_fails_on_the_record() {
    let mut chain = validator_chain(Some(EPOCH));
    // Two proposals remove the same validator; the second fails when its
    // time comes, and the first's result stands.
    chain
        .send(CB, propose_change(vec![], vec![VALIDATOR + 3]))
        .unwrap();
    chain
        .send(CB + 1, propose_change(vec![], vec![VALIDATOR + 3]))
        .unwrap();
    assert_first_enacted_second_failed(&mut chain, AmendmentError::NotValidator);
    assert_eq!(chain.state.validators().set().len(), 5);
}

#[test]
fn changes_enacted_in_one_epoch_are_checked_together_against_the_active_set() {
    let mut chain = validator_chain(Some(EPOCH));
    // Each alone may pass: two of six leave; two join six.
    chain
        .send(CB, propose_change(vec![], vec![VALIDATOR, VALIDATOR + 1]))
        .unwrap();
    let mut joiners = vec![joiner(&chain, JOINER), joiner(&chain, JOINER + 1)];
    joiners.sort_by_key(|j| j.validator.key);
    chain.send(CB + 1, propose_change(joiners, vec![])).unwrap();
    // Together, four of the six would carry a set of six: not a quorum.
    assert_first_enacted_second_failed(&mut chain, AmendmentError::BreaksContinuity);
    assert_eq!(chain.state.validators().set().len(), 4);
}

/// Passes proposals 0 and 1 together; the first is enacted, the second
/// fails with `reason`.
fn assert_first_enacted_second_failed(chain: &mut Chain, reason: AmendmentError) {
    pass_and_enact(chain, &[0, 1]);
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    match chain.proposal(1).outcome {
        ProposalOutcome::Failed { reason: got, .. } => assert_eq!(got, reason),
        other => panic!("expected a failure, got {other:?}"),
    }
}
