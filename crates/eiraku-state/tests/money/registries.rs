//! Consent with its access log, and rights with licences paid in coins,
//! through the state machine. The attacks: an access by another data user,
//! for another purpose or category, after revocation or expiry; a
//! revocation by someone else; a work registered twice; a licence granted
//! by a non-holder; a purchase at a changed price, from a seller with no
//! offer, with insufficient funds (nothing changes), or by a licensee.

use super::*;
use eiraku_core::{consent::ConsentTerms, registry::RegistryCall, Digest, TxHash};
use eiraku_state::registry::RegistryError;

/// Sends a registry call from `seed` in its own block; its name and result.
fn registry(
    chain: &mut Chain,
    seed: u64,
    call: RegistryCall,
) -> (TxHash, Result<(), ExecutionError>) {
    let tx = chain.tx(seed, Call::Registry(call));
    let name = tx.hash();
    chain.now_ms += 1;
    let env = BlockEnv {
        height: chain.state.height() + 1,
        timestamp_ms: chain.now_ms,
    };
    let receipts = chain.state.execute_block(&env, &[tx]).unwrap();
    let state = &chain.state;
    state
        .money()
        .unwrap()
        .check_invariants(state.accounts(), state.authority())
        .expect("invariants hold after every block");
    match &receipts[0].outcome {
        Outcome::Success => (name, Ok(())),
        Outcome::Failed(error) => (name, Err(error.clone())),
    }
}

fn refused(error: RegistryError) -> Result<(), ExecutionError> {
    Err(ExecutionError::Registry(error))
}

fn access(consent: Digest, purpose: &str, category: &str) -> RegistryCall {
    RegistryCall::RecordAccess {
        consent,
        purpose: purpose.into(),
        category: category.into(),
        digest: hash(&[b"the record read"]),
    }
}

#[test]
fn an_access_is_logged_only_under_an_active_consent_covering_it() {
    let mut chain = funded();
    let (person, lender, stranger) = (ALICE_JP, BANK_JP, BANK_PH);
    let terms = ConsentTerms {
        data_user: id(lender),
        purpose: "credit scoring".into(),
        categories: vec!["income".into(), "purchase-history".into()],
        until_ms: chain.now_ms + 30 * DAY_MS,
    };
    let mut to_self = terms.clone();
    to_self.data_user = id(person);
    let (_, done) = registry(&mut chain, person, RegistryCall::GrantConsent(to_self));
    assert_eq!(done, refused(RegistryError::BadConsent));
    let (consent, done) = registry(&mut chain, person, RegistryCall::GrantConsent(terms));
    done.unwrap();
    let named = eiraku_core::digest::to_hex(&consent);

    let (_, done) = registry(
        &mut chain,
        stranger,
        access(consent, "credit scoring", "income"),
    );
    assert_eq!(
        done,
        refused(RegistryError::NotConsentDataUser { id: named.clone() })
    );
    let (_, done) = registry(&mut chain, lender, access(consent, "marketing", "income"));
    assert_eq!(
        done,
        refused(RegistryError::PurposeNotConsented {
            purpose: "marketing".into()
        })
    );
    let (_, done) = registry(
        &mut chain,
        lender,
        access(consent, "credit scoring", "health"),
    );
    assert_eq!(
        done,
        refused(RegistryError::CategoryNotConsented {
            category: "health".into()
        })
    );
    for category in ["income", "purchase-history"] {
        let (_, done) = registry(
            &mut chain,
            lender,
            access(consent, "credit scoring", category),
        );
        done.unwrap();
    }
    let registry_state = chain.state.registry();
    let logged: Vec<_> = (0..3)
        .map(|n| registry_state.access(&consent, n).cloned())
        .collect();
    assert_eq!(logged[1].as_ref().unwrap().category, "purchase-history");
    assert!(logged[2].is_none());
    let (listed, held) = registry_state.consents_of(&id(person)).next().unwrap();
    assert_eq!((listed, held.accesses), (&consent, 2));

    let revoke = RegistryCall::RevokeConsent { id: consent };
    let (_, done) = registry(&mut chain, lender, revoke.clone());
    assert_eq!(
        done,
        refused(RegistryError::NotConsentSubject { id: named.clone() })
    );
    registry(&mut chain, person, revoke).1.unwrap();
    let (_, done) = registry(
        &mut chain,
        lender,
        access(consent, "credit scoring", "income"),
    );
    assert_eq!(done, refused(RegistryError::ConsentRevoked { id: named }));
    let whole = entries(&chain.state.all_entries());
    assert_eq!(rebuilt_from(&whole, &chain.state).unwrap(), chain.state);
}

