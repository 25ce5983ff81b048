//! The module interface: what a domain module of the state machine
//! declares, and the one place modules are listed.
//!
//! A module owns a part of the state and the calls that change it. It
//! declares its calls' checks and effects ([`Module::apply`]), the accounts
//! a call may write ([`Module::accounts_touched`]), the state keys it holds
//! ([`Module::entries`], [`Module::changes`]) and its invariants
//! ([`Module::check_change`]). Accounts and roles are the foundation every
//! module reads and writes through the [`CallContext`]; they are not
//! modules themselves.
//!
//! The modules are listed once, in [`crate::modules`]; adding a module is
//! its own files plus one line there.

use crate::{
    authority::Authority, governance::AmendmentError, invariants::Broken, ledger::AccountWrites,
    Accounts, BlockEnv, Change, EntryError, ExecutionError,
};
use eiraku_core::{governance::Amendment, AccountId, Amount, Call, SignedTransaction, StateKey};

/// What a call runs against: its transaction, its block, and the
/// foundation (accounts and roles) it may read and write.
pub(crate) struct CallContext<'c, 'a> {
    /// The transaction being run (its sender is the caller).
    pub tx: &'c SignedTransaction,
    /// The block it is in.
    pub env: &'c BlockEnv,
    /// Every account, written through the call's journal.
    pub accounts: &'c mut AccountWrites<'a>,
    /// Every role; grants are staged until the call is known good.
    pub authority: &'c mut Authority,
    /// The money module as it was before the call, read only: what a
    /// module that takes a payment in coins pays through (its rules read
    /// it; a payment writes only accounts).
    pub money: Option<&'c crate::money::Money>,
}

/// What one call changed in the foundation, as invariants read it.
pub(crate) struct ChangeContext<'c> {
    /// Each account the call wrote: (id, balance before, balance after).
    pub balances: &'c [(AccountId, Amount, Amount)],
    /// Every role, after the call.
    pub authority: &'c Authority,
}

/// A domain module of the state machine.
pub(crate) trait Module: Clone + PartialEq + Eq + std::fmt::Debug {
    /// Runs `call` when it is this module's; `None` when it is not, so the
    /// next module is asked. On error the module, the accounts and the roles
    /// are exactly as they were.
    fn apply(
        &mut self,
        _call: &Call,
        _cx: &mut CallContext<'_, '_>,
    ) -> Option<Result<(), ExecutionError>> {
        None
    }

    /// The accounts other than the sender that `call` may write, when it is
    /// this module's call.
    fn accounts_touched(_call: &Call) -> Option<Vec<&AccountId>> {
        None
    }

    /// Every entry of its state, keyed in the authenticated store.
    fn entries(&self, out: &mut Vec<Change>);

