//! One payment between two wallet processes over a [`Link`]: the session
//! handshake, then the transfer messages, each side saving its wallet at
//! its commit point before the message that depends on it leaves (the
//! payer before `Payment`, the payee before `Change`), so a crash at any
//! point leaves value in a note or in an in-doubt record, never nowhere.

use super::{link::Link, store::WalletHome};
use commonware_codec::Encode;
use eiraku_cash::{Initiator, Responder, Session, TransferMessage};

/// Longest transfer message accepted (the most notes a message carries,
/// each with a full history).
const MAX_MESSAGE: usize = 64 << 20;

/// What a payment moved, as each side saw it.
#[derive(Debug, Default)]
pub struct Paid {
    /// Value paid.
    pub amount: u64,
    /// The other wallet's number.
    pub peer: u64,
    /// Value of the change handed back.
    pub change: u64,
}

fn send(link: &mut Link, session: &mut Session, message: &TransferMessage) -> anyhow::Result<()> {
    link.send_parts(&session.seal_long(&message.encode()))
}

fn receive(link: &mut Link, session: &mut Session) -> anyhow::Result<TransferMessage> {
    let parts = link.receive_parts()?;
    Ok(TransferMessage::from_bytes(
        &session.open_long(&parts, MAX_MESSAGE)?,
    )?)
}

fn value(message: &TransferMessage) -> u64 {
    match message {
        TransferMessage::Payment { notes } | TransferMessage::Change { notes, .. } => {
            notes.iter().map(|n| n.note.note.denomination).sum()
        }
        _ => 0,
    }
}

/// Pays `amount` to the wallet at the other end of `link`.
pub fn pay(
    home: &mut WalletHome,
    link: &mut Link,
    amount: u64,
    now_ms: u64,
) -> anyhow::Result<Paid> {
    let device_key = home.device_key()?;
    home.wallet.set_clock(now_ms);
    let (initiator, first) = Initiator::start(home.wallet.element())?;
    link.send_frame(&first)?;
    let second = link.receive_frame()?;
    let policy = home.wallet.peer_policy(&device_key, now_ms);
    let (mut session, third) = initiator.finish(&second, &policy)?;
    link.send_frame(&third)?;
    let payee = session.peer().clone();
    let (mut paying, proposal) = home.wallet.propose(&payee, amount)?;
    send(link, &mut session, &proposal)?;
    let mut ready = receive(link, &mut session)?;
    if let TransferMessage::Counter { .. } = ready {
        let revised = home.wallet.revise(&mut paying, ready)?;
        send(link, &mut session, &revised)?;
        ready = receive(link, &mut session)?;
    }
    let payment = home.wallet.pay(&mut paying, ready)?;
    home.save()?;
    send(link, &mut session, &payment)?;
    let change = receive(link, &mut session)?;
    let change_value = value(&change);
    let done = home.wallet.complete(&mut paying, change)?;
    home.save()?;
    if let Some(done) = done {
        send(link, &mut session, &done)?;
    }
    Ok(Paid {
        amount,
        peer: payee.wallet().0,
        change: change_value,
    })
}

/// Receives one payment from the wallet at the other end of `link`. A
/// proposal this wallet refuses is answered with the reason, and returned
/// as the error.
pub fn receive_payment(
    home: &mut WalletHome,
    link: &mut Link,
    now_ms: u64,
) -> anyhow::Result<Paid> {
    let device_key = home.device_key()?;
    home.wallet.set_clock(now_ms);
    let first = link.receive_frame()?;
    let (responder, second) = Responder::respond(home.wallet.element(), &first)?;
    link.send_frame(&second)?;
    let third = link.receive_frame()?;
    let policy = home.wallet.peer_policy(&device_key, now_ms);
    let mut session = responder.finish(&third, &policy)?;
    let payer = session.peer().clone();
    let proposal = receive(link, &mut session)?;
    let considered = home.wallet.consider(&payer, proposal);
    let (mut receiving, answer) = refuse_on_error(link, &mut session, considered)?;
    send(link, &mut session, &answer)?;
    if let TransferMessage::Counter { .. } = answer {
        let revised = receive(link, &mut session)?;
        let considered = home.wallet.consider_revised(receiving, revised);
        let answer;
        (receiving, answer) = refuse_on_error(link, &mut session, considered)?;
        send(link, &mut session, &answer)?;
    }
    let payment = receive(link, &mut session)?;
    let amount = value(&payment);
    let change = home.wallet.accept(&mut receiving, payment)?;
    home.save()?;
    let change_value = value(&change);
    send(link, &mut session, &change)?;
    if change_value > 0 {
        let done = receive(link, &mut session)?;
        home.wallet.change_received(&mut receiving, done)?;
        home.save()?;
    }
    Ok(Paid {
        amount: amount - change_value,
        peer: payer.wallet().0,
        change: change_value,
    })
}

/// Passes a consideration on; a refusal is first told to the payer.
fn refuse_on_error<T>(
    link: &mut Link,
    session: &mut Session,
    considered: Result<T, eiraku_cash::CashError>,
) -> anyhow::Result<T> {
    match considered {
        Ok(answer) => Ok(answer),
        Err(error) => {
            let refused = TransferMessage::Refused {
                reason: error.to_string(),
            };
            // Best effort: the refusal stands whether or not it arrives.
            let _ = send(link, session, &refused);
            Err(anyhow::anyhow!("refused the payment: {error}"))
        }
    }
}
