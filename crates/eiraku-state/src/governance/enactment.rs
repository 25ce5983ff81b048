//! Enactment: at the start of each block, governance counts the votes of
//! proposals whose voting closed and enacts those whose time has come, in
//! the module each amendment belongs to. The block's time is the clock.

use crate::{modules::Modules, BlockEnv};

impl Modules {
    /// What governance does at the start of a block: counting and enacting
    /// what is due by the block's time (nothing on a chain without it).
    pub(crate) fn begin_block(&mut self, env: &BlockEnv) {
        let now_ms = env.timestamp_ms;
        while let Some((id, amendment)) = self
            .governance
            .as_mut()
            .and_then(|governance| governance.next_enactment(now_ms))
        {
            let result = self.enact(&amendment);
            let governance = self.governance.as_mut().expect("it just answered");
            governance.record_enactment(id, now_ms, result);
        }
    }
}
