//! The money module's typed errors: each names the rule broken, with a
//! message a person understands and a stable code clients match on.

use eiraku_core::coins::Coins;
use eiraku_core::{AccountId, Amount, CurrencyCode, EconomyCode};

/// Why a call of the money module was refused. Each names the rule broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum MoneyError {
    /// The chain was started without a money section.
    #[error("this chain has no money module (its genesis has no money section)")]
    NoMoneyModule,
    /// Only a central bank may send this call.
    #[error("only a central bank may do this")]
    NotCentralBank,
    /// Only the issuer may send this call.
    #[error("only the issuer may do this")]
    NotIssuer,
    /// Only a regulator may send this call.
    #[error("only a regulator may do this")]
    NotRegulator,
    /// Only a bank may send this call.
    #[error("only a bank may do this")]
    NotBank,
    /// The regulator's economy is not the account's.
    #[error("account {account} is not in economy {economy}, the regulator's own")]
    NotRegulatorOf {
        /// The account.
        account: AccountId,
        /// The regulator's economy.
        economy: EconomyCode,
    },
    /// Coins go only to banks of the issuing central bank's economy.
    #[error("account {account} is not a bank of economy {economy}")]
    NotABankOf {
        /// The account.
        account: AccountId,
        /// The central bank's economy.
        economy: EconomyCode,
    },
    /// Banks are opened by their own economy's central bank.
    #[error("a bank or agency can only be opened by the central bank of its economy")]
    OnlyCentralBankOpensBanks,
    /// Merchant and person accounts are opened by a bank of their economy.
    #[error("a merchant or person account can only be opened by a bank of its economy")]
    OnlyBankOpensRetail,
    /// Issuer, central bank and regulator roles come from genesis (or governance).
    #[error("this role cannot be granted by a transaction")]
    RoleNotGrantable,
    /// The account exists already.
    #[error("account {account} already exists")]
    AccountExists {
        /// The account.
        account: AccountId,
    },
    /// Only the bank that opened a merchant or person account changes its
    /// tier.
    #[error("account {account} is not a merchant or person account this bank opened")]
    NotItsBank {
        /// The account.
        account: AccountId,
    },
    /// The account is at that tier already.
    #[error("account {account} is at KYC tier {tier} already")]
    SameTier {
        /// The account.
        account: AccountId,
        /// The tier.
        tier: u8,
    },
    /// A tier upgrade without a usable KYC attestation.
    #[error("moving account {account} up a tier needs a KYC attestation about it, valid now, from an attester of its economy: {reason}")]
    KycRequired {
        /// The account.
        account: AccountId,
        /// What is wrong with the attestation named.
        reason: crate::money::KycRefusal,
    },
    /// A merchant or person account opens at its economy's entry tier.
    #[error("a merchant or person account of {economy} opens at tier {tier}; a KYC attestation moves it up")]
    OpensAtEntryTier {
        /// The economy.
        economy: EconomyCode,
        /// Its entry tier.
        tier: u8,
    },
    /// A purse names category 0 (no category) or a category twice.
    #[error("a purse names each merchant category once, and never 0 (no category)")]
    BadPurseCategories,
    /// Only an agency (opened by its central bank) pushes purses.
    #[error("only a public agency or aid organisation pushes purses")]
    NotAgency,
    /// A purse goes to a person or merchant of the agency's economy.
    #[error("account {account} is not a person or merchant of economy {economy}")]
    NotRetailOf {
        /// The account.
        account: AccountId,
        /// The economy.
        economy: EconomyCode,
    },
    /// A purse expires after its push, within two years.
    #[error("a purse expires after the block that pushes it, at most two years on")]
    BadPurseExpiry,
    /// No open purse by that name (never pushed, spent out or expired).
    #[error("no purse {purse} is open (never pushed, spent out, or expired)")]
    UnknownPurse {
        /// The purse (hex).
        purse: String,
    },
    /// Only a purse's beneficiary spends it.
    #[error("only the beneficiary of purse {purse} spends it")]
    NotPurseBeneficiary {
        /// The purse (hex).
        purse: String,
    },
    /// A purse pays merchants of its economy only.
    #[error("account {account} is not a merchant of economy {economy}")]
    NotAMerchantOf {
        /// The account.
        account: AccountId,
        /// The purse's economy.
        economy: EconomyCode,
    },
    /// The merchant's category is not one the purse pays.
    #[error("the purse does not pay merchants of category {category} (it pays {allowed:?})")]
    CategoryNotAllowed {
        /// The merchant's category.
        category: u16,
        /// The purse's categories.
        allowed: Vec<u16>,
    },
    /// The purse holds less than the payment.
    #[error("the purse holds {}, less than {}", Coins(*.balance), Coins(*.needed))]
    PurseTooSmall {
        /// What it holds.
        balance: Amount,
        /// The payment.
        needed: Amount,
    },
    /// The tier has no caps in that economy.
    #[error("KYC tier {tier} is not defined in economy {economy}")]
    UnknownTier {
        /// The economy.
        economy: EconomyCode,
        /// The tier.
        tier: u8,
    },
    /// Not a member currency nor the numeraire.
    #[error("currency {currency} is not a member currency")]
    UnknownCurrency {
        /// The currency.
        currency: CurrencyCode,
    },
    /// The rate is older than the configured age.
    #[error("the rate of {currency} posted at {posted_ms} ms is stale (older than {max_age_ms} ms); its central bank must post a new one")]
    StaleRate {
        /// The currency.
        currency: CurrencyCode,
        /// When its rate was posted (block time).
        posted_ms: u64,
        /// The configured maximum age.
        max_age_ms: u64,
    },
    /// A contribution needs an instrument id.
    #[error("a contribution must name its instrument")]
    InstrumentRequired,
    /// An amount of zero.
    #[error("amount must be greater than zero")]
    ZeroAmount,
    /// The instrument has matured.
    #[error("the instrument matured at {maturity_ms} ms")]
    MaturityPassed {
        /// Its maturity.
        maturity_ms: u64,
    },
    /// No contribution has that number.
    #[error("no contribution number {id}")]
    UnknownContribution {
        /// The number.
        id: u64,
    },
    /// The contribution was accepted before.
    #[error("contribution {id} is already accepted")]
    AlreadyAccepted {
        /// The number.
        id: u64,
    },
    /// The contribution was withdrawn by its central bank.
    #[error("contribution {id} was withdrawn")]
    ContributionWithdrawn {
        /// The number.
        id: u64,
    },
    /// Only the central bank that offered a contribution may withdraw it.
    #[error("contribution {id} was offered by another central bank")]
    NotYourContribution {
        /// The number.
        id: u64,
    },
    /// The call's effects would break an invariant of the money module: a
    /// fault in the rules, undone before it could reach a block.
    #[error("refused: its effects would break invariant {invariant}: {detail}")]
    InvariantBroken {
        /// The invariant's name (e.g. `money.backing`).
        invariant: String,
        /// What was found.
        detail: String,
    },
    /// The central bank's own account holds fewer issuance bonds.
    #[error("own account holds {} in issuance bonds; {} needed", Coins(*.available), Coins(*.needed))]
    InsufficientOwnBonds {
        /// Bonds in the own account.
        available: Amount,
        /// Coins asked for.
        needed: Amount,
    },
    /// An amount beyond what the books can hold.
    #[error("amount too large")]
    AmountTooLarge,
    /// The account is frozen.
    #[error("account {account} is frozen: {reason}")]
    AccountFrozen {
        /// The account.
        account: AccountId,
        /// The regulator's reason.
        reason: String,
    },
    /// A freeze or unfreeze needs a reason.
    #[error("a reason is required")]
    ReasonRequired,
    /// The bank is suspended by its central bank.
    #[error("bank {bank} is suspended by its central bank: {reason}")]
    BankSuspended {
        /// The bank.
        bank: AccountId,
        /// The central bank's reason.
        reason: String,
    },
    /// A governance proposal names the account as a new holder of a role.
    #[error("account {account} is reserved: governance proposal {proposal} gives it a role")]
    AccountReserved {
        /// The account.
        account: AccountId,
        /// The proposal.
        proposal: u64,
    },
    /// Suspended already.
    #[error("bank {bank} is already suspended")]
    AlreadySuspended {
        /// The bank.
        bank: AccountId,
    },
    /// Frozen already.
    #[error("account {account} is already frozen")]
    AlreadyFrozen {
        /// The account.
        account: AccountId,
    },
    /// Not frozen.
    #[error("account {account} is not frozen")]
    NotFrozen {
        /// The account.
        account: AccountId,
    },
    /// A settlement larger than the open claim.
    #[error("settlement of {} exceeds the open claim of {}", Coins(*.amount), Coins(*.claim))]
    SettlementExceedsClaim {
        /// The claim not yet covered by recorded settlements.
        claim: Amount,
        /// The settlement.
        amount: Amount,
    },
    /// No settlement has that number.
    #[error("no settlement number {id}")]
    UnknownSettlement {
        /// The number.
        id: u64,
    },
    /// Only the creditor confirms.
    #[error("only the creditor's central bank confirms settlement {id}")]
    NotCreditor {
        /// The number.
        id: u64,
    },
    /// Confirmed before.
    #[error("settlement {id} is already confirmed")]
    AlreadyConfirmed {
        /// The number.
        id: u64,
    },
    /// A seigniorage period must have a length.
    #[error("no time has passed since the last seigniorage period closed")]
    EmptyPeriod,
    /// Coins are held by banks and retail accounts only.
    #[error("account {account} is not a bank, merchant or person account and cannot hold coins")]
    NotCoinHolder {
        /// The account.
        account: AccountId,
    },
    /// A payment to oneself.
    #[error("payer and payee are the same account")]
    SelfPayment,
    /// Above the payer's tier's transfer cap.
    #[error("transfer of {} exceeds the KYC tier's transfer cap of {}", Coins(*.amount), Coins(*.cap))]
    TransferCapExceeded {
        /// The cap.
        cap: Amount,
        /// The amount.
        amount: Amount,
    },
    /// The payer's balance is below the amount.
    #[error("insufficient funds: balance {}, needed {}", Coins(*.balance), Coins(*.needed))]
    InsufficientFunds {
        /// Balance.
        balance: Amount,
        /// The amount.
        needed: Amount,
    },
    /// The payee's tier's balance cap would be exceeded.
    #[error("account {account} would hold {}, above its KYC tier's balance cap of {}", Coins(*.would_be), Coins(*.cap))]
    BalanceCapExceeded {
        /// The payee.
        account: AccountId,
        /// The cap.
        cap: Amount,
        /// Its balance after the payment.
        would_be: Amount,
    },
    /// Only banks and regulators receive travel-rule data.
    #[error("only a bank or a regulator registers a travel-rule key")]
    NotBankOrRegulator,
    /// A party entitled to travel-rule data has registered no key.
    #[error("{account} has registered no travel-rule key")]
    NoTravelKey {
        /// The account.
        account: AccountId,
    },
    /// A cross-border payment at or above the threshold without its data.
    #[error("cross-border payments of {} or more must carry travel-rule data", Coins(*.threshold))]
    TravelRuleRequired {
        /// The threshold.
        threshold: Amount,
    },
    /// Only an economy's cash center may send this call.
    #[error("only a cash center may do this")]
    NotCashCenter,
    /// Only an economy's device center may send this call.
    #[error("only a device center may do this")]
    NotDeviceCenter,
    /// The economy's device center has published no key yet.
    #[error("economy {economy} has no device-center key: wallets cannot be checked")]
    NoDeviceKey {
        /// The economy.
        economy: EconomyCode,
    },
    /// The wallet certificate does not decode or does not verify.
    #[error("the wallet certificate is not valid: {reason}")]
    BadWalletCertificate {
        /// Why.
        reason: String,
    },
    /// The wallet did not sign its binding to the account.
    #[error("wallet {wallet} did not sign its binding to this account")]
    BadWalletPossession {
        /// The wallet.
        wallet: u64,
    },
    /// The wallet is bound to another account.
    #[error("wallet {wallet} is bound to another account")]
    WalletBoundElsewhere {
        /// The wallet.
        wallet: u64,
    },
    /// No account has loaded this wallet.
    #[error("wallet {wallet} is bound to no account")]
    UnknownWallet {
        /// The wallet.
        wallet: u64,
    },
    /// The deposit names an account the wallet is not bound to.
    #[error("wallet {wallet} is not bound to account {account}")]
    WalletNotBoundTo {
        /// The wallet.
        wallet: u64,
        /// The account named.
        account: AccountId,
    },
    /// A note already credited (or named twice in one deposit).
    #[error("note {serial} of {economy}'s center was credited already")]
    NoteAlreadyCredited {
        /// The center's economy.
        economy: EconomyCode,
        /// The note.
        serial: u64,
    },
    /// A wallet number outside the loading account's economy's range: its
    /// device center numbers wallets under the economy's two letters.
    #[error("wallet {wallet} is not numbered as a wallet of {economy}")]
    WalletOfAnotherEconomy {
        /// The wallet.
        wallet: u64,
        /// The loading account's economy.
        economy: EconomyCode,
    },
    /// The wallet was revoked by its account or its device center.
    #[error("wallet {wallet} is revoked")]
    WalletRevoked {
        /// The wallet.
        wallet: u64,
    },
    /// The wallet is blacklisted.
    #[error("wallet {wallet} is blacklisted")]
    WalletBlacklisted {
        /// The wallet.
        wallet: u64,
    },
    /// Only the wallet's account or its economy's device center revokes it.
    #[error("only wallet {wallet}'s account or its economy's device center may revoke it")]
    NotWalletHolder {
        /// The wallet.
        wallet: u64,
    },
    /// Blacklist evidence that does not prove what it claims.
    #[error("the evidence does not prove a double spend: {reason}")]
    BadEvidence {
        /// Why.
        reason: String,
    },
    /// A deposit larger than the value the economy's wallets hold.
    #[error("a deposit of {needed} exceeds {economy}'s offline float of {float}")]
    FloatExceeded {
        /// The center's economy.
        economy: EconomyCode,
        /// The float.
        float: Amount,
        /// The deposit.
        needed: Amount,
    },
    /// A load above the most one load may move.
    #[error("a load moves at most {max}")]
    LoadTooLarge {
        /// The most.
        max: Amount,
    },
    /// No load of that account and nonce waits for its notes (never made,
    /// or already recorded as issued).
    #[error("no load by {account} at nonce {nonce} waits for its notes to be recorded")]
    UnknownLoad {
        /// The loading account.
        account: AccountId,
        /// The load's nonce.
        nonce: u64,
    },
    /// An issued range that is empty, too long, or overlaps one recorded
    /// before.
    #[error("serials {first_serial} to {last_serial} of {economy}'s center are not a new range")]
    SerialsTaken {
        /// The center's economy.
        economy: EconomyCode,
        /// The range's first serial.
        first_serial: u64,
        /// Its last serial.
        last_serial: u64,
    },
    /// A deposited note outside every range its center recorded as issued.
    #[error("note {serial} of {economy}'s center was never recorded as issued")]
    NoteNotIssued {
        /// The center's economy.
        economy: EconomyCode,
        /// The note.
        serial: u64,
    },
    /// A write-off before the range's notes and their claims are over.
    #[error("the notes issued from serial {first_serial} by {economy}'s center may be written off from {from_ms} (ms since the epoch), not before")]
    RangeNotExpired {
        /// The center's economy.
        economy: EconomyCode,
        /// The range's first serial.
        first_serial: u64,
        /// When it may be written off.
        from_ms: u64,
    },
    /// No recorded range starts at that serial.
    #[error("no notes of {economy}'s center were recorded from serial {first_serial}")]
    UnknownRange {
        /// The center's economy.
        economy: EconomyCode,
        /// The serial named.
        first_serial: u64,
    },
    /// Credits from one issued range beyond the notes' worth.
    #[error("the notes issued from serial {first_serial} by {economy}'s center were worth {total}: no more is credited from them")]
    RangeExhausted {
        /// The center's economy.
        economy: EconomyCode,
        /// The range's first serial.
        first_serial: u64,
        /// What the range was worth.
        total: Amount,
    },
}

