//! Decoders of bytes from other wallets and depositors: random input never
//! panics, and whatever is accepted is the canonical encoding (the fuzz
//! targets in `fuzz/` run the same checks without bounds).

use commonware_codec::Encode;
use eiraku_cash::{
    claim::CLAIM_NAMESPACE, Agreement, ChangePromise, DeviceCenter, InDoubt, InDoubtKind,
    IssuanceCenterKeys, Note, NoteInHand, SignedAgreement, SignedCertificate, SignedClaim,
    TransferMessage, Unit, WalletCertificate, WalletNumber,
};
use eiraku_core::Keypair;
use proptest::prelude::*;

fn certificate_bytes() -> Vec<u8> {
    DeviceCenter::new(Keypair::from_seed(1))
        .certify(WalletCertificate {
            number: WalletNumber(3),
            signing_key: Keypair::from_seed(3).public_key(),
            agreement_key: [9; 32],
            sealing_key: [8; 32],
            reserved: vec![1, 2],
            valid_from_ms: 0,
            valid_until_ms: 10,
        })
        .encode()
        .to_vec()
}

fn note_bytes() -> Vec<u8> {
    NoteInHand {
        note: IssuanceCenterKeys::from_seed(1)
            .seal(Note {
                serial: 1,
                unit: Unit::ACU,
                denomination: 5,
                issuer: 1,
                reserved: vec![],
                valid_until_ms: u64::MAX,
            })
            .unwrap(),
        history: vec![],
        received: None,
    }
    .encode()
    .to_vec()
}

fn claim_bytes() -> Vec<u8> {
    let note = NoteInHand::from_bytes(&note_bytes()).unwrap();
    let agreement = Agreement {
        payer: WalletNumber(3),
        payee: WalletNumber(4),
        amount: 3,
        paid: vec![1],
        change: vec![1],
    };
    let records = vec![InDoubt {
        kind: InDoubtKind::Payment,
        to: WalletNumber(4),
        notes: vec![note.clone()],
        promise: Some(ChangePromise {
            signed: SignedAgreement {
                signature: Keypair::from_seed(4).sign(b"promise", &agreement.encode()),
                agreement,
            },
            change: vec![note.note],
        }),
    }];
    let message = SignedClaim::message(WalletNumber(3), &records);
    SignedClaim {
        claimant: WalletNumber(3),
        records,
        signature: Keypair::from_seed(3).sign(CLAIM_NAMESPACE, &message),
    }
    .encode()
    .to_vec()
}

/// Every decoder here accepts only its canonical encoding.
fn accepted_bytes_are_canonical(data: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(certificate) = SignedCertificate::from_bytes(data) {
        prop_assert_eq!(certificate.encode().to_vec(), data);
    }
    if let Ok(note) = NoteInHand::from_bytes(data) {
        prop_assert_eq!(note.encode().to_vec(), data);
    }
    if let Ok(message) = TransferMessage::from_bytes(data) {
        prop_assert_eq!(message.encode().to_vec(), data);
    }
    if let Ok(claim) = SignedClaim::from_bytes(data) {
        prop_assert_eq!(claim.encode().to_vec(), data);
    }
    Ok(())
}

proptest! {
    #[test]
    fn random_bytes_never_panic_and_accepted_bytes_are_canonical(data in prop::collection::vec(any::<u8>(), 0..512)) {
        accepted_bytes_are_canonical(&data)?;
    }

    #[test]
    fn mutated_valid_encodings_never_panic(position in any::<prop::sample::Index>(), bit in 0u8..8) {
        let payment = TransferMessage::Payment {
            notes: vec![NoteInHand::from_bytes(&note_bytes()).unwrap()],
        }
        .encode()
        .to_vec();
        let counter = TransferMessage::Counter { change_available: vec![1, 5, 500] }
            .encode()
            .to_vec();
        for valid in [certificate_bytes(), note_bytes(), payment, counter, claim_bytes()] {
            let mut data = valid.clone();
            let i = position.index(data.len());
            data[i] ^= 1 << bit;
            accepted_bytes_are_canonical(&data)?;
        }
    }
}
