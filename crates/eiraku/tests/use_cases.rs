//! Every CLI session of docs/use-cases.md (the public registries: base
//! registries, attestations, consent and the access log, licences,
//! notarization, purpose-bound purses), run line by line against a new
//! 4-validator network with the demo's actors, so the document stays true:
//! each line succeeds, or is refused with the code it names.

mod common;

use common::{cli::assert_chain_verifies, session, TestNetwork};

#[test]
fn every_use_case_session_runs_verbatim() {
    let doc = include_str!("../../../docs/use-cases.md");
    let lines = session::every_block(doc);
    assert!(lines.len() > 40, "the sessions have their steps");
    let refusals = lines.iter().filter(|l| l.contains("# refused: ")).count();
    assert!(refusals >= 20, "each rule is shown refusing");
    let network = TestNetwork::start_with(4, true);
    let outputs = session::run(&lines, &network);
    let said = |needle: &str| outputs.iter().any(|out| out.contains(needle));
    assert!(said("Minato, Tokyo"), "a member reads the latest record");
    assert!(
        said("not revoked in block"),
        "the credential verifies offline"
    );
    assert!(said("access 0 to checkups"), "the access entry is proven");
    assert!(said("notarized at"), "the firmware's proof verifies");
    assert!(
        said("\"balance\": \"18000\""),
        "the purse holds what is left"
    );
    assert_chain_verifies(&network);
}
