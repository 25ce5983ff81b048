//! Enactment: at the start of each block, governance counts the votes of
//! proposals whose voting closed and enacts those whose time has come, in
//! the module each amendment belongs to. The block's time is the clock.

use crate::{modules::Modules, BlockEnv};

impl Modules {
    /// What governance does at the start of a block: counting and enacting
    /// what is due by the block's time (nothing on a chain without it).
    pub(crate) fn begin_block(&mut self, env: &BlockEnv) {
        let Some(governance) = self.governance.as_mut() else {
            return;
        };
        let due = governance.take_due(env.timestamp_ms);
        for (id, amendment) in due {
            let result = self.enact(&amendment);
            let governance = self.governance.as_mut().expect("checked above");
            governance.record_enactment(id, env.timestamp_ms, result);
        }
    }
}
