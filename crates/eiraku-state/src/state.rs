//! The whole state and block execution.

use crate::{
    authority::{Authority, RoleGrant},
    governance::Governance,
    keys::Keys,
    ledger::{Account, AccountWrites, Accounts},
    module::{CallContext, ChangeContext},
    modules::Modules,
    money::Money,
    registry::Registry,
    role_changes::RoleChanges,
    AdmissionError, BlockError, EntryError, ExecutionError, ExecutionProbe, MoneyError, Outcome,
    Receipt,
};
use eiraku_core::{AccountId, Amount, ChainId, Genesis, SignedTransaction, StateKey};

/// What a block tells the state machine about its context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockEnv {
    /// Height of the block being executed.
    pub height: u64,
    /// The block's timestamp: the state machine's only clock.
    pub timestamp_ms: u64,
}

/// The ledger state after some block.
///
/// A clone shares its maps and costs nothing until it is changed (the node
/// keeps one per block proposed but not yet final, and the mempool's dry
/// runs work on one): accounts and roles are layered maps
/// ([`crate::layered`]), the modules' maps persistent ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    chain_id: ChainId,
    height: u64,
    /// Timestamp of the last executed block (genesis time at first): what
    /// the mempool's dry runs take as "now".
    timestamp_ms: u64,
    accounts: Accounts,
    /// Every role, who granted it, when and under which rule.
    authority: Authority,
    /// Every domain module's state (money, registries, ...).
    modules: Modules,
}

impl State {
    /// The state before block 1.
    pub fn from_genesis(genesis: &Genesis) -> Self {
        let money = Money::from_genesis(genesis);
        let authority = Authority::from_genesis(genesis);
        // Officials (issuer, central banks, regulators) can send from the
        // first block on.
        let officials = authority.grants().map(|(id, _)| (*id, Account::default()));
        let accounts = officials
            .chain(genesis.accounts.iter().map(|a| {
                (
                    a.id,
                    Account {
                        balance: a.balance,
                        nonce: 0,
                    },
                )
            }))
            .collect();
        let mut state = Self::restore(
            genesis.chain_id.clone(),
            0,
            genesis.genesis_time_ms,
            accounts,
            authority,
            money,
        );
        state.modules.governance = Governance::from_genesis(genesis);
        state.modules.validators = crate::validators::Validators::from_genesis(genesis);
        state.modules.keys = Keys::with_delay(
            genesis
                .key_replacement_delay_ms
                .unwrap_or(crate::keys::DEFAULT_REPLACEMENT_DELAY_MS),
        );
        state
    }

    /// Rebuilds a state from stored parts (a node restarting).
    pub fn restore(
        chain_id: ChainId,
        height: u64,
        timestamp_ms: u64,
        accounts: Accounts,
        authority: Authority,
        money: Option<Money>,
    ) -> Self {
        Self {
            chain_id,
            height,
            timestamp_ms,
            accounts,
            authority,
            modules: Modules {
                money,
                ..Modules::default()
            },
        }
    }

    /// Rebuilds a state from its entries as the state root commits to them
    /// ([`State::all_entries`]: accounts, roles and every module's), in any
    /// order: what a restarting node read from its store.
    pub fn from_entries(
        chain_id: ChainId,
        height: u64,
        timestamp_ms: u64,
        entries: impl IntoIterator<Item = (StateKey, Vec<u8>)>,
    ) -> Result<Self, EntryError> {
        let mut accounts = Vec::new();
        let mut grants = Vec::new();
        let mut module_entries = Vec::new();
        for (key, value) in entries {
            match key {
                StateKey::Account(id) => {
                    let account = Account::from_bytes(&value)
                        .ok_or_else(|| EntryError::new(key, "not an account"))?;
                    accounts.push((id, account));
                }
                StateKey::Role(id) => {
                    let grant = RoleGrant::from_bytes(&value)
                        .map_err(|e| EntryError::new(key, format!("not a role grant: {e}")))?;
                    grants.push((id, grant));
                }
                _ => module_entries.push((key, value)),
            }
        }
        let mut state = Self::restore(
            chain_id,
            height,
            timestamp_ms,
            accounts.into_iter().collect(),
            Authority::restore(grants),
            None,
        );
        state.modules = Modules::from_entries(&module_entries)?;
        Ok(state)
    }