#[test]
fn an_access_after_the_consent_expires_is_refused() {
    let mut chain = funded();
    let terms = ConsentTerms {
        data_user: id(BANK_JP),
        purpose: "research".into(),
        categories: vec!["income".into()],
        until_ms: chain.now_ms + DAY_MS,
    };
    let (consent, done) = registry(&mut chain, ALICE_JP, RegistryCall::GrantConsent(terms));
    done.unwrap();
    chain.advance(DAY_MS);
    let (_, done) = registry(&mut chain, BANK_JP, access(consent, "research", "income"));
    assert_eq!(
        done,
        refused(RegistryError::ConsentExpired {
            id: eiraku_core::digest::to_hex(&consent)
        })
    );
}

fn buy(work: Digest, holder: u64, seller: u64, price: u128) -> RegistryCall {
    RegistryCall::BuyLicence {
        work,
        holder: id(holder),
        seller: id(seller),
        price: Amount(price),
    }
}

#[test]
fn a_licence_is_bought_in_coins_and_a_resale_pays_the_holder_its_royalty() {
    let mut chain = funded();
    let (holder, buyer, second) = (SHOP_TH, ALICE_JP, MARIA_PH);
    chain.send(BANK_JP, pay(ALICE_JP, 50_000)).unwrap();
    let work = hash(&[b"a song"]);
    let register = RegistryCall::RegisterWork {
        work,
        price: Amount(1_000),
        licence_ms: 365 * DAY_MS,
        royalty_bps: 1_500,
    };
    registry(&mut chain, holder, register.clone()).1.unwrap();
    let (_, done) = registry(&mut chain, buyer, register);
    assert_eq!(
        done,
        refused(RegistryError::WorkRegistered {
            holder: id(holder).to_hex()
        })
    );
    let grant = RegistryCall::GrantLicence {
        work,
        licensee: id(second),
    };
    let (_, done) = registry(&mut chain, buyer, grant);
    assert_eq!(done, refused(RegistryError::NotWorkHolder));

    let (_, done) = registry(&mut chain, buyer, buy(work, holder, holder, 900));
    assert_eq!(
        done,
        refused(RegistryError::PriceChanged {
            price: Amount(1_000)
        })
    );
    let poor = MARIA_PH;
    let (_, done) = registry(&mut chain, poor, buy(work, holder, holder, 1_000));
    assert_eq!(
        done,
        Err(ExecutionError::Money(MoneyError::InsufficientFunds {
            balance: Amount(0),
            needed: Amount(1_000)
        }))
    );
    assert!(chain.state.registry().licence(&work, &id(poor)).is_none());
    let (holder_before, buyer_before) = (chain.balance(holder), chain.balance(buyer));
    registry(&mut chain, buyer, buy(work, holder, holder, 1_000))
        .1
        .unwrap();
    assert_eq!(chain.balance(holder), Amount(holder_before.0 + 1_000));
    assert_eq!(chain.balance(buyer), Amount(buyer_before.0 - 1_000));
    let (_, done) = registry(&mut chain, buyer, buy(work, holder, holder, 1_000));
    assert_eq!(done, refused(RegistryError::AlreadyLicensed));

    // A resale: only at the licensee's offer; 15 % of it to the holder.
    chain.send(BANK_JP, pay(second, 10_000)).unwrap();
    let (_, done) = registry(&mut chain, second, buy(work, holder, buyer, 2_000));
    assert_eq!(done, refused(RegistryError::NotOffered));
    let offer = RegistryCall::OfferLicence {
        work,
        price: Amount(2_000),
    };
    registry(&mut chain, buyer, offer).1.unwrap();
    let (holder_before, seller_before) = (chain.balance(holder), chain.balance(buyer));
    registry(&mut chain, second, buy(work, holder, buyer, 2_000))
        .1
        .unwrap();
    assert_eq!(chain.balance(holder), Amount(holder_before.0 + 300));
    assert_eq!(chain.balance(buyer), Amount(seller_before.0 + 1_700));
    let registry_state = chain.state.registry();
    assert!(registry_state.licence(&work, &id(buyer)).is_none());
    assert!(registry_state.licence(&work, &id(second)).is_some());
    let whole = entries(&chain.state.all_entries());
    assert_eq!(rebuilt_from(&whole, &chain.state).unwrap(), chain.state);
}

