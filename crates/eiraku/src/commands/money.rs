//! `eiraku money …`: every operation of the money module as a signed
//! transaction, and its two queries. Senders and accounts are key files or
//! the demo labels of a local network (`cb-jp`, `bank-jp-1`, `alice`, …).

use super::{coins, NodeArgs};
use crate::{
    keyfile,
    output::{print_json, print_line},
    submit::{self, SendOptions},
    travel_rule, Client,
};
use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use eiraku_core::{
    digest, travel_rule::TravelSecret, AccountId, Amount, Call, CurrencyCode, EconomyCode,
    MoneyCall, RetailKind, Role,
};
use std::{
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

/// Merchant or person.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Kind {
    /// A shop or other business.
    Merchant,
    /// A natural person.
    Person,
}

/// The money module's commands.
#[derive(Subcommand)]
pub enum MoneyCommand {
    /// Central bank: post its currency's rate (numeraire units per unit).
    PostRate {
        /// The central bank's key (file or demo label, e.g. cb-jp).
        #[arg(long)]
        from: String,
        /// The rate, a decimal (e.g. 0.0065).
        #[arg(long)]
        rate: String,
    },
    /// Central bank: set a KYC tier's caps in its economy.
    SetTier {
        /// The central bank's key.
        #[arg(long)]
        from: String,
        /// The tier.
        #[arg(long)]
        tier: u8,
        /// Largest balance, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        balance_cap: u128,
        /// Largest single transfer, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        transfer_cap: u128,
    },
    /// Central bank: open a bank in its economy.
    OpenBank {
        /// The central bank's key.
        #[arg(long)]
        from: String,
        /// The bank's account (hex id, key file or demo label).
        #[arg(long)]
        account: String,
    },
    /// Central bank: open a public agency or aid organisation's account in
    /// its economy (it holds coins and pushes purses).
    OpenAgency {
        /// The central bank's key.
        #[arg(long)]
        from: String,
        /// The agency's account (hex id, key file or demo label).
        #[arg(long)]
        account: String,
    },
    /// Bank: open a merchant or person account in its economy.
    OpenAccount {
        /// The bank's key.
        #[arg(long)]
        from: String,
        /// The new account (hex id, key file or demo label).
        #[arg(long)]
        account: String,
        /// Merchant or person.
        #[arg(long, value_enum)]
        kind: Kind,
        /// A merchant's category code (ISO 18245, e.g. 5411 grocery):
        /// what purpose-bound purses pay for.
        #[arg(long, default_value_t = 0)]
        category: u16,
        /// KYC tier.
        #[arg(long)]
        tier: u8,
    },
    /// Bank: move one of its customers to another KYC tier. Moving up
    /// names a KYC attestation about the customer (`eiraku attest issue
    /// --schema kyc/v1`), valid now, from an attester of its economy.
    ChangeTier {
        /// The bank's key.
        #[arg(long)]
        from: String,
        /// The customer's account (hex id, key file or demo label).
        #[arg(long)]
        account: String,
        /// The new tier.
        #[arg(long)]
        tier: u8,
        /// The KYC attestation (its hash), to move up.
        #[arg(long)]
        attestation: Option<String>,
    },
    /// Central bank: offer sovereign bonds or currency to the issuer.
    Contribute {
        /// The central bank's key.
        #[arg(long)]
        from: String,
        /// Instrument identifier (e.g. an ISIN).
        #[arg(long)]
        instrument: String,
        /// Currency code (ISO 4217).
        #[arg(long)]
        currency: String,
        /// Face amount, minor units of the currency.
        #[arg(long)]
        face: u128,
        /// Yield, basis points per year.
        #[arg(long)]
        yield_bps: u32,
        /// Days from now to maturity.
        #[arg(long)]
        maturity_days: u64,
    },
    /// Issuer: accept a contribution (issuance bonds to the contributor's own account).
    Accept {
        /// The issuer's key.
        #[arg(long)]
        from: String,
        /// The contribution's number.
        #[arg(long)]
        id: u64,
    },
    /// Central bank: withdraw its own contribution while it is still pending.
    Withdraw {
        /// The central bank's key.
        #[arg(long)]
        from: String,
        /// The contribution's number.
        #[arg(long)]
        id: u64,
    },
    /// Central bank: issue coins to one of its banks (own → issued account).
    Issue {
        /// The central bank's key.
        #[arg(long)]
        from: String,
        /// The bank.
        #[arg(long)]
        bank: String,
        /// Coins, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        amount: u128,
    },
    /// Pay coins to any bank, merchant or person, cross-border included.
    Pay {
        /// The payer's key.
        #[arg(long)]
        from: String,
        /// The payee.
        #[arg(long)]
        to: String,
        /// Coins, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        amount: u128,
        /// Travel-rule originator, `"name; address or id"` (cross-border
        /// payments at or above the threshold): sealed to both banks and
        /// both regulators, deposited at the node; the payment names its
        /// digest.
        #[arg(long, requires = "beneficiary")]
        originator: Option<String>,
        /// Travel-rule beneficiary, `"name; address or id"`.
        #[arg(long, requires = "originator")]
        beneficiary: Option<String>,
    },
    /// Bank or regulator: open its copy of a payment's travel-rule data.
    OpenTravelRule {
        /// The envelope's digest (hex; printed by `pay`).
        #[arg(long)]
        digest: String,
        /// Whose copy: the bank or regulator (hex id, key file or demo label).
        #[arg(long = "as")]
        holder: String,
        /// Its X25519 secret key file (default: the demo's
        /// `accounts/LABEL.travel.key`).
        #[arg(long)]
        travel_key: Option<PathBuf>,
    },
    /// Bank or regulator: register the key travel-rule data is sealed to.
    RegisterTravelKey {
        /// The bank's or regulator's key.
        #[arg(long)]
        from: String,
        /// Where to write the new X25519 secret.
        #[arg(long)]
        out: PathBuf,
    },
    /// Bank: redeem coins at its central bank (burned; bonds move back).
    Redeem {
        /// The bank's key.
        #[arg(long)]
        from: String,
        /// Coins, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        amount: u128,
    },
    /// Regulator: freeze an account of its economy.
    Freeze {
        /// The regulator's key (e.g. reg-jp).
        #[arg(long)]
        from: String,
        /// The account.
        #[arg(long)]
        account: String,
        /// Why (recorded on chain).
        #[arg(long)]
        reason: String,
    },
    /// Regulator: lift a freeze.
    Unfreeze {
        /// The regulator's key.
        #[arg(long)]
        from: String,
        /// The account.
        #[arg(long)]
        account: String,
        /// Why (recorded on chain).
        #[arg(long)]
        reason: String,
    },
    /// Central bank: suspend one of its banks (only a class-B governance
    /// proposal lifts it: `eiraku gov propose --lift-suspension BANK`).
    SuspendBank {
        /// The central bank's key (e.g. cb-jp).
        #[arg(long)]
        from: String,
        /// The bank.
        #[arg(long)]
        bank: String,
        /// Why (recorded on chain).
        #[arg(long)]
        reason: String,
    },
    /// Debtor central bank: record a settlement of a repatriation claim.
    ProposeSettlement {
        /// The debtor central bank's key.
        #[arg(long)]
        from: String,
        /// The creditor economy (e.g. TH).
        #[arg(long)]
        creditor: String,
        /// Coins, in the coin: 1.50 or "1.50 ACU" (or minor units: 150minor).
        #[arg(long, value_parser = coins)]
        amount: u128,
    },
    /// Creditor central bank: confirm a settlement; the claim clears.
    ConfirmSettlement {
        /// The creditor central bank's key.
        #[arg(long)]
        from: String,
        /// The settlement's number.
        #[arg(long)]
        id: u64,
    },
    /// Issuer: close the seigniorage period at the current block time.
    CloseSeigniorage {
        /// The issuer's key.
        #[arg(long)]
        from: String,
        /// Operating cost of the period, coin minor units.
        #[arg(long)]
        operating_cost: u128,
        /// Investment reserve kept, coin minor units.
        #[arg(long)]
        reserve: u128,
    },
    /// The coin's backing: circulation, bonds per economy, claims, seigniorage.
    Supply,
    /// The whole money state (economies, contributions, settlements, …).
    State,
}