    /// Timestamp of the last executed block.
    pub fn timestamp_ms(&self) -> u64 {
        self.timestamp_ms
    }

    /// The same state with the registries' entries (a node restarting).
    pub fn with_registry(mut self, registry: Registry) -> Self {
        self.modules.registry = registry;
        self
    }

    /// The registries' state: anchored roots.
    pub fn registry(&self) -> &Registry {
        &self.modules.registry
    }

    /// Every role on the chain.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The money module's state, when the chain runs it.
    pub fn money(&self) -> Option<&Money> {
        self.modules.money.as_ref()
    }

    /// The governance module, when the chain has it.
    pub fn governance(&self) -> Option<&Governance> {
        self.modules.governance.as_ref()
    }

    /// Rotated and replaced keys.
    pub fn keys(&self) -> &Keys {
        &self.modules.keys
    }

    /// The validator set as governance last left it.
    pub fn validators(&self) -> &crate::validators::Validators {
        &self.modules.validators
    }

    /// Every domain module's state.
    pub(crate) fn modules(&self) -> &Modules {
        &self.modules
    }

    /// The network's chain id.
    pub fn chain_id(&self) -> &ChainId {
        &self.chain_id
    }

    /// Height of the last executed block.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// One account, if it exists.
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.get(id)
    }

    /// All accounts in key order.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// Sum of all balances. Transfers never change it.
    pub fn total_supply(&self) -> Amount {
        Amount(self.accounts.values_any_order().map(|a| a.balance.0).sum())
    }

    /// Checks every module's invariants over the whole state (a genesis,
    /// `eiraku verify`); blocks check only what each call changes.
    pub fn check_invariants(&self) -> Result<(), crate::invariants::Broken> {
        self.modules.check_whole(&self.accounts, &self.authority)
    }

    /// Whether `tx` may be included in the next block on top of this state.
    /// Signatures are checked separately, in batches (see
    /// [`eiraku_core::verify_batch`]).
    pub fn check_admission(&self, tx: &SignedTransaction) -> Result<(), AdmissionError> {
        let body = &tx.transaction;
        if body.chain_id != self.chain_id {
            return Err(AdmissionError::WrongChainId {
                expected: self.chain_id.clone(),
                got: body.chain_id.clone(),
            });
        }
        let account = self
            .accounts
            .get(&body.sender)
            .ok_or(AdmissionError::UnknownAccount(body.sender))?;
        let expected = self.modules.keys.key_of(&body.sender);
        if tx.signer() != expected {
            return Err(AdmissionError::WrongKey {
                sender: body.sender,
                signer: tx.signer(),
                expected,
            });
        }
        match body.nonce.cmp(&account.nonce) {
            std::cmp::Ordering::Equal => Ok(()),
            std::cmp::Ordering::Less => Err(AdmissionError::NonceUsed {
                sender: body.sender,
                expected: account.nonce,
                got: body.nonce,
            }),
            std::cmp::Ordering::Greater => Err(AdmissionError::NonceGap {
                sender: body.sender,
                expected: account.nonce,
                got: body.nonce,
            }),
        }
    }

    /// Whether `tx`'s call would succeed on this state, without changing it.
    /// The mempool uses it to refuse what is certain to fail.
    pub fn dry_run(&self, tx: &SignedTransaction) -> Result<(), ExecutionError> {
        // The money and role maps are copied (for nothing until written);
        // the account writes stay in the call's journal and are dropped.
        let mut scratch = self.clone();
        let env = BlockEnv {
            height: self.height + 1,
            timestamp_ms: self.timestamp_ms,
        };
        scratch.run_checked(tx, &env, &mut ()).map(drop)
    }

    /// Executes a block's transactions, whose signatures the caller has
    /// verified. All or nothing: if any transaction is inadmissible the
    /// state is left exactly as it was and the block is rejected.
    pub fn execute_block(
        &mut self,
        env: &BlockEnv,
        transactions: &[SignedTransaction],
    ) -> Result<Vec<Receipt>, BlockError> {
        self.execute_block_observed(env, transactions, &mut ())
    }

    /// [`State::execute_block`], telling `probe` when each transaction's
    /// invariants are checked.
    pub fn execute_block_observed(
        &mut self,
        env: &BlockEnv,
        transactions: &[SignedTransaction],
        probe: &mut impl ExecutionProbe,
    ) -> Result<Vec<Receipt>, BlockError> {
        // Persistent maps: keeping the state before the block costs nothing,
        // and puts it back whole if a transaction makes the block invalid.
        let before = self.clone();
        // What governance enacts takes effect from this block's first
        // transaction on.
        self.begin_block(env);
        let mut receipts = Vec::with_capacity(transactions.len());
        for (index, tx) in transactions.iter().enumerate() {
            if let Err(error) = self.check_admission(tx) {
                *self = before;
                return Err(BlockError {
                    height: env.height,
                    index,
                    error,
                });
            }
            receipts.push(self.run_admitted(tx, env, index, probe));
        }
        self.end_block(before, env);
        Ok(receipts)
    }

    /// What a proposer runs: `candidates` in order, leaving out each one
    /// that is not admissible when its turn comes (signed by a key an
    /// earlier transaction or block replaced, or after a left-out nonce).
    /// Returns the transactions kept, the block's content, and their
    /// receipts; [`State::execute_block`] on them gives the same state.
    pub fn execute_admissible(
        &mut self,
        env: &BlockEnv,
        candidates: Vec<SignedTransaction>,
        probe: &mut impl ExecutionProbe,
    ) -> (Vec<SignedTransaction>, Vec<Receipt>) {
        let before = self.clone();
        self.begin_block(env);
        let mut kept = Vec::with_capacity(candidates.len());
        let mut receipts = Vec::with_capacity(candidates.len());
        for tx in candidates {
            if self.check_admission(&tx).is_err() {
                continue;
            }
            receipts.push(self.run_admitted(&tx, env, kept.len(), probe));
            kept.push(tx);
        }
        self.end_block(before, env);
        (kept, receipts)
    }
}

