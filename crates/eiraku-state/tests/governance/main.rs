//! Governance through the state machine's public door: signed transactions
//! in blocks whose timestamps move the windows. A class-B cycle from
//! proposal to enactment, every rule's refusal with its typed error, a vote
//! that misses the threshold, an amendment that can no longer apply, and
//! the module's entries read back. Class A in `class_a.rs`.

mod accession;
mod basket;
mod class_a;
mod emergency;
mod properties;
mod registry_roles;
mod succession;
mod suspension;
mod validators;

use eiraku_core::{
    governance::{text_digest, Amendment, Choice, GovernanceCall, Parameter, Stance, Windows},
    AccountId, Amount, Call, ChainId, CoinUnit, CurrencyCode, EconomyCode, Genesis, GenesisAccount,
    GenesisEconomy, GovernanceGenesis, Keypair, MoneyGenesis, SignedTransaction, StateKey,
    Transaction,
};
use eiraku_state::{
    governance::{AmendmentError, GovernanceError, Outcome as ProposalOutcome, Proposal, Rules},
    BlockEnv, EntryError, ExecutionError, Outcome, State,
};

const START_MS: u64 = 1_800_000_000_000;
const SECOND: u64 = 1000;

/// Five economies: seeds 10.. are their central banks (voting seats),
/// 20.. their regulators (advisory seats).
const CODES: [&str; 5] = ["JP", "KR", "PH", "TH", "SG"];
const CB: u64 = 10;
const REG: u64 = 20;
/// The issuer executes decisions; it holds no seat.
const ISSUER: u64 = 1;
/// An account with no role.
const OUTSIDER: u64 = 98;
/// An account governance may seat.
const NEWCOMER: u64 = 99;
/// The outside auditor: governance's reviewer.
const REVIEWER: u64 = 97;

fn id(seed: u64) -> AccountId {
    Keypair::from_seed(seed).account_id()
}

/// Class B: 10 s of advice, 5 of review, 10 of voting, 5 before it takes
/// effect; class A the same with 5 s of veto window.
fn windows() -> GovernanceGenesis {
    GovernanceGenesis {
        class_a: Windows::of(SECOND, [10, 5, 10, 5, 5]),
        class_b: Windows::of(SECOND, [10, 5, 10, 0, 5]),
    }
}

fn genesis(governance: Option<GovernanceGenesis>) -> Genesis {
    let usd = CurrencyCode::new("USD").unwrap();
    let economies = CODES
        .iter()
        .enumerate()
        .map(|(i, code)| GenesisEconomy {
            code: EconomyCode::new(code).unwrap(),
            currency: CurrencyCode::new(&format!("{code}D")).unwrap(),
            central_bank: id(CB + i as u64),
            regulator: id(REG + i as u64),
            regulator_travel_key: None,
            rate: "1".parse().unwrap(),
            tiers: vec![],
            contribution: None,
        })
        .collect();
    Genesis {
        chain_id: ChainId::new("governance").unwrap(),
        genesis_time_ms: START_MS,
        validators: vec![],
        accounts: [(OUTSIDER, "outsider"), (REVIEWER, "auditor")]
            .map(|(seed, label)| GenesisAccount {
                id: id(seed),
                balance: Amount(0),
                label: label.into(),
                role: None,
                bank: None,
                travel_key: None,
            })
            .to_vec(),
        money: Some(MoneyGenesis {
            unit: CoinUnit::Single { currency: usd },
            numeraire: usd,
            max_rate_age_ms: 60 * SECOND,
            travel_rule_threshold: Amount(1_000),
            issuer: id(ISSUER),
            economies,
        }),
        reviewers: governance.iter().map(|_| id(REVIEWER)).collect(),
        governance,
        key_replacement_delay_ms: None,
        epoch_length: None,
    }
}

/// A chain executing one transaction per block, at a block time the test
/// moves.
struct Chain {
    state: State,
    now_ms: u64,
}

impl Chain {
    fn new() -> Self {
        Self::with(Some(windows()))
    }