/// Where the command goes and how it is sent.
pub struct MoneyTarget<'a> {
    /// The node's client.
    pub client: &'a Client,
    /// Local network folder (demo labels resolve there).
    pub network: &'a Path,
    /// Send options (`--no-wait`, nonce, chain id).
    pub options: SendOptions,
}

/// Runs one `eiraku money` command against `node`; `no_wait` returns once
/// the node accepted the transaction.
pub fn run(command: MoneyCommand, no_wait: bool, node: &NodeArgs) -> anyhow::Result<()> {
    let client = node.client()?;
    let target = MoneyTarget {
        client: &client,
        network: &node.network,
        options: SendOptions {
            nonce: None,
            chain_id: None,
            wait: !no_wait,
        },
    };
    execute(command, &target)
}

/// Runs one `eiraku money` command against `target`.
pub fn execute(command: MoneyCommand, target: &MoneyTarget<'_>) -> anyhow::Result<()> {
    let account = |text: &str| keyfile::resolve_account(text, target.network);
    let (from, call) = match command {
        MoneyCommand::Supply => return print_json(&target.client.money_supply()?),
        MoneyCommand::State => return print_json(&target.client.money_state()?),
        MoneyCommand::PostRate { from, rate } => (
            from,
            MoneyCall::PostRate {
                rate: rate.parse().map_err(anyhow::Error::msg)?,
            },
        ),
        MoneyCommand::SetTier {
            from,
            tier,
            balance_cap,
            transfer_cap,
        } => (
            from,
            MoneyCall::SetTierCaps {
                tier,
                balance_cap: Amount(balance_cap),
                transfer_cap: Amount(transfer_cap),
            },
        ),
        MoneyCommand::OpenBank {
            from,
            account: bank,
        } => {
            let key = sender(&from, target.network)?;
            let economy = economy_of(target.client, &key.account_id())?;
            let call = MoneyCall::OpenAccount {
                account: account(&bank)?,
                role: Role::Bank { economy },
            };
            return send(target, &key, call);
        }
        MoneyCommand::OpenAgency {
            from,
            account: agency,
        } => {
            let key = sender(&from, target.network)?;
            let economy = economy_of(target.client, &key.account_id())?;
            let call = MoneyCall::OpenAccount {
                account: account(&agency)?,
                role: Role::Agency { economy },
            };
            return send(target, &key, call);
        }
        MoneyCommand::OpenAccount {
            from,
            account: opened,
            kind,
            category,
            tier,
        } => {
            let key = sender(&from, target.network)?;
            let economy = economy_of(target.client, &key.account_id())?;
            let kind = match kind {
                Kind::Merchant => RetailKind::Merchant { category },
                Kind::Person if category == 0 => RetailKind::Person,
                Kind::Person => anyhow::bail!("a person has no merchant category"),
            };
            let call = MoneyCall::OpenAccount {
                account: account(&opened)?,
                role: Role::Retail {
                    economy,
                    kind,
                    tier,
                },
            };
            return send(target, &key, call);
        }
        MoneyCommand::ChangeTier {
            from,
            account: customer,
            tier,
            attestation,
        } => {
            let attestation = attestation
                .map(|text| digest::from_hex(&text).context("an attestation is 64 hex characters"))
                .transpose()?;
            let call = MoneyCall::ChangeTier {
                account: account(&customer)?,
                tier,
                attestation,
            };
            (from, call)
        }
        MoneyCommand::Contribute {
            from,
            instrument,
            currency,
            face,
            yield_bps,
            maturity_days,
        } => {
            let now_ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as u64;
            (
                from,
                MoneyCall::Contribute {
                    instrument,
                    currency: CurrencyCode::new(&currency).map_err(anyhow::Error::msg)?,
                    face: Amount(face),
                    yield_bps,
                    maturity_ms: now_ms + maturity_days * 24 * 60 * 60 * 1000,
                },
            )
        }
        MoneyCommand::Accept { from, id } => (from, MoneyCall::AcceptContribution { id }),
        MoneyCommand::Withdraw { from, id } => (from, MoneyCall::WithdrawContribution { id }),
        MoneyCommand::Issue { from, bank, amount } => (
            from,
            MoneyCall::IssueCoins {
                bank: account(&bank)?,
                amount: Amount(amount),
            },
        ),
        MoneyCommand::Pay {
            from,
            to,
            amount,
            originator,
            beneficiary,
        } => {
            let payer = sender(&from, target.network)?.account_id();
            let payee = account(&to)?;
            let travel_rule = match (originator, beneficiary) {
                (Some(originator), Some(beneficiary)) => {
                    let digest = travel_rule::seal_and_deposit(
                        target.client,
                        payer,
                        payee,
                        Amount(amount),
                        &originator,
                        &beneficiary,
                    )?;
                    print_line(&format!(
                        "travel-rule data sealed and deposited: {}",
                        digest::to_hex(&digest)
                    ))?;
                    Some(digest)
                }
                _ => None,
            };
            (
                from,
                MoneyCall::Pay {
                    to: payee,
                    amount: Amount(amount),
                    travel_rule,
                },
            )
        }
        MoneyCommand::OpenTravelRule {
            digest: text,
            holder,
            travel_key,
        } => {
            let digest = digest::from_hex(&text).context("a digest is 64 hex characters")?;
            let holder_id = account(&holder)?;
            let key_path = travel_key.unwrap_or_else(|| {
                target
                    .network
                    .join("accounts")
                    .join(format!("{holder}.travel.key"))
            });
            let secret_hex = std::fs::read_to_string(&key_path)
                .with_context(|| format!("cannot read {}", key_path.display()))?;
            let secret = TravelSecret::from_hex(&secret_hex).map_err(anyhow::Error::msg)?;
            let envelope = target.client.travel_rule(&digest)?;
            let data = envelope.open(&holder_id, &secret)?;
            return print_json(&data);
        }
        MoneyCommand::RegisterTravelKey { from, out } => {
            let (secret, public) = TravelSecret::generate();
            eiraku_node::home::write_secret(&out, &secret.to_hex())?;
            print_line(&format!("travel-rule secret written to {}", out.display()))?;
            (from, MoneyCall::RegisterTravelKey { key: public })
        }
        MoneyCommand::Redeem { from, amount } => (
            from,
            MoneyCall::Redeem {
                amount: Amount(amount),
            },
        ),
        MoneyCommand::Freeze {
            from,
            account: frozen,
            reason,
        } => (
            from,
            MoneyCall::Freeze {
                account: account(&frozen)?,
                reason,
            },
        ),
        MoneyCommand::Unfreeze {
            from,
            account: frozen,
            reason,
        } => (
            from,
            MoneyCall::Unfreeze {
                account: account(&frozen)?,
                reason,
            },
        ),
        MoneyCommand::SuspendBank { from, bank, reason } => (
            from,
            MoneyCall::SuspendBank {
                bank: account(&bank)?,
                reason,
            },
        ),
        MoneyCommand::ProposeSettlement {
            from,
            creditor,
            amount,
        } => (
            from,
            MoneyCall::ProposeSettlement {
                creditor: EconomyCode::new(&creditor).map_err(anyhow::Error::msg)?,
                amount: Amount(amount),
            },
        ),
        MoneyCommand::ConfirmSettlement { from, id } => (from, MoneyCall::ConfirmSettlement { id }),
        MoneyCommand::CloseSeigniorage {
            from,
            operating_cost,
            reserve,
        } => (
            from,
            MoneyCall::CloseSeigniorage {
                operating_cost: Amount(operating_cost),
                reserve: Amount(reserve),
            },
        ),
    };
    let key = sender(&from, target.network)?;
    send(target, &key, call.clone())?;
    print_created(target, &call)
}