const REGISTRAR_JP: u64 = 68;

/// Funded, with Japan's registry authority named at the founding and a
/// travel-rule key registered by Japan's bank.
fn records_chain() -> Chain {
    let mut genesis = genesis();
    genesis.accounts = vec![eiraku_core::GenesisAccount {
        id: id(REGISTRAR_JP),
        balance: Amount::ZERO,
        label: String::new(),
        role: Some(Role::RegistryAuthority {
            economy: economy("JP"),
        }),
        bank: None,
        travel_key: None,
    }];
    let mut chain = fund(open_all(Chain::on(genesis)));
    let key = MoneyCall::RegisterTravelKey {
        key: TravelKey([9; 32]),
    };
    chain.send(BANK_JP, key).unwrap();
    chain
}

fn write(key: &str, version: u64) -> RegistryCall {
    RegistryCall::WriteRecord {
        registry: "companies".into(),
        key: key.into(),
        version,
        payload: hash(&[b"payload", &version.to_be_bytes()]),
        envelope: hash(&[b"envelope", &version.to_be_bytes()]),
    }
}

#[test]
fn a_record_is_written_by_a_writer_one_version_after_another() {
    use eiraku_core::record::RegistryTerms;
    let mut chain = records_chain();
    let terms = |members: Vec<u64>| {
        RegistryCall::CreateRegistry(RegistryTerms {
            name: "companies".into(),
            schema: hash(&[b"schema"]),
            writers: vec![id(REGISTRAR_JP)],
            members: members.into_iter().map(id).collect(),
        })
    };
    let (_, done) = registry(&mut chain, BANK_JP, terms(vec![BANK_JP]));
    assert_eq!(done, refused(RegistryError::NotRegistryAuthority));
    let (_, done) = registry(&mut chain, REGISTRAR_JP, terms(vec![BANK_JP, BANK_PH]));
    assert_eq!(
        done,
        refused(RegistryError::MemberWithoutKey {
            member: id(BANK_PH)
        })
    );
    registry(&mut chain, REGISTRAR_JP, terms(vec![BANK_JP]))
        .1
        .unwrap();
    let (_, done) = registry(&mut chain, REGISTRAR_JP, terms(vec![BANK_JP]));
    assert_eq!(
        done,
        refused(RegistryError::RegistryExists {
            name: "companies".into()
        })
    );
    let (_, done) = registry(&mut chain, BANK_JP, write("7010001008844", 1));
    assert_eq!(
        done,
        refused(RegistryError::NotWriter {
            name: "companies".into()
        })
    );
    let (_, done) = registry(&mut chain, REGISTRAR_JP, write("7010001008844", 2));
    assert_eq!(done, refused(RegistryError::VersionSkipped { expected: 1 }));
    for version in [1, 2] {
        registry(&mut chain, REGISTRAR_JP, write("7010001008844", version))
            .1
            .unwrap();
    }
    let (_, done) = registry(&mut chain, REGISTRAR_JP, write("7010001008844", 2));
    assert_eq!(done, refused(RegistryError::VersionSkipped { expected: 3 }));
    let mut elsewhere = write("1", 1);
    if let RegistryCall::WriteRecord { registry, .. } = &mut elsewhere {
        *registry = "land".into();
    }
    let (_, done) = registry(&mut chain, REGISTRAR_JP, elsewhere);
    assert_eq!(
        done,
        refused(RegistryError::UnknownRegistry {
            name: "land".into()
        })
    );
    let history = chain.state.registry().history("companies", "7010001008844");
    let versions: Vec<u64> = history.iter().map(|(v, _)| *v).collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(
        history[1].1.payload,
        hash(&[b"payload", &2u64.to_be_bytes()])
    );
    let whole = entries(&chain.state.all_entries());
    assert_eq!(rebuilt_from(&whole, &chain.state).unwrap(), chain.state);
}