    fn with(governance: Option<GovernanceGenesis>) -> Self {
        let genesis = genesis(governance);
        genesis.money.as_ref().unwrap().validate().unwrap();
        Self {
            state: State::from_genesis(&genesis),
            now_ms: START_MS,
        }
    }

    fn tx(&self, seed: u64, call: GovernanceCall) -> SignedTransaction {
        self.tx_of(seed, Call::Governance(call))
    }

    /// Any call from `seed`, at its next nonce.
    fn tx_of(&self, seed: u64, call: Call) -> SignedTransaction {
        let key = Keypair::from_seed(seed);
        let nonce = self.state.account(&key.account_id()).map_or(0, |a| a.nonce);
        let transaction = Transaction {
            chain_id: self.state.chain_id().clone(),
            sender: key.account_id(),
            nonce,
            call,
        };
        SignedTransaction::sign(transaction, &key)
    }

    /// Executes an empty block at `ms` after genesis.
    fn at(&mut self, ms: u64) {
        self.at_ms(START_MS + ms);
    }

    /// Executes an empty block at block time `ms`.
    fn at_ms(&mut self, ms: u64) {
        assert!(ms > self.now_ms, "time moves forward");
        self.now_ms = ms;
        self.block(&[]);
    }

    fn block(&mut self, txs: &[SignedTransaction]) -> Vec<Outcome> {
        let env = BlockEnv {
            height: self.state.height() + 1,
            timestamp_ms: self.now_ms,
        };
        let receipts = self.state.execute_block(&env, txs).expect("admissible");
        receipts.into_iter().map(|r| r.outcome).collect()
    }

    /// Sends one call in its own block (one millisecond later).
    fn send(&mut self, seed: u64, call: GovernanceCall) -> Result<(), GovernanceError> {
        let tx = self.tx(seed, call);
        self.now_ms += 1;
        match self.block(&[tx]).remove(0) {
            Outcome::Success => Ok(()),
            Outcome::Failed(ExecutionError::Governance(error)) => Err(error),
            Outcome::Failed(other) => panic!("not a governance error: {other}"),
        }
    }

    /// Sends any call from `seed` in its own block; its outcome.
    fn send_any(&mut self, seed: u64, call: Call) -> Outcome {
        self.send_hashed(seed, call).1
    }

    /// Sends any call from `seed` in its own block; its hash and outcome.
    fn send_hashed(&mut self, seed: u64, call: Call) -> (eiraku_core::TxHash, Outcome) {
        let tx = self.tx_of(seed, call);
        self.now_ms += 1;
        (tx.hash(), self.block(&[tx]).remove(0))
    }

    fn proposal(&self, id: u64) -> Proposal {
        self.state.governance().unwrap().proposals()[&id].clone()
    }

    /// Every entry of the state, as a node stores them.
    fn entries(&self) -> Vec<(StateKey, Vec<u8>)> {
        let all = self.state.all_entries().into_iter();
        all.map(|(key, value)| (key, value.unwrap())).collect()
    }

    /// The state rebuilt from `entries`, as a restarting node does.
    fn read_back(&self, entries: Vec<(StateKey, Vec<u8>)>) -> Result<State, EntryError> {
        let state = &self.state;
        State::from_entries(
            state.chain_id().clone(),
            state.height(),
            state.timestamp_ms(),
            entries,
        )
    }

    fn rules(&self) -> Rules {
        self.state.governance().unwrap().rules().clone()
    }

    fn threshold(&self) -> Amount {
        self.state.money().unwrap().travel_rule_threshold
    }
}

/// `seats` vote yes on `proposal`.
fn yes_from(chain: &mut Chain, proposal: u64, seats: impl IntoIterator<Item = u64>) {
    for seat in seats {
        let ballot = GovernanceCall::Vote {
            proposal,
            choice: Choice::Yes,
            reason: text_digest("yes"),
        };
        chain.send(seat, ballot).unwrap();
    }
}

