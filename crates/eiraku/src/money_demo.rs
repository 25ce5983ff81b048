//! The default money configuration of a local network: the 14 economies of
//! ASEAN+3, the ACU basket, and demo officials, banks, merchants and persons
//! with keys and opening balances (DESIGN.md §3, seed 004 §3–7).
//!
//! The ACU basket is built the way the ECU was: each member's weight (a
//! rounded share of regional GDP) is turned into a fixed quantity of its
//! currency at reference rates, so that one ACU is worth one US dollar on the
//! reference date. After that the quantities never change and the ACU floats
//! with its members' rates.

use eiraku_core::{
    travel_rule::TravelKey, AccountId, Amount, BasketPart, CoinUnit, CurrencyCode, EconomyCode,
    GenesisAccount, GenesisContribution, GenesisEconomy, MoneyGenesis, Rate, RetailKind, Role,
    TierCaps,
};
use rust_decimal::{prelude::ToPrimitive, Decimal};
use std::{collections::BTreeMap, str::FromStr};

/// (economy, currency, weight in percent, reference rate in USD per unit).
/// Weights: rounded shares of the region's GDP, summing to 100. Rates: demo
/// reference rates, posted by each central bank at genesis.
pub const MEMBERS: [(&str, &str, &str, &str); 14] = [
    ("CN", "CNY", "35", "0.14"),
    ("JP", "JPY", "25", "0.0065"),
    ("KR", "KRW", "10", "0.00069"),
    ("ID", "IDR", "7", "0.00006"),
    ("HK", "HKD", "4", "0.128"),
    ("SG", "SGD", "4", "0.77"),
    ("TH", "THB", "4", "0.031"),
    ("MY", "MYR", "3", "0.24"),
    ("PH", "PHP", "3", "0.017"),
    ("VN", "VND", "3", "0.000038"),
    ("BN", "BND", "0.5", "0.77"),
    ("KH", "KHR", "0.5", "0.00025"),
    ("LA", "LAK", "0.5", "0.000046"),
    ("MM", "MMK", "0.5", "0.00048"),
];

/// Coins are counted in hundredths of an ACU.
pub const ACU: u128 = 100;

/// KYC tier 1 (basic): 10,000 ACU held, 2,000 ACU per transfer.
/// Tier 2 (full): 10 billion ACU held, 1 billion per transfer.
pub const TIERS: [TierCaps; 2] = [
    TierCaps {
        tier: 1,
        balance_cap: Amount(10_000 * ACU),
        transfer_cap: Amount(2_000 * ACU),
    },
    TierCaps {
        tier: 2,
        balance_cap: Amount(10_000_000_000 * ACU),
        transfer_cap: Amount(1_000_000_000 * ACU),
    },
];

/// Cross-border payments from 1,000 ACU on carry travel-rule data (the FATF
/// threshold).
pub const TRAVEL_RULE_THRESHOLD: Amount = Amount(1_000 * ACU);

/// Rates older than a day are stale.
pub const MAX_RATE_AGE_MS: u64 = 24 * 60 * 60 * 1000;

/// Issuance bonds each economy keeps in its own account beyond its opening
/// balances, so its central bank can issue coins at once.
const OWN_RESERVE: u128 = 100_000_000 * ACU;

/// One demo account: its key label, role and opening balance.
pub struct DemoAccount {
    /// Key file name in `accounts/` (without `.key`).
    pub label: String,
    /// Its role (`None` for the officials, whose roles come from the money
    /// section).
    pub role: Option<Role>,
    /// Opening balance, coin minor units.
    pub balance: Amount,
    /// For a merchant or person: the label of the bank that opened it
    /// (listed before it).
    pub bank: Option<String>,
}

fn economy(code: &str) -> EconomyCode {
    EconomyCode::new(code).expect("member code")
}

fn retail(code: &str, kind: RetailKind, tier: u8) -> Option<Role> {
    Some(Role::Retail {
        economy: economy(code),
        kind,
        tier,
    })
}

/// Every demo account besides the officials: per economy two banks, a shop
/// and a person; plus `faucet` (a Japanese bank with a large float that
/// funds benchmarks), the README's `alice` (JP), `bob` (PH) and `carol`
/// (a Thai merchant), Japan's cash center and device center, and its KYC
/// attester `kyc-jp`, registrar `registrar-jp` and benefits agency
/// `agency-jp`.
pub fn demo_accounts() -> Vec<DemoAccount> {
    let mut accounts = Vec::new();
    let mut add = |label: String, role: Option<Role>, balance: u128| {
        // Merchants and persons are customers of their economy's first bank.
        let bank = match role {
            Some(Role::Retail { economy, .. }) => {
                Some(format!("bank-{}-1", economy.as_str().to_lowercase()))
            }
            _ => None,
        };
        accounts.push(DemoAccount {
            label,
            role,
            balance: Amount(balance),
            bank,
        })
    };
    for (code, ..) in MEMBERS {
        let lower = code.to_lowercase();
        for n in 1..=2 {
            let bank = Some(Role::Bank {
                economy: economy(code),
            });
            add(format!("bank-{lower}-{n}"), bank, 1_000_000 * ACU);
        }
        add(
            format!("shop-{lower}"),
            retail(code, RetailKind::Merchant { category: 5411 }, 2),
            20_000 * ACU,
        );
        add(
            format!("person-{lower}"),
            retail(code, RetailKind::Person, 1),
            5_000 * ACU,
        );
    }
    let faucet = Some(Role::Bank {
        economy: economy("JP"),
    });
    add("faucet".into(), faucet, 10_000_000_000 * ACU);
    add(
        "alice".into(),
        retail("JP", RetailKind::Person, 2),
        10_000 * ACU,
    );
    add(
        "bob".into(),
        retail("PH", RetailKind::Person, 2),
        10_000 * ACU,
    );
    add(
        "carol".into(),
        retail("TH", RetailKind::Merchant { category: 5812 }, 2),
        10_000 * ACU,
    );
    // Japan's offline cash: its issuance center and its wallets' device
    // center (roles only; coins reach wallets from account loads).
    let japan = economy("JP");
    add(
        "cash-center-jp".into(),
        Some(Role::CashCenter { economy: japan }),
        0,
    );
    add(
        "device-center-jp".into(),
        Some(Role::DeviceCenter { economy: japan }),
        0,
    );
    // Japan's KYC attester: its attestations let banks move customers up
    // a tier (the registries' worked examples).
    add("kyc-jp".into(), Some(Role::Attester { economy: japan }), 0);
    // Japan's registrar: a registry authority (base registries).
    add(
        "registrar-jp".into(),
        Some(Role::RegistryAuthority { economy: japan }),
        0,
    );
    // Japan's benefits agency (an account at its central bank): it pushes
    // purpose-bound purses.
    add(
        "agency-jp".into(),
        Some(Role::Agency { economy: japan }),
        1_000_000 * ACU,
    );
    accounts
}