impl State {
    /// Runs an admitted transaction at `index` of its block: its call, then
    /// its sender's nonce.
    fn run_admitted(
        &mut self,
        tx: &SignedTransaction,
        env: &BlockEnv,
        index: usize,
        probe: &mut impl ExecutionProbe,
    ) -> Receipt {
        let outcome = match self.apply_checked(tx, env, probe) {
            Ok(()) => Outcome::Success,
            Err(error) => Outcome::Failed(error),
        };
        // The nonce advances whatever the outcome, so a failed
        // transaction can never be replayed.
        let sender = &tx.transaction.sender;
        if let Some(mut account) = self.accounts.get(sender).copied() {
            account.nonce += 1;
            self.accounts.insert(*sender, account);
        }
        Receipt {
            tx_hash: tx.hash(),
            height: env.height,
            index: index as u32,
            outcome,
        }
    }

    /// What governance does at the start of a block: counting and enacting
    /// what is due by the block's time (nothing on a chain without it), in
    /// time order.
    fn begin_block(&mut self, env: &BlockEnv) {
        let now_ms = env.timestamp_ms;
        while let Some((id, amendment)) = (self.modules.governance.as_mut())
            .and_then(|governance| governance.next_enactment(now_ms))
        {
            // A change of roles reaches roles, accounts and several modules.
            let mut parts = RoleChanges {
                authority: &mut self.authority,
                accounts: &mut self.accounts,
                modules: &mut self.modules,
                chain_id: &self.chain_id,
                now_ms,
            };
            let result = match parts.enact(&amendment) {
                Some(result) => result,
                None => self.modules.enact(&amendment, now_ms),
            };
            let governance = self.modules.governance.as_mut().expect("it just answered");
            governance.record_enactment(id, now_ms, result);
        }
        self.expire_purses(now_ms);
    }

    /// Returns what purses due by `now_ms` hold to their payers: time does
    /// it, no transaction.
    fn expire_purses(&mut self, now_ms: u64) {
        let Some(money) = self.modules.money.as_mut() else {
            return;
        };
        let mut writes = AccountWrites::new(&self.accounts);
        money.expire_purses(&mut writes, now_ms);
        for (id, account) in writes.finish() {
            self.accounts.insert(id, account);
        }
    }