/// Passes proposals `ids`, made together (the last closes last), with the
/// yes votes of `seats` on each, and runs the chain to the last one's
/// enactment.
fn pass_all(chain: &mut Chain, ids: &[u64], seats: std::ops::Range<u64>) {
    let last = chain.proposal(*ids.last().unwrap());
    chain.at_ms(last.voting_opens_ms());
    for id in ids {
        yes_from(chain, *id, seats.clone());
    }
    chain.at_ms(last.voting_closes_ms());
    chain.at_ms(last.enact_ms());
}

/// Passes proposal `id` with the yes votes of `seats` and checks it was
/// enacted at its time.
fn pass_enacted(chain: &mut Chain, id: u64, seats: std::ops::Range<u64>) {
    pass_all(chain, &[id], seats);
    assert!(matches!(
        chain.proposal(id).outcome,
        ProposalOutcome::Enacted { .. }
    ));
}

/// Of two proposals of the same change, the first (0) was enacted and
/// the second (1), which could no longer apply, failed with `reason`.
fn assert_second_failed(chain: &Chain, reason: AmendmentError) {
    assert!(matches!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { .. }
    ));
    match chain.proposal(1).outcome {
        ProposalOutcome::Failed { reason: why, .. } => assert_eq!(why, reason),
        other => panic!("proposal 1 did not fail: {other:?}"),
    }
}

/// The role `seed` holds at genesis: the issuer's, a central bank's or a
/// regulator's (the issuer's for any other account, whose proposals are
/// refused before their consent is read).
fn genesis_role(seed: u64) -> eiraku_core::Role {
    let economy = |first: u64| EconomyCode::new(CODES[(seed - first) as usize]).unwrap();
    match seed {
        CB..=14 => eiraku_core::Role::CentralBank {
            economy: economy(CB),
        },
        REG..=24 => eiraku_core::Role::Regulator {
            economy: economy(REG),
        },
        _ => eiraku_core::Role::Issuer,
    }
}

/// `seed`'s key's consent to hold `role` on the test chain.
fn consent_of(seed: u64, role: eiraku_core::Role) -> eiraku_core::governance::RoleConsent {
    let chain = ChainId::new("governance").unwrap();
    eiraku_core::governance::RoleConsent::sign(&Keypair::from_seed(seed), &chain, &role)
}

/// The refusal of a proposal whose amendment cannot apply.
fn invalid(reason: AmendmentError) -> Result<(), GovernanceError> {
    Err(GovernanceError::InvalidAmendment { reason })
}

fn propose(parameter: Parameter) -> GovernanceCall {
    GovernanceCall::Propose {
        amendment: Amendment::SetParameter(parameter),
        text: text_digest("rationale"),
    }
}

fn advise(stance: Stance) -> GovernanceCall {
    GovernanceCall::Advise {
        proposal: 0,
        stance,
        text: text_digest("advice"),
    }
}

fn respond(objection: u32) -> GovernanceCall {
    GovernanceCall::Respond {
        proposal: 0,
        objection,
        text: text_digest("response"),
    }
}

fn vote(choice: Choice) -> GovernanceCall {
    GovernanceCall::Vote {
        proposal: 0,
        choice,
        reason: text_digest("reason"),
    }
}

/// Each test's first call, the proposal, lands 1 ms after genesis. Voting
/// opens 15 s later and closes 10 s after that; enactment 5 s after the
/// close (block time since genesis).
const PROPOSED: u64 = 1;
const VOTING_OPENS: u64 = PROPOSED + 15 * SECOND;
const VOTING_CLOSES: u64 = PROPOSED + 25 * SECOND;
const ENACTED: u64 = PROPOSED + 30 * SECOND;

