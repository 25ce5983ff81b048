//! The node as a travel-rule gateway. Before a cross-border payment at or
//! above the threshold, the payer's client deposits the sealed envelope
//! (originator and beneficiary data, one HPKE copy per entitled party) at the
//! node it pays through; the node checks the envelope's form against the
//! parties the chain says are entitled (both banks, both regulators), keeps
//! it for them to fetch, and from then on accepts the payment that names its
//! digest. Only the digest goes on chain; validators never need the data.

use crate::{chain::Chain, store::StoreError};
use eiraku_core::{
    digest,
    travel_rule::{Envelope, TravelRuleError},
    Call, Digest, MoneyCall, SignedTransaction,
};
use eiraku_state::MoneyError;

/// Why an envelope or a payment naming one was refused.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The envelope is malformed or misaddressed.
    #[error(transparent)]
    Envelope(#[from] TravelRuleError),
    /// The chain's rules (no money module, a party without a key, …).
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// The payment names data not deposited here.
    #[error("the payment names travel-rule data {0} that was not deposited at this node (POST /v1/money/travel-rule first)")]
    Unknown(String),
    /// The deposited envelope describes another payment.
    #[error(
        "the travel-rule envelope {0} describes another payment (payer, payee or amount differ)"
    )]
    Mismatch(String),
    /// The node's store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl GatewayError {
    /// The stable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            GatewayError::Envelope(TravelRuleError::Malformed(_)) => "travel_rule_malformed",
            GatewayError::Envelope(TravelRuleError::Version(_)) => "travel_rule_version",
            GatewayError::Envelope(TravelRuleError::MissingRecipient(_)) => {
                "travel_rule_missing_recipient"
            }
            GatewayError::Envelope(TravelRuleError::UnexpectedRecipient(_)) => {
                "travel_rule_unexpected_recipient"
            }
            GatewayError::Envelope(TravelRuleError::CannotOpen) => "travel_rule_cannot_open",
            GatewayError::Money(error) => error.code(),
            GatewayError::Unknown(_) => "travel_rule_unknown",
            GatewayError::Mismatch(_) => "travel_rule_mismatch",
            GatewayError::Store(_) => "internal",
        }
    }
}

/// Checks and keeps an envelope; returns the digest a payment names.
pub fn deposit(chain: &Chain, bytes: &[u8]) -> Result<Digest, GatewayError> {
    let envelope = Envelope::from_json(bytes)?;
    let state = chain.finalized_state();
    let money = state.money().ok_or(MoneyError::NoMoneyModule)?;
    let entitled: Vec<_> = money
        .travel_rule_recipients(state.authority(), &envelope.payer, &envelope.payee)?
        .into_iter()
        .map(|(account, _)| account)
        .collect();
    envelope.check(&entitled)?;
    let digest = envelope.digest();
    chain
        .store()
        .put_travel_envelope(&digest, &envelope.to_bytes())?;
    Ok(digest)
}

/// A deposited envelope.
pub fn envelope(chain: &Chain, digest: &Digest) -> Result<Option<Envelope>, GatewayError> {
    match chain.store().travel_envelope(digest)? {
        Some(bytes) => Ok(Some(Envelope::from_json(&bytes)?)),
        None => Ok(None),
    }
}

/// A client's payment that names travel-rule data must name an envelope
/// deposited here for exactly this payment.
pub fn check_payment(chain: &Chain, tx: &SignedTransaction) -> Result<(), GatewayError> {
    let Call::Money(MoneyCall::Pay {
        to,
        amount,
        travel_rule: Some(named),
    }) = &tx.transaction.call
    else {
        return Ok(());
    };
    let hex = digest::to_hex(named);
    let envelope = envelope(chain, named)?.ok_or_else(|| GatewayError::Unknown(hex.clone()))?;
    if envelope.payer != tx.transaction.sender
        || envelope.payee != *to
        || envelope.amount != *amount
    {
        return Err(GatewayError::Mismatch(hex));
    }
    Ok(())
}
