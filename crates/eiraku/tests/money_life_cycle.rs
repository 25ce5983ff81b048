//! The AMRO coin's whole life cycle on four validators (real processes on
//! loopback) with the ASEAN+3 demo genesis: contribute → accept → issuance
//! bonds → issue coins → bank → person → cross-border payment (travel rule)
//! → redeem in another economy → repatriate → settle → seigniorage period,
//! asserting balances and bond accounts at every step, through the API.

mod common;

use common::TestNetwork;
use eiraku::{submit::sign_next, Client};
use eiraku_api::{ReceiptView, SupplyView};
use eiraku_core::{
    hash,
    proof::{LightClient, StateProof},
    travel_rule::{Envelope, TravelKey, TravelRuleData, TravelSecret},
    AccountId, Amount, Call, ChainId, EconomyCode, Keypair, MoneyCall, Role, SignedTransaction,
    StateKey,
};
use eiraku_core::{GovernanceKey, MoneyKey};
use eiraku_state::authority::RoleGrant;
use std::{cell::Cell, collections::BTreeMap, time::Duration};

/// Sends money calls round-robin to the four validators and reads the books.
struct Desk {
    network: TestNetwork,
    chain_id: ChainId,
    next: Cell<usize>,
}

impl Desk {
    fn client(&self) -> Client {
        let index = self.next.get();
        self.next.set((index + 1) % 4);
        self.network.client(index)
    }

    fn id(&self, label: &str) -> AccountId {
        self.network.key(label).account_id()
    }

    fn sign(&self, label: &str, call: MoneyCall) -> SignedTransaction {
        let key: Keypair = self.network.key(label);
        sign_next(
            &self.network.client(0),
            &self.chain_id,
            &key,
            Call::Money(call),
        )
    }

    /// Submits to the next validator, waits until every validator has
    /// applied it (the next call may go to any of them, and its mempool
    /// checks against its own state), returns validator 0's receipt (the
    /// books are read from validator 0).
    fn send(&self, label: &str, call: MoneyCall) -> ReceiptView {
        let tx = self.sign(label, call);
        self.client().submit(&tx).expect("accepted");
        for index in (1..4).rev() {
            self.network
                .client(index)
                .wait_finalized(&tx.hash(), Duration::from_secs(60))
                .expect("finalized");
        }
        self.network
            .client(0)
            .wait_finalized(&tx.hash(), Duration::from_secs(60))
            .expect("finalized")
            .receipt
            .expect("receipt")
    }

    fn ok(&self, label: &str, call: MoneyCall) {
        let receipt = self.send(label, call);
        assert_eq!(
            receipt.outcome,
            eiraku_api::Outcome::Success,
            "{label}: {:?}",
            receipt.error
        );
    }

    /// A call the mempool refuses outright: the error code.
    fn refused(&self, label: &str, call: MoneyCall) -> String {
        let tx = self.sign(label, call);
        let error = self.client().submit(&tx).expect_err("refused");
        error.code().expect("typed refusal").to_string()
    }

    /// Seals a payment's travel-rule data and deposits it at the validator
    /// the next call goes to (the node a payment goes through holds its
    /// envelope).
    fn seal(&self, from: &str, to: &str, amount: u128) -> eiraku_core::Digest {
        eiraku::travel_rule::seal_and_deposit(
            &self.network.client(self.next.get()),
            self.id(from),
            self.id(to),
            Amount(amount),
            "Kim Minji; 12 Sejong-daero, Seoul",
            "Somchai Shop; 99 Sukhumvit, Bangkok",
        )
        .expect("sealed and deposited")
    }