    /// Rebuilds it from stored entries (a node restarting): `entries`
    /// holds every module's, in any order; it reads its own.
    fn from_entries(entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError>;

    /// Its entries that differ from `before`'s, each once. The cost follows
    /// what changed: its maps are persistent and share what did not.
    fn changes(&self, before: &Self, out: &mut Vec<Change>);

    /// Checks its invariants on what one call changed (`before` is the
    /// module before the call). A call that breaks one is undone.
    fn check_change(&self, _before: &Self, _cx: &ChangeContext<'_>) -> Result<(), Broken> {
        Ok(())
    }

    /// Checks its invariants over the whole state: for a genesis and for
    /// `eiraku verify`, never on a block's path.
    fn check_whole(&self, _accounts: &Accounts, _authority: &Authority) -> Result<(), Broken> {
        Ok(())
    }

    /// Enacts an amendment governance passed, at block time `now_ms`, when
    /// it is this module's to apply; `None` when it is not. `Err` says why
    /// it can no longer apply (the proposal is recorded as failed; nothing
    /// changed).
    fn enact(
        &mut self,
        _amendment: &Amendment,
        _now_ms: u64,
    ) -> Option<Result<(), AmendmentError>> {
        None
    }

    /// Whether a call's changes to it need [`Module::check_change`]: a
    /// module without invariants spares the caller collecting the balances.
    fn has_invariants(&self) -> bool {
        false
    }
}

/// Declares the state machine's modules, in dispatch order (the first
/// module that takes a call runs it): the `Modules` struct holding each
/// one's state, and the dispatch over all of them.
macro_rules! modules {
    ($($(#[$doc:meta])* $name:ident: $module:ty,)+) => {
        /// Every domain module's state, one field each.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub(crate) struct Modules {
            $($(#[$doc])* pub $name: $module,)+
        }

        impl Modules {
            /// Runs `call` in the first module that takes it.
            pub fn apply(
                &mut self,
                call: &eiraku_core::Call,
                cx: &mut $crate::module::CallContext<'_, '_>,
            ) -> Result<(), $crate::ExecutionError> {
                use $crate::module::Module;
                $(if let Some(done) = self.$name.apply(call, cx) {
                    return done;
                })+
                Err($crate::ExecutionError::NoModuleForCall)
            }

            /// The accounts other than the sender `call` may write.
            pub fn accounts_touched(call: &eiraku_core::Call) -> Vec<&eiraku_core::AccountId> {
                use $crate::module::Module;
                $(if let Some(touched) = <$module>::accounts_touched(call) {
                    return touched;
                })+
                Vec::new()
            }

            /// Enacts `amendment` in the first module that takes it.
            pub fn enact(
                &mut self,
                amendment: &eiraku_core::governance::Amendment,
                now_ms: u64,
            ) -> Result<(), $crate::governance::AmendmentError> {
                use $crate::module::Module;
                $(if let Some(done) = self.$name.enact(amendment, now_ms) {
                    return done;
                })+
                Err($crate::governance::AmendmentError::NoModule)
            }

            /// Every module rebuilt from stored entries.
            pub fn from_entries(
                entries: &[(eiraku_core::StateKey, Vec<u8>)],
            ) -> Result<Self, $crate::EntryError> {
                Ok(Self {
                    $($name: <$module as $crate::module::Module>::from_entries(entries)?,)+
                })
            }

            /// Every module's entries.
            pub fn entries(&self, out: &mut Vec<$crate::Change>) {
                use $crate::module::Module;
                $(self.$name.entries(out);)+
            }

            /// Every module's entries that differ from `before`'s.
            pub fn changes(&self, before: &Self, out: &mut Vec<$crate::Change>) {
                use $crate::module::Module;
                $(self.$name.changes(&before.$name, out);)+
            }

            /// Every module's invariants over the whole state.
            pub fn check_whole(
                &self,
                accounts: &$crate::Accounts,
                authority: &$crate::authority::Authority,
            ) -> Result<(), $crate::invariants::Broken> {
                use $crate::module::Module;
                $(self.$name.check_whole(accounts, authority)?;)+
                Ok(())
            }

            /// Whether any module has invariants to check.
            pub fn has_invariants(&self) -> bool {
                use $crate::module::Module;
                false $(|| self.$name.has_invariants())+
            }

            /// Every module's invariants on what one call changed.
            pub fn check_change(
                &self,
                before: &Self,
                cx: &$crate::module::ChangeContext<'_>,
            ) -> Result<(), $crate::invariants::Broken> {
                use $crate::module::Module;
                $(self.$name.check_change(&before.$name, cx)?;)+
                Ok(())
            }
        }
    };
}

pub(crate) use modules;

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::{
        hash, registry::RegistryCall, ChainId, Keypair, RegistryKey, StateKey, Transaction,
    };

    /// A module that takes registry calls and counts them.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    struct Counter {
        taken: u64,
    }

    impl Module for Counter {
        fn apply(
            &mut self,
            call: &Call,
            _cx: &mut CallContext<'_, '_>,
        ) -> Option<Result<(), ExecutionError>> {
            matches!(call, Call::Registry(_)).then(|| {
                self.taken += 1;
                Ok(())
            })
        }

        fn accounts_touched(call: &Call) -> Option<Vec<&AccountId>> {
            matches!(call, Call::Registry(_)).then(Vec::new)
        }

        fn entries(&self, out: &mut Vec<Change>) {
            let key = StateKey::Registry(RegistryKey::Anchor(hash(&[b"counter"])));
            out.push((key, Some(self.taken.to_be_bytes().to_vec())));
        }

        fn changes(&self, before: &Self, out: &mut Vec<Change>) {
            if self != before {
                self.entries(out);
            }
        }

        fn from_entries(_entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError> {
            Ok(Self::default())
        }
    }

    /// A module that takes nothing.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    struct Idle;

    impl Module for Idle {
        fn entries(&self, _out: &mut Vec<Change>) {}

        fn changes(&self, _before: &Self, _out: &mut Vec<Change>) {}

        fn from_entries(_entries: &[(StateKey, Vec<u8>)]) -> Result<Self, EntryError> {
            Ok(Self)
        }
    }

    mod toy {
        use super::{Counter, Idle};
        crate::module::modules! {
            idle: Idle,
            first: Counter,
            second: Counter,
        }
    }

    fn signed(call: Call) -> SignedTransaction {
        let key = Keypair::from_seed(1);
        let body = Transaction {
            chain_id: ChainId::new("unit").unwrap(),
            sender: key.account_id(),
            nonce: 0,
            call,
        };
        SignedTransaction::sign(body, &key)
    }

    fn run(modules: &mut toy::Modules, call: Call) -> Result<(), ExecutionError> {
        let tx = signed(call);
        let env = BlockEnv {
            height: 1,
            timestamp_ms: 1,
        };
        let accounts = Accounts::new();
        let mut writes = AccountWrites::new(&accounts);
        let mut authority = Authority::default();
        let mut cx = CallContext {
            tx: &tx,
            env: &env,
            accounts: &mut writes,
            authority: &mut authority,
            money: None,
        };
        modules.apply(&tx.transaction.call, &mut cx)
    }

    #[test]
    fn the_first_module_that_takes_a_call_runs_it_alone() {
        let mut modules = toy::Modules::default();
        let before = modules.clone();
        let anchor = Call::Registry(RegistryCall::Anchor {
            root: hash(&[b"root"]),
            leaves: 1,
        });
        run(&mut modules, anchor.clone()).unwrap();
        assert_eq!((modules.first.taken, modules.second.taken), (1, 0));
        assert_eq!(
            toy::Modules::accounts_touched(&anchor),
            Vec::<&AccountId>::new()
        );
        let mut changed = Vec::new();
        modules.changes(&before, &mut changed);
        assert_eq!(changed.len(), 1, "only the module that ran changed");
        let mut all = Vec::new();
        modules.entries(&mut all);
        assert_eq!(all.len(), 2, "each counter lists its entry");
        assert!(!modules.has_invariants());
        let authority = Authority::default();
        let unchanged = ChangeContext {
            balances: &[],
            authority: &authority,
        };
        assert_eq!(modules.check_change(&before, &unchanged), Ok(()));
        assert_eq!(modules.check_whole(&Accounts::new(), &authority), Ok(()));
    }

    #[test]
    fn a_call_no_module_takes_fails_and_changes_nothing() {
        let mut modules = toy::Modules::default();
        let transfer = Call::Transfer {
            to: Keypair::from_seed(2).account_id(),
            amount: Amount(1),
        };
        assert_eq!(
            run(&mut modules, transfer),
            Err(ExecutionError::NoModuleForCall)
        );
        assert_eq!(modules, toy::Modules::default());
        let amendment = eiraku_core::governance::Amendment::SetParameter(
            eiraku_core::governance::Parameter::MaxRateAgeMs(1),
        );
        assert!(
            modules.enact(&amendment, 0).is_err(),
            "no toy module enacts it"
        );
        assert_eq!(toy::Modules::from_entries(&[]), Ok(modules));
    }
}
