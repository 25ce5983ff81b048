//! One payment between two wallets that touch: the session handshake, then
//! the transfer messages (a second round when the payee counters) encoded, encrypted in the session, decrypted and
//! decoded on the other side — the whole path bytes take between devices.

use crate::{
    session::PeerPolicy, transfer::TransferMessage, CashError, Initiator, Responder, SecureElement,
    Session, Wallet,
};
use commonware_codec::Encode;
use eiraku_core::PublicKey;

/// What a completed payment moved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    /// Serials handed from payer to payee.
    pub paid: Vec<u64>,
    /// Serials handed back as change.
    pub change: Vec<u64>,
}

/// Where both wallets read the device center's key and their clocks.
#[derive(Clone, Copy)]
pub struct Setting<'a> {
    /// The device supply center's key.
    pub device_center: &'a PublicKey,
    /// Both wallets' clock, ms since the Unix epoch.
    pub now_ms: u64,
}

impl Setting<'_> {
    fn policy<'w, S: SecureElement>(&'w self, wallet: &'w Wallet<S>) -> PeerPolicy<'w> {
        wallet.peer_policy(self.device_center, self.now_ms)
    }
}

/// Longest transfer message accepted: the most notes a message may carry,
/// each with a full history.
const MAX_TRANSFER_MESSAGE: usize = 64 << 20;

/// Serials of the notes a `Payment` or `Change` hands over.
fn serials_carried(message: &TransferMessage) -> Vec<u64> {
    match message {
        TransferMessage::Payment { notes } | TransferMessage::Change { notes, .. } => {
            notes.iter().map(|n| n.note.note.serial).collect()
        }
        _ => Vec::new(),
    }
}

fn send(session: &mut Session, message: &TransferMessage) -> Vec<Vec<u8>> {
    session.seal_long(&message.encode())
}

fn receive(session: &mut Session, parts: &[Vec<u8>]) -> Result<TransferMessage, CashError> {
    TransferMessage::from_bytes(&session.open_long(parts, MAX_TRANSFER_MESSAGE)?)
}

/// `payer` pays `amount` to `payee` face to face. A refusal by either side
/// (certificate, blacklist, limits, funds, change) is returned as that
/// side's typed error, with both wallets unchanged.
pub fn pay_face_to_face<S: SecureElement, T: SecureElement>(
    payer: &mut Wallet<S>,
    payee: &mut Wallet<T>,
    amount: u64,
    setting: Setting<'_>,
) -> Result<Moved, CashError> {
    payer.set_clock(setting.now_ms);
    payee.set_clock(setting.now_ms);
    let (initiator, first) = Initiator::start(payer.element())?;
    let (responder, second) = Responder::respond(payee.element(), &first)?;
    let (mut payer_session, third) = initiator.finish(&second, &setting.policy(payer))?;
    let mut payee_session = responder.finish(&third, &setting.policy(payee))?;

    // Each side pays to and hears from the wallet its session proved.
    let (payee_seen, payer_seen) = (payer_session.peer().clone(), payee_session.peer().clone());
    let (mut paying, proposal) = payer.propose(&payee_seen, amount)?;
    let wire = send(&mut payer_session, &proposal);
    let proposal = receive(&mut payee_session, &wire)?;
    let (mut receiving, answer) = payee.consider(&payer_seen, proposal)?;
    let wire = send(&mut payee_session, &answer);
    let mut ready = receive(&mut payer_session, &wire)?;
    if let TransferMessage::Counter { .. } = ready {
        let revised = payer.revise(&mut paying, ready)?;
        let wire = send(&mut payer_session, &revised);
        let revised = receive(&mut payee_session, &wire)?;
        let answer;
        (receiving, answer) = payee.consider_revised(receiving, revised)?;
        let wire = send(&mut payee_session, &answer);
        ready = receive(&mut payer_session, &wire)?;
    }
    let payment = payer.pay(&mut paying, ready)?;
    let paid = serials_carried(&payment);
    let wire = send(&mut payer_session, &payment);
    let payment = receive(&mut payee_session, &wire)?;
    let change = payee.accept(&mut receiving, payment)?;
    let change_serials = serials_carried(&change);
    let wire = send(&mut payee_session, &change);
    let change = receive(&mut payer_session, &wire)?;
    if let Some(done) = payer.complete(&mut paying, change)? {
        let wire = send(&mut payer_session, &done);
        let done = receive(&mut payee_session, &wire)?;
        payee.change_received(&mut receiving, done)?;
    }
    Ok(Moved {
        paid,
        change: change_serials,
    })
}
