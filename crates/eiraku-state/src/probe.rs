//! A window on block execution for whoever runs it, without the state
//! machine reading a clock: the node times the invariant checks through it
//! (their cost per block is in its `/metrics`), and everything else passes
//! `()`, which observes nothing.

/// Told when execution reaches the points a caller may want to measure.
pub trait ExecutionProbe {
    /// The invariants of one transaction's changes are about to be checked.
    fn invariant_check_started(&mut self) {}
    /// That check is done (whatever it found).
    fn invariant_check_finished(&mut self) {}
}

/// Observes nothing.
impl ExecutionProbe for () {}
