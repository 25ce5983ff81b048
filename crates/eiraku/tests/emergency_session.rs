//! The emergency session of docs/governance.md, run line by line against a
//! new 4-validator network with the ASEAN+3 demo: consultation, the
//! refusals before an answer and of a scope that reaches roles, a
//! declaration that pauses payments at once, a ratification, minutes and
//! the outside review; then the record as the API shows it.

mod common;

use common::{session, TestNetwork};

#[test]
fn the_documented_emergency_session_runs_verbatim() {
    let doc = include_str!("../../../docs/governance.md");
    let lines = session::lines(doc, "## A session of the emergency procedure");
    assert!(lines.len() > 8, "the session has its steps");
    let network = TestNetwork::start_with(4, true);
    session::run(&lines, &network);

    let record = network.client(2).emergency().unwrap();
    assert_eq!(record.in_force, Some(0));
    assert!(record.reviews_overdue.is_empty());
    assert_eq!(record.reviewers.len(), 1);
    assert!(record.officer.is_some());
    let consultation = &record.consultations[0];
    assert_eq!(consultation.declared, Some(0));
    assert!(consultation.answered_by.is_some());
    let declaration = &record.declarations[0];
    assert_eq!(declaration.pause, ["money.pay", "transfer"]);
    assert_eq!(declaration.freeze.len(), 1);
    assert!(!declaration.unanswered);
    assert_eq!(declaration.ratified_by.len(), 1, "one of fourteen");
    assert_eq!(declaration.ratifications, 0);
    assert_eq!(declaration.minutes.len(), 2);
    assert_eq!(declaration.reviewed_by, Some(record.reviewers[0]));
    assert!(declaration.in_force && !declaration.review_overdue);
    assert_eq!(network.metric(2, "eiraku_emergency_in_force"), 1.0);
    assert_eq!(network.metric(2, "eiraku_emergency_reviews_overdue"), 0.0);
}