    fn travel_secret(&self, label: &str) -> TravelSecret {
        let path = self
            .network
            .path()
            .join("accounts")
            .join(format!("{label}.travel.key"));
        TravelSecret::from_hex(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn supply(&self) -> SupplyView {
        self.network.client(0).money_supply().expect("supply")
    }

    fn balance(&self, label: &str) -> u128 {
        let view = self.network.client(0).account(&self.id(label)).unwrap();
        view.balance.0
    }
}

fn amount(amount: &Amount) -> u128 {
    amount.0
}

/// (own, issued) bonds of `code`.
fn books(supply: &SupplyView, code: &str) -> (u128, u128) {
    let economy = supply
        .economies
        .iter()
        .find(|e| e.code.as_str() == code)
        .expect("member economy");
    (economy.own_bonds.0, economy.issued_bonds.0)
}

fn issued_by_economy(supply: &SupplyView) -> BTreeMap<String, u128> {
    supply
        .economies
        .iter()
        .map(|e| (e.code.as_str().to_string(), e.issued_bonds.0))
        .collect()
}

#[test]
fn the_life_cycle_on_four_validators() {
    let network = TestNetwork::start_with(4, true);
    let chain_id = network.client(0).status().unwrap().chain_id;
    let desk = Desk {
        network,
        chain_id,
        next: Cell::new(0),
    };
    let alice = desk.network.client(0).account(&desk.id("alice")).unwrap();
    assert_eq!(
        (alice.granted_by, alice.grant_rule),
        (
            Some(desk.id("bank-jp-1")),
            Some(eiraku_api::GrantRule::Genesis)
        ),
        "the API names who granted a role and under which rule"
    );
    let start = desk.supply();
    assert_eq!(start.economies.len(), 14, "the ASEAN+3 economies");
    assert_eq!(start.pending_contributions, 0);
    let circulation = start.circulation.0;

    // Contribute: Korea offers 1,000,000,000 KRW of bonds (face in minor
    // units); nothing is issued until the issuer accepts.
    let (kr_own, kr_issued) = books(&start, "KR");
    desk.ok(
        "cb-kr",
        MoneyCall::Contribute {
            instrument: "KR103502GE97".into(),
            currency: "KRW".parse().unwrap(),
            face: Amount(100_000_000_000),
            yield_bps: 350,
            maturity_ms: u64::MAX / 2,
        },
    );
    let offered = desk.supply();
    assert_eq!(offered.pending_contributions, 1);
    assert_eq!(books(&offered, "KR"), (kr_own, kr_issued));

    // Accept: issuance bonds worth the contribution (about 690,000 ACU at
    // the demo rates) land in Korea's own account.
    let id = 14; // after the 14 genesis contributions
    assert_eq!(
        desk.refused("cb-kr", MoneyCall::AcceptContribution { id }),
        "not_issuer"
    );
    desk.ok("issuer", MoneyCall::AcceptContribution { id });
    let accepted = desk.supply();
    let (own, issued) = books(&accepted, "KR");
    let value = own - kr_own;
    assert!(
        (68_000_000..70_000_000).contains(&value),
        "1e9 KRW at 0.00069 USD ≈ 690,000 ACU, got {value}"
    );
    assert_eq!(issued, kr_issued);
    assert_eq!(accepted.pending_contributions, 0);

    // Issue coins to a bank: own → issued, the bank's balance grows.
    let bank_before = desk.balance("bank-kr-1");
    assert_eq!(
        desk.refused(
            "bank-kr-1",
            MoneyCall::IssueCoins {
                bank: desk.id("bank-kr-1"),
                amount: Amount(1)
            }
        ),
        "not_central_bank"
    );
    desk.ok(
        "cb-kr",
        MoneyCall::IssueCoins {
            bank: desk.id("bank-kr-1"),
            amount: Amount(50_000_000),
        },
    );
    let issued_now = desk.supply();
    assert_eq!(
        books(&issued_now, "KR"),
        (own - 50_000_000, issued + 50_000_000)
    );
    assert_eq!(desk.balance("bank-kr-1"), bank_before + 50_000_000);
    assert_eq!(issued_now.circulation.0, circulation + 50_000_000);

    // Bank → person.
    let person_before = desk.balance("person-kr");
    desk.ok(
        "bank-kr-1",
        MoneyCall::Pay {
            to: desk.id("person-kr"),
            amount: Amount(300_000),
            travel_rule: None,
        },
    );
    assert_eq!(desk.balance("person-kr"), person_before + 300_000);

    // Cross-border payment KR → TH of 1,500 ACU: the travel rule applies.
    let pay_shop = |data: Option<eiraku_core::Digest>| MoneyCall::Pay {
        to: desk.id("shop-th"),
        amount: Amount(150_000),
        travel_rule: data,
    };
    assert_eq!(
        desk.refused("person-kr", pay_shop(None)),
        "travel_rule_required"
    );
    // A digest of data never deposited is refused by the node taking it.
    assert_eq!(
        desk.refused("person-kr", pay_shop(Some(hash(&[b"never deposited"])))),
        "travel_rule_unknown"
    );
    // An envelope that leaves out a party entitled to it, or that is not an
    // envelope at all, is refused with a typed error.
    let client = desk.network.client(0);
    let (payer, payee) = (desk.id("person-kr"), desk.id("shop-th"));
    let recipients: Vec<(AccountId, TravelKey)> = client
        .travel_recipients(&payer, &payee)
        .unwrap()
        .into_iter()
        .map(|r| (r.account, r.key))
        .collect();
    assert_eq!(recipients.len(), 4, "two banks, two regulators");
    let data = TravelRuleData {
        originator: eiraku::travel_rule::party("Kim Minji", payer),
        beneficiary: eiraku::travel_rule::party("Somchai Shop", payee),
    };
    let partial = Envelope::seal(&data, payer, payee, Amount(150_000), &recipients[..3]).unwrap();
    let refusal = client.deposit_travel_rule(&partial).unwrap_err();
    assert_eq!(refusal.code(), Some("travel_rule_missing_recipient"));
    let mut garbled = Envelope::seal(&data, payer, payee, Amount(150_000), &recipients).unwrap();
    garbled.copies[1].encapsulated_key = "zz".into();
    let refusal = client.deposit_travel_rule(&garbled).unwrap_err();
    assert_eq!(refusal.code(), Some("travel_rule_malformed"));
    let sealed = desk.seal("person-kr", "shop-th", 150_000);
    // Sealed to both banks and both regulators: the Thai regulator opens
    // its copy.
    let envelope = desk
        .network
        .client(desk.next.get())
        .travel_rule(&sealed)
        .unwrap();
    assert_eq!(envelope.copies.len(), 4);
    let data = envelope
        .open(&desk.id("reg-th"), &desk.travel_secret("reg-th"))
        .unwrap();
    assert_eq!(data.originator.name, "Kim Minji");
    let shop_before = desk.balance("shop-th");
    desk.ok("person-kr", pay_shop(Some(sealed)));
    assert_eq!(desk.balance("shop-th"), shop_before + 150_000);
    assert_eq!(desk.balance("person-kr"), person_before + 150_000);

    // Coins flow into Thailand beyond what it issued: the faucet bank (JP)
    // pays a Thai bank 3,000,000 ACU, which redeems all it holds.
    let pay_bank = MoneyCall::Pay {
        to: desk.id("bank-th-1"),
        amount: Amount(300_000_000),
        travel_rule: Some(desk.seal("faucet", "bank-th-1", 300_000_000)),
    };
    desk.ok("faucet", pay_bank);
    let before_redeem = desk.supply();
    let (th_own, th_issued) = books(&before_redeem, "TH");
    let redeemed = desk.balance("bank-th-1");
    assert!(redeemed > th_issued, "Thailand redeems more than it issued");
    desk.ok(
        "bank-th-1",
        MoneyCall::Redeem {
            amount: Amount(redeemed),
        },
    );
    let after = desk.supply();
    assert_eq!(desk.balance("bank-th-1"), 0);
    assert_eq!(
        after.circulation.0,
        before_redeem.circulation.0 - redeemed,
        "redeemed coins are burned"
    );
    // Thailand's own issuance comes home first…
    assert_eq!(books(&after, "TH"), (th_own + th_issued, 0));
    // …the rest is repatriated: every other economy's issued bonds fall by
    // exactly the claim Thailand now holds on it, pro rata to what it issued.
    let excess = redeemed - th_issued;
    let claims: BTreeMap<String, u128> = after
        .claims
        .iter()
        .map(|c| {
            assert_eq!(c.creditor.as_str(), "TH");
            (c.debtor.as_str().to_string(), c.amount.0)
        })
        .collect();
    assert_eq!(claims.values().sum::<u128>(), excess);
    let (was, now) = (issued_by_economy(&before_redeem), issued_by_economy(&after));
    for (code, claim) in &claims {
        assert_eq!(was[code] - now[code], *claim, "{code}");
    }
    let largest = claims.iter().max_by_key(|(_, c)| **c).unwrap().0;
    assert_eq!(largest, "JP", "Japan issued the most");

    // Settle: Japan records a settlement of Thailand's claim; only Thailand
    // confirms it; the claim clears.
    let jp_claim = claims["JP"];
    desk.ok(
        "cb-jp",
        MoneyCall::ProposeSettlement {
            creditor: EconomyCode::new("TH").unwrap(),
            amount: Amount(jp_claim),
        },
    );
    assert_eq!(
        desk.refused("cb-jp", MoneyCall::ConfirmSettlement { id: 0 }),
        "not_creditor"
    );
    desk.ok("cb-th", MoneyCall::ConfirmSettlement { id: 0 });
    let settled = desk.supply();
    assert!(settled.claims.iter().all(|c| c.debtor.as_str() != "JP"));
    assert_eq!(settled.claims.len(), claims.len() - 1);

    // Seigniorage: the reserves' yield since genesis, less costs, shared pro
    // rata to contributions; no coin is minted.
    desk.ok(
        "issuer",
        MoneyCall::CloseSeigniorage {
            operating_cost: Amount(1_000),
            reserve: Amount(0),
        },
    );
    let closed = desk.supply();
    let periods = &closed.seigniorage_periods;
    assert_eq!(periods.len(), 1);
    let income = periods[0].income.0;
    assert!(
        income > 1_000,
        "seconds of 3% a year on ~11.5 billion ACU of reserves"
    );
    let shares: u128 = closed.economies.iter().map(|e| e.seigniorage.0).sum();
    assert_eq!(shares, income - 1_000);
    let jp = amount(
        &closed
            .economies
            .iter()
            .find(|e| e.code.as_str() == "JP")
            .unwrap()
            .seigniorage,
    );
    let bn = amount(
        &closed
            .economies
            .iter()
            .find(|e| e.code.as_str() == "BN")
            .unwrap()
            .seigniorage,
    );
    assert!(jp > bn, "shares follow contributions");
    assert_eq!(closed.circulation, settled.circulation);

    // The books agree with the accounts on every validator.
    let height = closed.height;
    for index in 0..4 {
        let client = desk.network.client(index);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while client.status().unwrap().finalized_height < height {
            assert!(std::time::Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let status = desk.network.client(0).status().unwrap();
    assert_eq!(
        status.total_supply,
        desk.network.client(0).money_supply().unwrap().circulation,
        "coins in accounts = issued bonds"
    );
    desk.network.assert_same_chain(&[0, 1, 2, 3], height);
    // Every validator executed the money calls' blocks, so it checked and
    // timed their invariants.
    for index in 0..4 {
        let network = &desk.network;
        assert!(network.metric(index, "eiraku_invariant_checks_total") > 0.0);
        assert!(network.metric(index, "eiraku_invariant_check_seconds_total") > 0.0);
    }

    // The benchmark opens its accounts as persons of the faucet bank's
    // economy at its entry tier (the lowest; higher ones need a KYC
    // attestation), read from the typed supply view's tiers.
    let client = desk.network.client(0);
    let japan = client
        .money_supply()
        .unwrap()
        .economies
        .into_iter()
        .find(|books| books.code.as_str() == "JP")
        .unwrap();
    assert_eq!(
        japan.tiers.iter().map(|caps| caps.tier).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(
        eiraku::funding::account_role(&client, &desk.network.key("faucet")).unwrap(),
        Some(Role::Retail {
            economy: EconomyCode::new("JP").unwrap(),
            kind: eiraku_core::RetailKind::Person,
            tier: 1,
        })
    );

    // Entries of the authority, money and governance modules, present and absent,
    // proven now and checked once the network is gone.
    let keys = [
        StateKey::Role(desk.id("bank-jp-1")),
        StateKey::Money(MoneyKey::Economy(EconomyCode::new("JP").unwrap())),
        StateKey::Money(MoneyKey::Config),
        StateKey::Money(MoneyKey::Contribution(0)),
        StateKey::Governance(GovernanceKey::Rules),
        StateKey::Role(Keypair::from_seed(4242).account_id()),
        StateKey::Governance(GovernanceKey::Proposal(0)),
        StateKey::Money(MoneyKey::Contribution(1_000_000)),
        StateKey::Money(MoneyKey::Claim {
            creditor: EconomyCode::new("LA").unwrap(),
            debtor: EconomyCode::new("MM").unwrap(),
        }),
    ];
    let client = desk.network.client(2);
    let proofs: Vec<StateProof> = keys
        .iter()
        .map(|key| client.state_proof(key).expect("state proof"))
        .collect();
    let genesis = desk.network.net.genesis().clone();
    drop(desk);
    let light = LightClient::from_genesis(&genesis).unwrap();
    let answers: Vec<Option<Vec<u8>>> = proofs
        .iter()
        .map(|proof| light.verify_state(proof).expect("verifies offline").value)
        .collect();
    let grant = RoleGrant::from_bytes(answers[0].as_ref().expect("a bank's role")).unwrap();
    assert_eq!(
        grant.role,
        Role::Bank {
            economy: EconomyCode::new("JP").unwrap()
        }
    );
    assert!(
        answers[1..5].iter().all(Option::is_some),
        "books, settings, a contribution, the seats"
    );
    assert!(
        answers[5..].iter().all(Option::is_none),
        "no role, proposal, contribution or claim"
    );
    for proof in &proofs {
        let mut other = proof.clone();
        let mut bytes = hex::decode(&other.proof).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x80;
        other.proof = hex::encode(bytes);
        assert!(light.verify_state(&other).is_err());
    }
}
