use super::*;
use crate::test_support::{account, round_trip};
use eiraku_core::{EconomyCode, MoneyCall, RetailKind};

fn receipt_failed() -> ReceiptView {
    ReceiptView {
        height: 7,
        index: 2,
        outcome: Outcome::Failed,
        error: Some(ErrorDetail::new("insufficient_funds", "balance 1, needs 5")),
    }
}

fn block() -> BlockView {
    let transfer = BlockTx {
        hash: "aa".repeat(32),
        sender: account(1),
        nonce: 3,
        call: Call::Transfer {
            to: account(2),
            amount: Amount(100),
        },
    };
    let pay = BlockTx {
        hash: "bb".repeat(32),
        sender: account(2),
        nonce: 0,
        call: Call::Money(MoneyCall::Pay {
            to: account(1),
            amount: Amount(5),
            travel_rule: Some(eiraku_core::hash(&[b"travel"])),
        }),
    };
    BlockView {
        height: 9,
        hash: "01".repeat(32),
        parent: "02".repeat(32),
        timestamp_ms: 1_700_000_000_000,
        view: 12,
        leader: "03".repeat(32),
        tx_root: "04".repeat(32),
        state_root: "05".repeat(32),
        transactions: vec![transfer, pay],
        certificate: None,
    }
}

fn account_view() -> AccountView {
    AccountView {
        id: account(1),
        balance: Amount(1_000_100),
        balance_text: "10001.00 ACU".into(),
        nonce: 4,
        height: 30,
        role: Some(Role::Retail {
            economy: EconomyCode::new("JP").unwrap(),
            kind: RetailKind::Person,
            tier: 1,
        }),
        granted_by: Some(account(2)),
        granted_ms: Some(1_700_000_000_000),
        grant_rule: Some(GrantRule::BankOpensRetail),
        revoked: None,
        frozen: None,
        suspended: None,
        signing_key: None,
        key_replacement: None,
    }
}

#[test]
fn every_response_survives_a_round_trip() {
    let refusal = ErrorDetail::new("nonce_used", "used");
    round_trip(&SubmitResponse {
        hash: "ab".repeat(32),
        status: TxStatus::Pending,
    });
    round_trip(&BatchRequest {
        txs: vec!["00ff".into()],
    });
    round_trip(&BatchResponse {
        accepted: 1,
        results: vec![
            BatchItem {
                hash: Some("ab".repeat(32)),
                error: None,
            },
            BatchItem {
                hash: None,
                error: Some(refusal.clone()),
            },
        ],
    });
    round_trip(&RawBatchResponse {
        accepted: 4,
        refused: vec![Refusal {
            index: 1,
            error: refusal,
        }],
    });
    round_trip(&TxView {
        hash: "ab".repeat(32),
        status: TxStatus::Finalized,
        receipt: Some(receipt_failed()),
    });
    round_trip(&block());
    round_trip(&FinalizedTxsView {
        height: 9,
        hash: "01".repeat(32),
        timestamp_ms: 5,
        transactions: vec!["aa".repeat(32)],
    });
    round_trip(&account_view());
    round_trip(&StatusView {
        chain_id: ChainId::new("eiraku-devnet").unwrap(),
        node: "validator-0".into(),
        height: 10,
        finalized_height: 9,
        finalized_hash: "01".repeat(32),
        state_root: "05".repeat(32),
        total_supply: Amount(u128::MAX),
        coin_symbol: "ACU".into(),
        coin_decimals: 2,
        mempool: 0,
        validators: vec![ValidatorView {
            name: "validator-0".into(),
            public_key: "06".repeat(32),
            api_address: "127.0.0.1:8700".into(),
        }],
    });
}

#[test]
fn a_receipt_keeps_its_wire_form() {
    assert_eq!(
        round_trip(&receipt_failed()),
        r#"{"height":7,"index":2,"outcome":"failed","error":{"code":"insufficient_funds","message":"balance 1, needs 5"}}"#
    );
}

#[test]
fn an_account_keeps_its_wire_form_and_omits_what_it_lacks() {
    let view = account_view();
    let expected = format!(
        r#"{{"id":"{}","balance":"1000100","balance_text":"10001.00 ACU","nonce":4,"height":30,"role":{{"role":"retail","economy":"JP","kind":"person","tier":1}},"granted_by":"{}","granted_ms":1700000000000,"grant_rule":"bank_opens_retail"}}"#,
        account(1).to_hex(),
        account(2).to_hex()
    );
    assert_eq!(round_trip(&view), expected);
    let plain = AccountView {
        role: None,
        granted_by: None,
        granted_ms: None,
        grant_rule: None,
        ..view
    };
    let expected = format!(
        r#"{{"id":"{}","balance":"1000100","balance_text":"10001.00 ACU","nonce":4,"height":30}}"#,
        account(1).to_hex()
    );
    assert_eq!(round_trip(&plain), expected);
    let former_central_bank = AccountView {
        revoked: Some(RevokedRoleView {
            role: Role::CentralBank {
                economy: EconomyCode::new("SG").unwrap(),
            },
            revoked_ms: 1_800_000_000_000,
            successor: Some(account(3)),
        }),
        ..plain
    };
    let expected = format!(
        r#"{{"id":"{}","balance":"1000100","balance_text":"10001.00 ACU","nonce":4,"height":30,"revoked":{{"role":{{"role":"central_bank","economy":"SG"}},"revoked_ms":1800000000000,"successor":"{}"}}}}"#,
        account(1).to_hex(),
        account(3).to_hex()
    );
    assert_eq!(round_trip(&former_central_bank), expected);
}

#[test]
fn a_block_names_each_call_by_its_module() {
    let text = round_trip(&block());
    let transfer = format!(
        r#""call":{{"transfer":{{"to":"{}","amount":"100"}}}}"#,
        account(2).to_hex()
    );
    assert!(text.contains(&transfer), "{text}");
    let pay = format!(
        r#""call":{{"money":{{"call":"pay","to":"{}","amount":"5","travel_rule":"{}"}}}}"#,
        account(1).to_hex(),
        eiraku_core::digest::to_hex(&eiraku_core::hash(&[b"travel"]))
    );
    assert!(text.contains(&pay), "{text}");
    assert!(text.ends_with(r#""certificate":null}"#), "{text}");
}

#[test]
fn a_submission_answer_is_pending() {
    let text = round_trip(&SubmitResponse {
        hash: "ab".into(),
        status: TxStatus::Pending,
    });
    assert_eq!(text, r#"{"hash":"ab","status":"pending"}"#);
}