#[test]
fn a_parameter_change_is_proposed_advised_answered_voted_and_enacted_at_its_time() {
    let mut chain = Chain::new();
    chain
        .send(CB, propose(Parameter::TravelRuleThreshold(Amount(123))))
        .unwrap();
    chain.send(REG + 1, advise(Stance::Object)).unwrap();
    chain.send(REG + 2, advise(Stance::Support)).unwrap();
    // Votes wait for voting to open, and for every objection's answer.
    assert!(matches!(
        chain.send(CB + 1, vote(Choice::Yes)),
        Err(GovernanceError::WindowNotOpen { .. })
    ));
    chain.at(VOTING_OPENS);
    assert_eq!(
        chain.send(CB + 1, vote(Choice::Yes)),
        Err(GovernanceError::UnansweredObjection {
            proposal: 0,
            objection: 0
        })
    );
    chain.send(CB, respond(0)).unwrap();
    for seat in [CB, CB + 1, CB + 2] {
        chain.send(seat, vote(Choice::Yes)).unwrap();
    }
    chain.send(CB + 3, vote(Choice::No)).unwrap();
    chain.send(CB + 4, vote(Choice::Abstain)).unwrap();
    assert_eq!(
        chain.send(CB + 3, vote(Choice::Yes)),
        Err(GovernanceError::AlreadyVoted { proposal: 0 }),
        "a vote stays as cast"
    );

    chain.at(VOTING_CLOSES);
    let passed = chain.proposal(0);
    let enact_ms = START_MS + ENACTED;
    let veto_ends_ms = START_MS + VOTING_CLOSES;
    assert_eq!(
        passed.outcome,
        ProposalOutcome::Passed {
            yes: 3,
            veto_ends_ms,
            enact_ms
        }
    );
    assert_eq!(
        passed.votes[&id(CB + 3)].choice,
        Choice::No,
        "dissent on record"
    );
    assert_eq!(chain.threshold(), Amount(1_000), "not before its time");
    chain.at(ENACTED - 1);
    assert_eq!(chain.threshold(), Amount(1_000));
    chain.at(ENACTED);
    assert_eq!(chain.threshold(), Amount(123));
    assert_eq!(
        chain.proposal(0).outcome,
        ProposalOutcome::Enacted { at_ms: enact_ms }
    );
}

#[test]
fn every_rule_refuses_with_its_typed_error_and_changes_nothing() {
    let mut chain = Chain::new();
    let threshold = Parameter::TravelRuleThreshold(Amount(5));
    assert_eq!(
        chain.send(REG, propose(threshold)),
        Err(GovernanceError::NotVotingSeat)
    );
    assert_eq!(
        chain.send(ISSUER, vote(Choice::Yes)),
        Err(GovernanceError::NotVotingSeat)
    );
    assert_eq!(
        chain.send(CB, advise(Stance::Support)),
        Err(GovernanceError::NotAdvisorySeat)
    );
    assert_eq!(
        chain.send(REG, advise(Stance::Support)),
        Err(GovernanceError::NoSuchProposal { proposal: 0 })
    );
    assert!(chain.state.governance().unwrap().proposals().is_empty());

    chain.send(CB, propose(threshold)).unwrap();
    chain.send(REG, advise(Stance::Support)).unwrap();
    chain.send(REG + 1, advise(Stance::Object)).unwrap();
    assert_eq!(
        chain.send(REG, advise(Stance::Object)),
        Err(GovernanceError::AlreadyAdvised { proposal: 0 })
    );
    assert_eq!(
        chain.send(CB + 1, respond(1)),
        Err(GovernanceError::NotProposer { proposal: 0 })
    );
    assert_eq!(
        chain.send(CB, respond(0)),
        Err(GovernanceError::NoSuchObjection {
            proposal: 0,
            objection: 0
        }),
        "support needs no answer"
    );
    chain.send(CB, respond(1)).unwrap();
    assert_eq!(
        chain.send(CB, respond(1)),
        Err(GovernanceError::AlreadyAnswered {
            proposal: 0,
            objection: 1
        })
    );
    chain.at_ms(chain.proposal(0).voting_opens_ms());
    assert_eq!(
        chain.send(REG + 2, advise(Stance::Object)),
        Err(GovernanceError::WindowNotOpen {
            proposal: 0,
            window: "advice".into(),
            now: "voting".into()
        })
    );
    let before = chain.proposal(0);
    chain.at_ms(chain.proposal(0).voting_closes_ms());
    assert_eq!(
        chain.send(CB, vote(Choice::Yes)),
        Err(GovernanceError::WindowNotOpen {
            proposal: 0,
            window: "voting".into(),
            now: "closed".into()
        })
    );
    assert_eq!(chain.proposal(0).votes, before.votes);
}

