//! How the console writes times, amounts, ids and calls.

use super::names::AccountNames;
use eiraku_core::{coins::Coins, Amount, Call};
use serde_json::Value;

/// `ab12cd34ef…9f8e7d`: long enough to tell apart, short enough for a row.
pub fn short_hex(hex: &str) -> String {
    if hex.len() <= 18 {
        return hex.to_owned();
    }
    format!("{}…{}", &hex[..10], &hex[hex.len() - 6..])
}

/// A block time as `2026-11-29 13:45:12.345` (UTC).
pub fn utc_time(ms: u64) -> String {
    // RFC 3339 of the whole second, then the milliseconds always as three
    // digits (so that times line up in a column).
    match eiraku_core::proof::rfc3339(ms - ms % 1000) {
        Some(text) => format!(
            "{}.{:03}",
            text.replace('T', " ").trim_end_matches('Z'),
            ms % 1000
        ),
        None => format!("{ms} ms"),
    }
}

/// One line saying what a call does: `transfer 1.00 ACU to bob`,
/// `money: pay 15.00 ACU to shop-th`, `registry: anchor`.
pub fn call_summary(call: &Call, names: &AccountNames) -> String {
    if let Call::Transfer { to, amount } = call {
        return format!("transfer {} to {}", Coins(*amount), names.name_of(to));
    }
    let Ok(Value::Object(outer)) = serde_json::to_value(call) else {
        return "a call".into();
    };
    let Some((module, Value::Object(inner))) = outer.into_iter().next() else {
        return "a call".into();
    };
    let what = inner.get("call").and_then(Value::as_str).unwrap_or("call");
    let mut line = format!("{module}: {}", what.replace('_', " "));
    if let Some(amount) = inner.get("amount").and_then(amount_of) {
        line.push_str(&format!(" {}", Coins(amount)));
    }
    if let Some(to) = inner.get("to").and_then(Value::as_str) {
        let name = eiraku_core::AccountId::from_hex(to)
            .map(|id| names.name_of(&id))
            .unwrap_or_else(|_| short_hex(to));
        line.push_str(&format!(" to {name}"));
    }
    line
}

fn amount_of(value: &Value) -> Option<Amount> {
    value.as_str()?.parse::<u128>().ok().map(Amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_times_read_at_a_glance() {
        assert_eq!(short_hex(&"ab".repeat(32)), "ababababab…ababab");
        assert_eq!(short_hex("abcd"), "abcd");
        assert_eq!(utc_time(1_700_000_000_123), "2023-11-14 22:13:20.123");
        assert_eq!(utc_time(1_700_000_000_030), "2023-11-14 22:13:20.030");
        assert_eq!(utc_time(1_700_000_000_000), "2023-11-14 22:13:20.000");
    }
}