/// After a contribution or a settlement proposal is final, prints the
/// number later commands name it by (`contribution N`, `settlement N`).
fn print_created(target: &MoneyTarget<'_>, call: &MoneyCall) -> anyhow::Result<()> {
    if !target.options.wait {
        return Ok(());
    }
    let created = match call {
        MoneyCall::Contribute {
            instrument, face, ..
        } => (target.client.money_state()?.contributions.iter())
            .rfind(|c| c.instrument == *instrument && c.face == *face)
            .map(|c| format!("contribution {}", c.id)),
        MoneyCall::ProposeSettlement { creditor, amount } => {
            (target.client.money_state()?.settlements.iter())
                .rfind(|s| s.creditor == *creditor && s.amount == *amount)
                .map(|s| format!("settlement {}", s.id))
        }
        _ => None,
    };
    match created {
        Some(line) => print_line(&line),
        None => Ok(()),
    }
}

fn sender(text: &str, network: &Path) -> anyhow::Result<keyfile::Signer> {
    keyfile::read(&keyfile::resolve_key_path(text, network))
}

fn send(target: &MoneyTarget<'_>, key: &keyfile::Signer, call: MoneyCall) -> anyhow::Result<()> {
    submit::send(target.client, key, Call::Money(call), &target.options)?;
    Ok(())
}

/// The economy of a central bank or bank, from its on-chain role.
fn economy_of(client: &Client, id: &AccountId) -> anyhow::Result<EconomyCode> {
    let view = client.account(id)?;
    view.role
        .and_then(|role| role.economy())
        .ok_or_else(|| anyhow::anyhow!("account {id} has no role in an economy"))
}
