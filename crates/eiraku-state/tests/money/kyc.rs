//! KYC tier upgrades on attestations: a bank moves its customer up a tier
//! only on a KYC attestation about that customer, valid at the block's
//! time, from an attester of the customer's economy. The attacks: no
//! attestation, a made-up one, one about another person, one under another
//! schema, one from another economy's attester, one not yet valid, a
//! revoked one, an upgrade by a bank that is not the customer's, and a
//! downgrade that would leave the customer above the new cap.

use super::*;
use eiraku_core::{attestation::kyc_schema, registry::RegistryCall, Digest, RegistryKey, TxHash};
use eiraku_state::money::KycRefusal;

const ATTESTER_JP: u64 = 63;
const ATTESTER_PH: u64 = 64;
const DAY: u64 = DAY_MS;

/// Opened and funded, with an attester in Japan and one in the
/// Philippines, and JP's tier 2 (balance cap 1,000,000).
fn kyc_chain() -> Chain {
    let mut genesis = genesis();
    let attester = |seed: u64, code: &str| GenesisAccount {
        id: id(seed),
        balance: Amount::ZERO,
        label: String::new(),
        role: Some(Role::Attester {
            economy: economy(code),
        }),
        bank: None,
        travel_key: None,
    };
    genesis.accounts = vec![attester(ATTESTER_JP, "JP"), attester(ATTESTER_PH, "PH")];
    let mut chain = fund(open_all(Chain::on(genesis)));
    let tier2 = MoneyCall::SetTierCaps {
        tier: 2,
        balance_cap: Amount(1_000_000),
        transfer_cap: Amount(500_000),
    };
    chain.send(CB_JP, tier2).unwrap();
    chain
}

/// `attester` attests `schema` about `subject` from `from_ms` for a year;
/// the attestation's name.
fn attest(chain: &mut Chain, attester: u64, subject: u64, schema: Digest, from_ms: u64) -> TxHash {
    let call = Call::Registry(RegistryCall::Attest {
        subject: id(subject),
        schema,
        claim: hash(&[b"passport checked in person"]),
        valid_from_ms: from_ms,
        valid_until_ms: from_ms + 365 * DAY,
    });
    let name = chain.tx(attester, call.clone()).hash();
    chain.send_call(attester, call).unwrap();
    name
}

fn upgrade(account: u64, tier: u8, attestation: Option<Digest>) -> MoneyCall {
    MoneyCall::ChangeTier {
        account: id(account),
        tier,
        attestation,
    }
}

fn refused(reason: KycRefusal) -> MoneyError {
    MoneyError::KycRequired {
        account: id(ALICE_JP),
        reason,
    }
}

fn tier_of(chain: &Chain, seed: u64) -> u8 {
    match chain.state.authority().role(&id(seed)) {
        Some(Role::Retail { tier, .. }) => tier,
        other => panic!("not retail: {other:?}"),
    }
}

