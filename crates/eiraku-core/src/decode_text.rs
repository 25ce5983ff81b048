//! Decoding errors in words a person reads: the codec's own messages name
//! its internals (`Validation Error: Context(ChainId), Message(not UTF-8)`).

use commonware_codec::Error;

/// What went wrong decoding `what` (e.g. "transaction"), in plain words.
pub fn decode_error_text(what: &str, error: &Error) -> String {
    match error {
        Error::EndOfBuffer => format!("the bytes end before the {what} does"),
        Error::ExtraData(n) => format!("{n} bytes follow the end of the {what}"),
        Error::InvalidVarint(_) | Error::InvalidUsize => {
            format!("a length or number in the {what} is not encoded canonically")
        }
        Error::InvalidBool => format!("a yes/no field of the {what} is neither 0 nor 1"),
        Error::InvalidEnum(tag) => format!("the {what} names an unknown kind ({tag})"),
        Error::InvalidLength(n) => format!("a list or text of the {what} is too long ({n})"),
        Error::Invalid(field, message) => {
            format!("the {what}'s {}: {message}", field_words(field))
        }
        Error::Wrapped(field, source) => {
            format!("the {what}'s {}: {source}", field_words(field))
        }
    }
}

/// `ChainId` → `chain id`: a type's name as words.
fn field_words(name: &str) -> String {
    let mut words = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_no_internals() {
        let text = decode_error_text("transaction", &Error::Invalid("ChainId", "not UTF-8"));
        assert_eq!(text, "the transaction's chain id: not UTF-8");
        assert_eq!(
            decode_error_text("transaction", &Error::EndOfBuffer),
            "the bytes end before the transaction does"
        );
        assert_eq!(
            decode_error_text("transaction", &Error::ExtraData(3)),
            "3 bytes follow the end of the transaction"
        );
    }
}