    /// Closes a block run on `before`.
    fn end_block(&mut self, before: State, env: &BlockEnv) {
        // The block's writes become a table the next states share (the copy
        // taken for undoing goes first: a table only this state holds is
        // merged in place).
        drop(before);
        self.accounts.seal();
        self.authority.seal();
        self.modules.validators.end_block(env.height);
        self.height = env.height;
        self.timestamp_ms = env.timestamp_ms;
    }

    /// Applies one admitted transaction's call and checks the invariants on
    /// what it changed; a call that would break one is undone and fails,
    /// naming it. On error nothing changed.
    fn apply_checked(
        &mut self,
        tx: &SignedTransaction,
        env: &BlockEnv,
        probe: &mut impl ExecutionProbe,
    ) -> Result<(), ExecutionError> {
        for (id, account) in self.run_checked(tx, env, probe)? {
            self.accounts.insert(id, account);
        }
        self.authority.settle();
        Ok(())
    }

    /// [`State::apply_checked`] up to the account writes, which it returns
    /// instead of making, and the grants, which it leaves staged: the other
    /// modules' changes are made (and undone on error).
    fn run_checked(
        &mut self,
        tx: &SignedTransaction,
        env: &BlockEnv,
        probe: &mut impl ExecutionProbe,
    ) -> Result<Vec<(AccountId, Account)>, ExecutionError> {
        // The accounts are not written until the call is known good (see
        // `AccountWrites`), roles are staged until then (a failed call's are
        // dropped), and the modules' maps are small persistent ones: a copy
        // of them costs nothing until written.
        if let Some(governance) = &self.modules.governance {
            let body = &tx.transaction;
            let in_office = || {
                let official = self
                    .authority
                    .role(&body.sender)
                    .is_some_and(|r| r.is_official());
                official || governance.is_seated(&body.sender)
            };
            (governance.emergency())
                .check(&body.call, &body.sender, in_office, env.timestamp_ms)
                .map_err(ExecutionError::Governance)?;
        }
        let (sender, call) = (&tx.transaction.sender, &tx.transaction.call);
        let (authority, modules) = (&self.authority, &self.modules);
        let now_ms = env.timestamp_ms;
        crate::guards::check_call(authority, modules, &self.chain_id, sender, call, now_ms)?;
        let modules_before = self.modules.clone();
        let mut writes = AccountWrites::new(&self.accounts);
        let mut cx = CallContext {
            tx,
            env,
            accounts: &mut writes,
            authority: &mut self.authority,
            money: modules_before.money.as_ref(),
        };
        // Modules change nothing when they fail; the account writes and
        // staged grants are dropped.
        if let Err(error) = self.modules.apply(&tx.transaction.call, &mut cx) {
            self.authority.discard_staged();
            return Err(error);
        }
        if !self.modules.has_invariants() {
            return Ok(writes.finish());
        }
        probe.invariant_check_started();
        let balance = |account: Option<&Account>| account.map(|a| a.balance).unwrap_or_default();
        let balances: Vec<_> = writes
            .changes()
            .map(|(id, was, is)| (*id, balance(was), balance(is)))
            .collect();
        let change = ChangeContext {
            balances: &balances,
            authority: &self.authority,
        };
        let checked = self.modules.check_change(&modules_before, &change);
        probe.invariant_check_finished();
        if let Err(broken) = checked {
            self.modules = modules_before;
            self.authority.discard_staged();
            return Err(MoneyError::InvariantBroken {
                invariant: broken.invariant.name().into(),
                detail: broken.detail,
            }
            .into());
        }
        Ok(writes.finish())
    }
}

/// Every account a block's transactions may write, sorted, each once.
pub fn accounts_touched_by(transactions: &[SignedTransaction]) -> Vec<AccountId> {
    let mut all: Vec<AccountId> = transactions
        .iter()
        .flat_map(touched_accounts)
        .cloned()
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Every account a transaction may write: its sender, and the accounts its
/// call may write.
pub fn touched_accounts(tx: &SignedTransaction) -> Vec<&AccountId> {
    std::iter::once(&tx.transaction.sender)
        .chain(Modules::accounts_touched(&tx.transaction.call))
        .collect()
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