#[test]
fn a_proposal_short_of_the_threshold_is_rejected_and_changes_nothing() {
    let mut chain = Chain::new();
    chain
        .send(CB, propose(Parameter::TravelRuleThreshold(Amount(9))))
        .unwrap();
    chain.at(VOTING_OPENS);
    chain.send(CB, vote(Choice::Yes)).unwrap();
    chain.send(CB + 1, vote(Choice::Yes)).unwrap();
    chain.at(ENACTED + SECOND);
    assert_eq!(
        chain.proposal(0).outcome,
        ProposalOutcome::Rejected { yes: 2, needed: 3 },
        "more than half of all five seats, not of those who voted"
    );
    assert_eq!(chain.threshold(), Amount(1_000));
}

#[test]
fn an_amendment_that_cannot_apply_is_refused_when_proposed() {
    let mut chain = Chain::new();
    assert_eq!(
        chain.send(CB, propose(Parameter::MaxRateAgeMs(0))),
        Err(GovernanceError::InvalidAmendment {
            reason: AmendmentError::ZeroRateAge
        })
    );
    assert!(chain.state.governance().unwrap().proposals().is_empty());
}

#[test]
fn a_seat_keeps_at_most_four_proposals_open() {
    let mut chain = Chain::new();
    for value in 1..=4 {
        chain
            .send(CB, propose(Parameter::TravelRuleThreshold(Amount(value))))
            .unwrap();
    }
    assert_eq!(
        chain.send(CB, propose(Parameter::TravelRuleThreshold(Amount(5)))),
        Err(GovernanceError::TooManyOpen { limit: 4 })
    );
    chain
        .send(CB + 1, propose(Parameter::TravelRuleThreshold(Amount(5))))
        .unwrap();
    // Once counted (rejected here: nobody voted), they no longer count.
    chain.at_ms(chain.proposal(3).voting_closes_ms());
    chain
        .send(CB, propose(Parameter::TravelRuleThreshold(Amount(6))))
        .unwrap();
}

#[test]
fn a_chain_without_governance_refuses_its_calls() {
    let mut chain = Chain::with(None);
    assert_eq!(
        chain.send(CB, propose(Parameter::MaxRateAgeMs(5))),
        Err(GovernanceError::NoGovernance)
    );
    assert!(chain.state.governance().is_none());
}

#[test]
fn the_module_is_read_back_from_its_entries_and_refuses_damaged_ones() {
    let mut chain = Chain::new();
    let before = chain.state.clone();
    chain
        .send(CB, propose(Parameter::TravelRuleThreshold(Amount(77))))
        .unwrap();
    chain.send(REG, advise(Stance::Object)).unwrap();
    chain.send(CB, respond(0)).unwrap();
    chain.at(VOTING_OPENS);
    chain.send(CB + 2, vote(Choice::No)).unwrap();

    let changed: Vec<StateKey> = chain
        .state
        .changes_since(&before)
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| matches!(key, StateKey::Governance(_)))
        .collect();
    assert_eq!(
        changed,
        vec![StateKey::Governance(eiraku_core::GovernanceKey::Proposal(
            0
        ))]
    );

    let entries = chain.entries();
    assert_eq!(chain.read_back(entries.clone()).unwrap(), chain.state);

    for (index, (key, value)) in entries.iter().enumerate() {
        if !matches!(key, StateKey::Governance(_)) {
            continue;
        }
        for cut in [0, value.len() / 2, value.len() - 1] {
            let mut damaged = entries.clone();
            damaged[index].1.truncate(cut);
            assert!(
                chain.read_back(damaged).is_err(),
                "{key} cut to {cut} bytes"
            );
        }
        let mut longer = entries.clone();
        longer[index].1.push(0);
        assert!(chain.read_back(longer).is_err(), "{key} one byte longer");
    }
}
