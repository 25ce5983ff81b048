//! Demo account names in what the CLI prints: a refusal about `alice` says
//! `alice (3fa1b2c4…)`, not 64 hex characters the user never typed.

use crate::keyfile;
use std::path::Path;

/// `text` with each hex id of a demo account of `network_dir` replaced by
/// its name and the id's first 8 characters.
pub fn with_demo_names(text: &str, network_dir: &Path) -> String {
    let accounts = network_dir.join("accounts");
    let mut named = text.to_owned();
    for name in keyfile::demo_names(&accounts) {
        let Ok(signer) = keyfile::read(&accounts.join(format!("{name}.key"))) else {
            continue;
        };
        let id = signer.account.to_hex();
        if named.contains(&id) {
            named = named.replace(&id, &format!("{name} ({}…)", &id[..8]));
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiraku_core::Keypair;

    #[test]
    fn names_known_accounts_and_leaves_others() {
        let dir = std::env::temp_dir().join(format!("eiraku-names-{}", std::process::id()));
        let key = Keypair::from_seed(7);
        let path = dir.join("accounts").join("alice.key");
        keyfile::create_durably(&path, &key, &key.account_id()).unwrap();
        let alice = key.account_id().to_hex();
        let stranger = Keypair::from_seed(8).account_id().to_hex();
        let text = format!("account {alice} pays {stranger}");
        let named = with_demo_names(&text, &dir);
        assert_eq!(
            named,
            format!("account alice ({}…) pays {stranger}", &alice[..8])
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