#[test]
fn a_tier_upgrade_needs_a_kyc_attestation_about_the_account_valid_now_from_its_economy() {
    let mut chain = kyc_chain();
    let now = chain.now_ms;
    let kyc = kyc_schema();
    let try_upgrade =
        |chain: &mut Chain, attestation| chain.send(BANK_JP, upgrade(ALICE_JP, 2, attestation));
    assert_eq!(
        try_upgrade(&mut chain, None),
        Err(refused(KycRefusal::NoneNamed))
    );
    assert_eq!(
        try_upgrade(&mut chain, Some(hash(&[b"made up"]))),
        Err(refused(KycRefusal::Unknown))
    );
    let about_maria = attest(&mut chain, ATTESTER_JP, MARIA_PH, kyc, now);
    assert_eq!(
        try_upgrade(&mut chain, Some(about_maria)),
        Err(refused(KycRefusal::AboutAnother))
    );
    let degree = attest(&mut chain, ATTESTER_JP, ALICE_JP, hash(&[b"degree"]), now);
    assert_eq!(
        try_upgrade(&mut chain, Some(degree)),
        Err(refused(KycRefusal::NotKyc))
    );
    let foreign = attest(&mut chain, ATTESTER_PH, ALICE_JP, kyc, now);
    assert_eq!(
        try_upgrade(&mut chain, Some(foreign)),
        Err(refused(KycRefusal::ForeignAttester))
    );
    let early = attest(&mut chain, ATTESTER_JP, ALICE_JP, kyc, now + DAY);
    assert_eq!(
        try_upgrade(&mut chain, Some(early)),
        Err(refused(KycRefusal::OutsideValidity))
    );
    let revoked = attest(&mut chain, ATTESTER_JP, ALICE_JP, kyc, now);
    let revoke = RegistryCall::RevokeAttestation { id: revoked };
    chain
        .send_call(ATTESTER_JP, Call::Registry(revoke))
        .unwrap();
    assert_eq!(
        try_upgrade(&mut chain, Some(revoked)),
        Err(refused(KycRefusal::Revoked))
    );
    let good = attest(&mut chain, ATTESTER_JP, ALICE_JP, kyc, now);
    assert_eq!(
        chain.send(BANK_PH, upgrade(ALICE_JP, 2, Some(good))),
        Err(MoneyError::NotItsBank {
            account: id(ALICE_JP)
        })
    );
    assert_eq!(
        chain.send(BANK_JP, upgrade(ALICE_JP, 3, Some(good))),
        Err(MoneyError::UnknownTier {
            economy: economy("JP"),
            tier: 3
        })
    );
    assert_eq!(
        tier_of(&chain, ALICE_JP),
        1,
        "every refusal changed nothing"
    );
    try_upgrade(&mut chain, Some(good)).unwrap();
    assert_eq!(tier_of(&chain, ALICE_JP), 2);
    let grant = chain
        .state
        .authority()
        .grant(&id(ALICE_JP))
        .copied()
        .unwrap();
    assert_eq!(
        (grant.rule, grant.granted_by),
        (GrantRule::BankChangesTier, Some(id(BANK_JP)))
    );
    assert_eq!(
        try_upgrade(&mut chain, Some(good)),
        Err(MoneyError::SameTier {
            account: id(ALICE_JP),
            tier: 2
        })
    );
    let key = StateKey::Registry(RegistryKey::Attestation(good));
    assert!(chain.state.all_entries().iter().any(|(k, _)| *k == key));
}

#[test]
fn a_downgrade_needs_no_attestation_but_must_fit_the_lower_cap() {
    let mut chain = kyc_chain();
    let now = chain.now_ms;
    let good = attest(&mut chain, ATTESTER_JP, ALICE_JP, kyc_schema(), now);
    chain
        .send(BANK_JP, upgrade(ALICE_JP, 2, Some(good)))
        .unwrap();
    chain.send(BANK_JP, pay(ALICE_JP, 300_000)).unwrap();
    assert_eq!(
        chain.send(BANK_JP, upgrade(ALICE_JP, 1, None)),
        Err(MoneyError::BalanceCapExceeded {
            account: id(ALICE_JP),
            cap: Amount(200_000),
            would_be: Amount(300_000)
        })
    );
    chain.send(ALICE_JP, pay(BANK_JP, 150_000)).unwrap();
    chain.send(BANK_JP, upgrade(ALICE_JP, 1, None)).unwrap();
    assert_eq!(tier_of(&chain, ALICE_JP), 1);
}

#[test]
fn no_account_opens_above_the_entry_tier_or_moves_to_higher_caps_without_kyc() {
    let mut chain = kyc_chain();
    let newcomer = 69;
    let open = |tier| MoneyCall::OpenAccount {
        account: id(newcomer),
        role: Role::Retail {
            economy: economy("JP"),
            kind: RetailKind::Person,
            tier,
        },
    };
    assert_eq!(
        chain.send(BANK_JP, open(2)),
        Err(MoneyError::OpensAtEntryTier {
            economy: economy("JP"),
            tier: 1
        })
    );
    // Tier 0, set after tier 1, has higher caps: moving "down" to it is an
    // upgrade, told by the caps.
    let tier0 = MoneyCall::SetTierCaps {
        tier: 0,
        balance_cap: Amount(5_000_000),
        transfer_cap: Amount(1_000_000),
    };
    chain.send(CB_JP, tier0).unwrap();
    assert_eq!(
        chain.send(BANK_JP, upgrade(ALICE_JP, 0, None)),
        Err(refused(KycRefusal::NoneNamed))
    );
}