/// Labels of an economy's officials.
pub fn official_labels(code: &str) -> (String, String) {
    let lower = code.to_lowercase();
    (format!("cb-{lower}"), format!("reg-{lower}"))
}

/// The money section of the genesis: `key(label)` gives each official's
/// account; `accounts` are the genesis accounts, whose balances each
/// economy's genesis contribution must back.
pub fn money_genesis(
    key: &mut impl FnMut(&str) -> anyhow::Result<AccountId>,
    travel_key: &mut impl FnMut(&str) -> anyhow::Result<TravelKey>,
    accounts: &[GenesisAccount],
    genesis_time_ms: u64,
) -> anyhow::Result<MoneyGenesis> {
    let decimal = |text: &str| Decimal::from_str(text).expect("demo constant");
    let basket = MEMBERS
        .iter()
        .map(|(_, currency, weight, rate)| {
            let quantity = (decimal(weight) / Decimal::ONE_HUNDRED / decimal(rate))
                .round_sf(4)
                .expect("four significant digits");
            Ok(BasketPart {
                currency: CurrencyCode::new(currency).map_err(anyhow::Error::msg)?,
                quantity: Rate::new(quantity).map_err(anyhow::Error::msg)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    // One ACU in USD at the reference rates (1 up to the rounding above).
    let acu_usd: Decimal = basket
        .iter()
        .zip(MEMBERS)
        .map(|(part, (.., rate))| part.quantity.value() * decimal(rate))
        .sum();
    let mut opening: BTreeMap<EconomyCode, u128> = BTreeMap::new();
    for account in accounts {
        if let Some(code) = account.role.and_then(|r| r.economy()) {
            *opening.entry(code).or_default() += account.balance.0;
        }
    }
    let economies = MEMBERS
        .iter()
        .map(|(code, currency, _, rate)| {
            let (cb, reg) = official_labels(code);
            let backing = opening.get(&economy(code)).copied().unwrap_or(0) + OWN_RESERVE;
            // Face in the member's minor units worth `backing` coins, with
            // 1% to spare for rounding.
            let face = (Decimal::from(backing) * acu_usd / decimal(rate) * decimal("1.01")).ceil();
            Ok(GenesisEconomy {
                code: economy(code),
                currency: CurrencyCode::new(currency).map_err(anyhow::Error::msg)?,
                central_bank: key(&cb)?,
                regulator: key(&reg)?,
                regulator_travel_key: Some(travel_key(&reg)?),
                rate: rate.parse().map_err(anyhow::Error::msg)?,
                tiers: TIERS.to_vec(),
                contribution: Some(GenesisContribution {
                    instrument: format!("{code}-GENESIS-RESERVE"),
                    face: Amount(face.to_u128().ok_or_else(|| {
                        anyhow::anyhow!("genesis contribution of {code} is too large")
                    })?),
                    yield_bps: 300,
                    maturity_ms: genesis_time_ms + 10 * 365 * 24 * 60 * 60 * 1000,
                }),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(MoneyGenesis {
        unit: CoinUnit::Basket { basket },
        numeraire: CurrencyCode::new("USD").map_err(anyhow::Error::msg)?,
        max_rate_age_ms: MAX_RATE_AGE_MS,
        travel_rule_threshold: TRAVEL_RULE_THRESHOLD,
        issuer: key("issuer")?,
        economies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_hundred_and_one_acu_is_about_one_dollar() {
        let total: Decimal = MEMBERS
            .iter()
            .map(|(_, _, w, _)| Decimal::from_str(w).unwrap())
            .sum();
        assert_eq!(total, Decimal::ONE_HUNDRED);
        let mut n = 0u64;
        let money = money_genesis(
            &mut |_| {
                n += 1;
                Ok(eiraku_core::Keypair::from_seed(n).account_id())
            },
            &mut |_| Ok(TravelKey([1; 32])),
            &[],
            0,
        )
        .unwrap();
        let CoinUnit::Basket { basket } = &money.unit else {
            panic!("the default unit is the ACU basket");
        };
        let usd: Decimal = basket
            .iter()
            .zip(MEMBERS)
            .map(|(p, (.., rate))| p.quantity.value() * Decimal::from_str(rate).unwrap())
            .sum();
        assert!(
            (usd - Decimal::ONE).abs() < Decimal::from_str("0.001").unwrap(),
            "{usd}"
        );
        money.validate().unwrap();
    }
}
