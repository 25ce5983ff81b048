//! Printing results to stdout. A closed pipe (`eiraku … | head`) is the
//! reader's choice, not an error, so it ends printing quietly.

use std::io::{ErrorKind, Write};

/// Prints one line.
pub fn print_line(text: &str) -> anyhow::Result<()> {
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(error) if error.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Prints a value as pretty JSON.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    print_line(&serde_json::to_string_pretty(value)?)
}
