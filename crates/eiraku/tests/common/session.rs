//! A document's CLI session, run line by line against a test network, so
//! the document stays true. A line ending in `# refused: CODE` must fail
//! with that code; every other line must succeed.

use super::TestNetwork;
use std::process::Command;

/// The shell lines of the first `sh` block after `heading` in `doc`.
pub fn lines(doc: &str, heading: &str) -> Vec<String> {
    let section = doc.split(heading).nth(1).expect("the session section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a sh block");
    block
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

/// The shell lines of every `sh` block of `doc`, in order.
pub fn every_block(doc: &str) -> Vec<String> {
    doc.split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .flat_map(str::lines)
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

/// Runs `lines` in bash, `eiraku` being the binary pointed at `network`
/// (what `./devnet` is to the reader); returns each line's output.
pub fn run(lines: &[String], network: &TestNetwork) -> Vec<String> {
    let binary = env!("CARGO_BIN_EXE_eiraku");
    let dir = network.path();
    let prelude = format!(
        "eiraku() {{ '{binary}' \"$@\" --network '{}'; }}",
        dir.display()
    );
    let mut outputs = Vec::new();
    for line in lines {
        let expected_refusal = line
            .split("# refused: ")
            .nth(1)
            .map(|code| code.trim().to_string());
        let output = Command::new("bash")
            .arg("-c")
            .arg(format!("{prelude}\n{line}"))
            .current_dir(&dir)
            .output()
            .expect("bash runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        match expected_refusal {
            Some(code) => {
                assert!(!output.status.success(), "{line}\nshould fail:\n{text}");
                assert!(
                    text.contains(&format!("{code}:")),
                    "{line}\nshould fail with {code}:\n{text}"
                );
            }
            None => assert!(output.status.success(), "{line}\nfailed:\n{text}"),
        }
        outputs.push(text);
    }
    outputs
}
