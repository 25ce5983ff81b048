//! `eiraku devnet --traffic`: a background stream of realistic AMRO-coin
//! flows on the demo network. Three remittance corridors of seed 004's kind
//! (workers in Japan, Thailand and Korea sending home to the Philippines,
//! Cambodia and Vietnam) run a cycle: a bank pays a worker's salary, the
//! worker remits home (with travel-rule data above the threshold), the family
//! pays a shop, the shop deposits at its bank, the bank redeems at its
//! central bank. Central banks re-post their rates so they never go stale,
//! and top their banks up when they run low.

use crate::{keyfile, money_demo::ACU, submit, travel_rule, Client};
use eiraku_core::{AccountId, Amount, Call, ChainId, MoneyCall};
use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

/// (sending economy, receiving economy), lower-case demo codes.
pub const CORRIDORS: [(&str, &str); 3] = [("jp", "ph"), ("th", "kh"), ("kr", "vn")];

/// Rates are re-posted this often (well inside the demo's one-day limit).
const REPOST_EVERY: Duration = Duration::from_secs(600);

/// One step of a corridor's cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Salary,
    Remittance,
    ShopPayment,
    Deposit,
    Redemption,
}

const CYCLE: [Step; 5] = [
    Step::Salary,
    Step::Remittance,
    Step::ShopPayment,
    Step::Deposit,
    Step::Redemption,
];

/// Counts of what the generator sent.
#[derive(Default, Debug)]
pub struct TrafficCounts {
    /// Transactions accepted by the node.
    pub sent: u64,
    /// Transactions refused (a cap, a race with a previous step, …).
    pub refused: u64,
}

struct Generator {
    client: Client,
    chain_id: ChainId,
    network: std::path::PathBuf,
    counts: TrafficCounts,
}

impl Generator {
    fn key(&self, label: &str) -> anyhow::Result<keyfile::Signer> {
        keyfile::read(&keyfile::resolve_key_path(label, &self.network))
    }

    fn id(&self, label: &str) -> anyhow::Result<AccountId> {
        Ok(self.key(label)?.account_id())
    }

    fn balance(&self, label: &str) -> anyhow::Result<u128> {
        let view = self.client.account(&self.id(label)?)?;
        Ok(view.balance.0)
    }

    /// Signs and submits without waiting; a refusal is counted, not fatal.
    fn send(&mut self, label: &str, call: MoneyCall) -> anyhow::Result<()> {
        let key = self.key(label)?;
        let tx = submit::sign_next(&self.client, &self.chain_id, &key, Call::Money(call));
        match self.client.submit(&tx) {
            Ok(_) => self.counts.sent += 1,
            Err(error) if error.code().is_some() => {
                tracing::debug!("traffic: {label}: {error}");
                self.counts.refused += 1;
            }
            Err(error) => return Err(error.into()),
        }
        Ok(())
    }

    /// A payment; with `parties` (originator, beneficiary) its travel-rule
    /// data is sealed and deposited first.
    fn pay(
        &mut self,
        from: &str,
        to: &str,
        amount: u128,
        parties: Option<(&str, &str)>,
    ) -> anyhow::Result<()> {
        let (payer, payee) = (self.id(from)?, self.id(to)?);
        let travel_rule = match parties {
            Some((originator, beneficiary)) => Some(travel_rule::seal_and_deposit(
                &self.client,
                payer,
                payee,
                Amount(amount),
                originator,
                beneficiary,
            )?),
            None => None,
        };
        let call = MoneyCall::Pay {
            to: payee,
            amount: Amount(amount),
            travel_rule,
        };
        self.send(from, call)
    }

    fn repost_rates(&mut self) -> anyhow::Result<()> {
        let supply = self.client.money_supply()?;
        for books in supply.economies {
            let central_bank = format!("cb-{}", books.code.as_str().to_lowercase());
            let rate = books.rate;
            self.send(&central_bank, MoneyCall::PostRate { rate })?;
        }
        Ok(())
    }

    fn step(&mut self, (from, to): (&str, &str), step: Step, round: u64) -> anyhow::Result<()> {
        let worker = format!("person-{from}");
        let family = format!("person-{to}");
        let shop = format!("shop-{to}");
        let home_bank = format!("bank-{to}-1");
        let work_bank = format!("bank-{from}-1");
        // Amounts vary a little from round to round.
        let wiggle = (round % 7) as u128 * 10 * ACU;
        match step {
            Step::Salary => {
                if self.balance(&work_bank)? < 100_000 * ACU {
                    let call = MoneyCall::IssueCoins {
                        bank: self.id(&work_bank)?,
                        amount: Amount(1_000_000 * ACU),
                    };
                    self.send(&format!("cb-{from}"), call)?;
                }
                if self.balance(&worker)? < 5_000 * ACU {
                    self.pay(&work_bank, &worker, 1_500 * ACU + wiggle, None)?;
                }
            }
            Step::Remittance => {
                // Above the travel-rule threshold: sealed data goes first.
                let originator = format!("Worker of {from}; employed in {from}");
                let beneficiary = format!("Family of {to}; resident in {to}");
                let parties = Some((originator.as_str(), beneficiary.as_str()));
                self.pay(&worker, &family, 1_200 * ACU + wiggle, parties)?;
            }
            Step::ShopPayment => self.pay(&family, &shop, 300 * ACU + wiggle, None)?,
            Step::Deposit => {
                let takings = self.balance(&shop)?.min(2_000 * ACU);
                if takings > 0 {
                    self.pay(&shop, &home_bank, takings, None)?;
                }
            }
            Step::Redemption => {
                let held = self.balance(&home_bank)?;
                if held > 0 {
                    let call = MoneyCall::Redeem {
                        amount: Amount(held.min(1_000 * ACU)),
                    };
                    self.send(&home_bank, call)?;
                }
            }
        }
        Ok(())
    }
}

/// Runs the flows against `client` until `stop` is set, one corridor step
/// every `pace`; prints a line of counts every minute.
pub fn run(
    client: Client,
    network: &Path,
    pace: Duration,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<TrafficCounts> {
    let chain_id = client.status()?.chain_id;
    let mut generator = Generator {
        client,
        chain_id,
        network: network.to_path_buf(),
        counts: TrafficCounts::default(),
    };
    let mut reposted = Instant::now();
    let mut reported = Instant::now();
    let mut round = 0u64;
    while !stop.load(Ordering::SeqCst) {
        for step in CYCLE {
            for corridor in CORRIDORS {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                generator.step(corridor, step, round)?;
                std::thread::sleep(pace);
            }
        }
        round += 1;
        if reposted.elapsed() > REPOST_EVERY {
            generator.repost_rates()?;
            reposted = Instant::now();
        }
        if reported.elapsed() > Duration::from_secs(60) {
            let counts = &generator.counts;
            println!(
                "traffic: {} transactions sent, {} refused",
                counts.sent, counts.refused
            );
            reported = Instant::now();
        }
    }
    Ok(generator.counts)
}
