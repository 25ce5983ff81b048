//! The payer's side of the travel rule: seal the originator and beneficiary
//! data to every party the chain says is entitled to it, deposit the
//! envelope at the node, and return the digest the payment names.

use crate::Client;
use eiraku_core::{
    digest,
    travel_rule::{Envelope, Party, TravelRuleData},
    AccountId, Amount, Digest,
};

/// A party described as `"name; details"` (details optional).
pub fn party(text: &str, account: AccountId) -> Party {
    let (name, details) = text.split_once(';').unwrap_or((text, ""));
    Party {
        name: name.trim().to_string(),
        account,
        details: details.trim().to_string(),
    }
}

/// Seals the data of a payment of `amount` from `payer` to `payee` and
/// deposits it at `client`'s node; returns the digest to put in the payment.
pub fn seal_and_deposit(
    client: &Client,
    payer: AccountId,
    payee: AccountId,
    amount: Amount,
    originator: &str,
    beneficiary: &str,
) -> anyhow::Result<Digest> {
    let recipients = client
        .travel_recipients(&payer, &payee)?
        .into_iter()
        .map(|r| (r.account, r.key))
        .collect::<Vec<_>>();
    let data = TravelRuleData {
        originator: party(originator, payer),
        beneficiary: party(beneficiary, payee),
    };
    let envelope = Envelope::seal(&data, payer, payee, amount, &recipients)?;
    let deposited = client.deposit_travel_rule(&envelope)?;
    let digest = envelope.digest();
    anyhow::ensure!(
        deposited.digest == digest::to_hex(&digest),
        "the node computed another digest for the envelope"
    );
    Ok(digest)
}