impl MoneyError {
    /// The error's stable code, as the API spells it (the JSON `code`).
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::NoMoneyModule => "no_money_module",
            MoneyError::NotCentralBank => "not_central_bank",
            MoneyError::NotIssuer => "not_issuer",
            MoneyError::NotRegulator => "not_regulator",
            MoneyError::NotBank => "not_bank",
            MoneyError::NotRegulatorOf { .. } => "not_regulator_of",
            MoneyError::NotABankOf { .. } => "not_a_bank_of",
            MoneyError::OnlyCentralBankOpensBanks => "only_central_bank_opens_banks",
            MoneyError::OnlyBankOpensRetail => "only_bank_opens_retail",
            MoneyError::RoleNotGrantable => "role_not_grantable",
            MoneyError::AccountExists { .. } => "account_exists",
            MoneyError::UnknownTier { .. } => "unknown_tier",
            MoneyError::NotAgency => "not_agency",
            MoneyError::OpensAtEntryTier { .. } => "opens_at_entry_tier",
            MoneyError::BadPurseCategories => "bad_purse_categories",
            MoneyError::NotRetailOf { .. } => "not_retail_of",
            MoneyError::BadPurseExpiry => "bad_purse_expiry",
            MoneyError::UnknownPurse { .. } => "unknown_purse",
            MoneyError::NotPurseBeneficiary { .. } => "not_purse_beneficiary",
            MoneyError::NotAMerchantOf { .. } => "not_a_merchant_of",
            MoneyError::CategoryNotAllowed { .. } => "category_not_allowed",
            MoneyError::PurseTooSmall { .. } => "purse_too_small",
            MoneyError::NotItsBank { .. } => "not_its_bank",
            MoneyError::SameTier { .. } => "same_tier",
            MoneyError::KycRequired { .. } => "kyc_required",
            MoneyError::UnknownCurrency { .. } => "unknown_currency",
            MoneyError::StaleRate { .. } => "stale_rate",
            MoneyError::InstrumentRequired => "instrument_required",
            MoneyError::ZeroAmount => "zero_amount",
            MoneyError::MaturityPassed { .. } => "maturity_passed",
            MoneyError::UnknownContribution { .. } => "unknown_contribution",
            MoneyError::AlreadyAccepted { .. } => "already_accepted",
            MoneyError::ContributionWithdrawn { .. } => "contribution_withdrawn",
            MoneyError::NotYourContribution { .. } => "not_your_contribution",
            MoneyError::InvariantBroken { .. } => "invariant_broken",
            MoneyError::InsufficientOwnBonds { .. } => "insufficient_own_bonds",
            MoneyError::AmountTooLarge => "amount_too_large",
            MoneyError::AccountFrozen { .. } => "account_frozen",
            MoneyError::ReasonRequired => "reason_required",
            MoneyError::AlreadyFrozen { .. } => "already_frozen",
            MoneyError::BankSuspended { .. } => "bank_suspended",
            MoneyError::AccountReserved { .. } => "account_reserved",
            MoneyError::AlreadySuspended { .. } => "already_suspended",
            MoneyError::NotFrozen { .. } => "not_frozen",
            MoneyError::SettlementExceedsClaim { .. } => "settlement_exceeds_claim",
            MoneyError::UnknownSettlement { .. } => "unknown_settlement",
            MoneyError::NotCreditor { .. } => "not_creditor",
            MoneyError::AlreadyConfirmed { .. } => "already_confirmed",
            MoneyError::EmptyPeriod => "empty_period",
            MoneyError::NotCoinHolder { .. } => "not_coin_holder",
            MoneyError::SelfPayment => "self_payment",
            MoneyError::TransferCapExceeded { .. } => "transfer_cap_exceeded",
            MoneyError::InsufficientFunds { .. } => "insufficient_funds",
            MoneyError::BalanceCapExceeded { .. } => "balance_cap_exceeded",
            MoneyError::TravelRuleRequired { .. } => "travel_rule_required",
            MoneyError::NotBankOrRegulator => "not_bank_or_regulator",
            MoneyError::NoTravelKey { .. } => "no_travel_key",
            MoneyError::NotCashCenter => "not_cash_center",
            MoneyError::NotDeviceCenter => "not_device_center",
            MoneyError::NoDeviceKey { .. } => "no_device_key",
            MoneyError::BadWalletCertificate { .. } => "bad_wallet_certificate",
            MoneyError::BadWalletPossession { .. } => "bad_wallet_possession",
            MoneyError::WalletBoundElsewhere { .. } => "wallet_bound_elsewhere",
            MoneyError::UnknownWallet { .. } => "unknown_wallet",
            MoneyError::WalletNotBoundTo { .. } => "wallet_not_bound_to",
            MoneyError::NoteAlreadyCredited { .. } => "note_already_credited",
            MoneyError::FloatExceeded { .. } => "float_exceeded",
            MoneyError::WalletOfAnotherEconomy { .. } => "wallet_of_another_economy",
            MoneyError::WalletRevoked { .. } => "wallet_revoked",
            MoneyError::WalletBlacklisted { .. } => "wallet_blacklisted",
            MoneyError::NotWalletHolder { .. } => "not_wallet_holder",
            MoneyError::BadEvidence { .. } => "bad_evidence",
            MoneyError::UnknownLoad { .. } => "unknown_load",
            MoneyError::LoadTooLarge { .. } => "load_too_large",
            MoneyError::SerialsTaken { .. } => "serials_taken",
            MoneyError::NoteNotIssued { .. } => "note_not_issued",
            MoneyError::RangeExhausted { .. } => "range_exhausted",
            MoneyError::RangeNotExpired { .. } => "range_not_expired",
            MoneyError::UnknownRange { .. } => "unknown_range",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_codes_match_their_json_tags() {
        let account = eiraku_core::Keypair::from_seed(1).account_id();
        for error in [
            MoneyError::NotABankOf {
                account,
                economy: EconomyCode::new("JP").unwrap(),
            },
            MoneyError::TravelRuleRequired {
                threshold: Amount(5),
            },
            MoneyError::NoMoneyModule,
            MoneyError::AccountFrozen {
                account,
                reason: "r".into(),
            },
            MoneyError::BankSuspended {
                bank: account,
                reason: "r".into(),
            },
            MoneyError::AlreadySuspended { bank: account },
            MoneyError::AccountReserved {
                account,
                proposal: 3,
            },
            MoneyError::InvariantBroken {
                invariant: "money.backing".into(),
                detail: "d".into(),
            },
            MoneyError::KycRequired {
                account,
                reason: crate::money::KycRefusal::Revoked,
            },
            MoneyError::CategoryNotAllowed {
                category: 5912,
                allowed: vec![5411],
            },
        ] {
            let json = serde_json::to_value(&error).unwrap();
            assert_eq!(json["code"], error.code());
            let back: MoneyError = serde_json::from_value(json).unwrap();
            assert_eq!(back, error);
        }
    }
}
