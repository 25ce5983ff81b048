//! The offline cash's books as state entries, one key each: written with
//! the money module's entries, compared by what changed, read back when a
//! node restarts.

use super::cash::{Blacklisting, CashBooks, CenterKeys, Spent, WalletBinding};
use super::issued::{IssuedRange, PendingLoad};
use crate::{changes::map, money_entries::decode, Change, EntryError};
use bytes::BufMut;
use commonware_codec::{Buf, Error, ReadExt, Write};
use eiraku_core::{AccountId, Amount, Digest, EconomyCode, MoneyKey, StateKey};

fn encoded(write: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out);
    out
}

fn center_keys(keys: &CenterKeys) -> Vec<u8> {
    encoded(|buf| {
        keys.note_key.write(buf);
        keys.history_key.write(buf);
    })
}

fn device_key(key: &AccountId) -> Vec<u8> {
    key.as_bytes().to_vec()
}

fn wallet(binding: &WalletBinding) -> Vec<u8> {
    encoded(|buf| {
        binding.account.write(buf);
        binding.signing_key.write(buf);
        binding.valid_until_ms.write(buf);
        binding.revoked_ms.write(buf);
    })
}

fn spent(spent: &Spent) -> Vec<u8> {
    encoded(|buf| {
        buf.put_u64(spent.wallet);
        buf.put_u64(spent.credited_ms);
    })
}

fn blacklisting(record: &Blacklisting) -> Vec<u8> {
    encoded(|buf| {
        record.at_ms.write(buf);
        record.evidence.write(buf);
    })
}

fn pending_load(load: &PendingLoad) -> Vec<u8> {
    encoded(|buf| {
        load.wallet.write(buf);
        load.amount.write(buf);
    })
}

fn issued_range(range: &IssuedRange) -> Vec<u8> {
    encoded(|buf| {
        range.load_account.write(buf);
        range.load_nonce.write(buf);
        range.wallet.write(buf);
        range.count.write(buf);
        range.total.write(buf);
        range.credited.write(buf);
        range.root.write(buf);
        range.at_ms.write(buf);
    })
}

fn read_pending_load(buf: &mut impl Buf) -> Result<PendingLoad, Error> {
    Ok(PendingLoad {
        wallet: u64::read(buf)?,
        amount: Amount::read(buf)?,
    })
}

fn read_issued_range(buf: &mut impl Buf) -> Result<IssuedRange, Error> {
    Ok(IssuedRange {
        load_account: AccountId::read(buf)?,
        load_nonce: u64::read(buf)?,
        wallet: u64::read(buf)?,
        count: u32::read(buf)?,
        total: Amount::read(buf)?,
        credited: Amount::read(buf)?,
        root: Digest::read(buf)?,
        at_ms: u64::read(buf)?,
    })
}

fn amount(value: &Amount) -> Vec<u8> {
    encoded(|buf| value.write(buf))
}

fn held_key(account: AccountId) -> StateKey {
    key(MoneyKey::OfflineHeld(account))
}

fn load_key((account, nonce): (AccountId, u64)) -> StateKey {
    key(MoneyKey::Load { account, nonce })
}

fn issued_key((economy, first_serial): (EconomyCode, u64)) -> StateKey {
    key(MoneyKey::Issued {
        economy,
        first_serial,
    })
}

fn read_blacklisting(buf: &mut impl Buf) -> Result<Blacklisting, Error> {
    use commonware_codec::{RangeCfg, Read};
    let at_ms = u64::read(buf)?;
    let cfg = (RangeCfg::new(0..=eiraku_core::cash::MAX_EVIDENCE_BYTES), ());
    Ok(Blacklisting {
        at_ms,
        evidence: Vec::<u8>::read_cfg(buf, &cfg)?,
    })
}

fn read_center_keys(buf: &mut impl Buf) -> Result<CenterKeys, Error> {
    Ok(CenterKeys {
        note_key: AccountId::read(buf)?,
        history_key: Digest::read(buf)?,
    })
}

fn read_wallet(buf: &mut impl Buf) -> Result<WalletBinding, Error> {
    Ok(WalletBinding {
        account: AccountId::read(buf)?,
        signing_key: AccountId::read(buf)?,
        valid_until_ms: u64::read(buf)?,
        revoked_ms: Option::<u64>::read(buf)?,
    })
}

fn read_spent(buf: &mut impl Buf) -> Result<Spent, Error> {
    Ok(Spent {
        wallet: u64::read(buf)?,
        credited_ms: u64::read(buf)?,
    })
}

fn key(key: MoneyKey) -> StateKey {
    StateKey::Money(key)
}

/// Every entry of the books.
pub(crate) fn entries(books: &CashBooks, out: &mut Vec<Change>) {
    let mut put = |k: MoneyKey, value: Vec<u8>| out.push((key(k), Some(value)));
    for (economy, keys) in &books.centers {
        put(MoneyKey::CashCenter(*economy), center_keys(keys));
    }
    for (economy, k) in &books.device_keys {
        put(MoneyKey::DeviceKey(*economy), device_key(k));
    }
    for (number, binding) in &books.wallets {
        put(MoneyKey::Wallet(*number), wallet(binding));
    }
    for ((economy, serial), note) in &books.spent {
        let (economy, serial) = (*economy, *serial);
        put(MoneyKey::Spent { economy, serial }, spent(note));
    }
    for (number, record) in &books.blacklisted {
        put(MoneyKey::Blacklisted(*number), blacklisting(record));
    }
    for (id, load) in &books.loads {
        out.push((load_key(*id), Some(pending_load(load))));
    }
    for (id, range) in &books.issued {
        out.push((issued_key(*id), Some(issued_range(range))));
    }
    for (account, held) in &books.offline_held {
        out.push((held_key(*account), Some(amount(held))));
    }
}

/// The entries that differ from `before`'s.
pub(crate) fn changes(before: &CashBooks, after: &CashBooks, out: &mut Vec<Change>) {
    let (b, a) = (before, after);
    map(
        &b.centers,
        &a.centers,
        |e| key(MoneyKey::CashCenter(e)),
        center_keys,
        out,
    );
    map(
        &b.device_keys,
        &a.device_keys,
        |e| key(MoneyKey::DeviceKey(e)),
        device_key,
        out,
    );
    map(
        &b.wallets,
        &a.wallets,
        |n| key(MoneyKey::Wallet(n)),
        wallet,
        out,
    );
    let spent_key = |(economy, serial)| key(MoneyKey::Spent { economy, serial });
    map(&b.spent, &a.spent, spent_key, spent, out);
    let listed = |n| key(MoneyKey::Blacklisted(n));
    map(&b.blacklisted, &a.blacklisted, listed, blacklisting, out);
    map(&b.loads, &a.loads, load_key, pending_load, out);
    map(&b.issued, &a.issued, issued_key, issued_range, out);
    map(&b.offline_held, &a.offline_held, held_key, amount, out);
}

/// Reads one entry into `books` when it is one of theirs; `false` when it
/// is not.
pub(crate) fn read_entry(
    books: &mut CashBooks,
    state_key: &StateKey,
    value: &[u8],
) -> Result<bool, EntryError> {
    let StateKey::Money(money_key) = state_key else {
        return Ok(false);
    };
    match money_key {
        MoneyKey::CashCenter(economy) => {
            let keys = decode(state_key, value, read_center_keys)?;
            books.centers.insert(*economy, keys);
        }
        MoneyKey::DeviceKey(economy) => {
            let device = decode(state_key, value, AccountId::read)?;
            books.device_keys.insert(*economy, device);
        }
        MoneyKey::Wallet(number) => {
            let binding = decode(state_key, value, read_wallet)?;
            books.wallets.insert(*number, binding);
        }
        MoneyKey::Spent { economy, serial } => {
            let note = decode(state_key, value, read_spent)?;
            books.spent.insert((*economy, *serial), note);
        }
        MoneyKey::Blacklisted(number) => {
            let record = decode(state_key, value, read_blacklisting)?;
            books.blacklisted.insert(*number, record);
        }
        MoneyKey::Load { account, nonce } => {
            let load = decode(state_key, value, read_pending_load)?;
            books.loads.insert((*account, *nonce), load);
        }
        MoneyKey::Issued {
            economy,
            first_serial,
        } => {
            let range = decode(state_key, value, read_issued_range)?;
            books.issued.insert((*economy, *first_serial), range);
        }
        MoneyKey::OfflineHeld(account) => {
            let held = decode(state_key, value, Amount::read)?;
            books.offline_held.insert(*account, held);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The books in [`crate::money::Money::to_bytes`]'s canonical encoding.
pub(crate) fn write_books(books: &CashBooks, buf: &mut Vec<u8>) {
    use crate::money_codec::write_map;
    write_map(books.centers.iter(), buf, |economy, keys, mut buf| {
        economy.write(&mut buf);
        buf.put_slice(&center_keys(keys));
    });
    write_map(books.device_keys.iter(), buf, |economy, k, mut buf| {
        economy.write(&mut buf);
        k.write(&mut buf);
    });
    write_map(books.wallets.iter(), buf, |number, binding, mut buf| {
        number.write(&mut buf);
        buf.put_slice(&wallet(binding));
    });
    write_map(
        books.spent.iter(),
        buf,
        |(economy, serial), note, mut buf| {
            economy.write(&mut buf);
            serial.write(&mut buf);
            buf.put_slice(&spent(note));
        },
    );
    write_map(books.blacklisted.iter(), buf, |number, record, mut buf| {
        number.write(&mut buf);
        buf.put_slice(&blacklisting(record));
    });
    write_map(
        books.loads.iter(),
        buf,
        |(account, nonce), load, mut buf| {
            account.write(&mut buf);
            nonce.write(&mut buf);
            buf.put_slice(&pending_load(load));
        },
    );
    write_map(
        books.issued.iter(),
        buf,
        |(economy, first), range, mut buf| {
            economy.write(&mut buf);
            first.write(&mut buf);
            buf.put_slice(&issued_range(range));
        },
    );
    write_map(books.offline_held.iter(), buf, |account, held, mut buf| {
        account.write(&mut buf);
        held.write(&mut buf);
    });
}

/// Reads [`write_books`].
pub(crate) fn read_books(buf: &mut impl Buf) -> Result<CashBooks, Error> {
    use crate::money_codec::read_map;
    Ok(CashBooks {
        centers: read_map(buf, |buf| {
            Ok((EconomyCode::read(buf)?, read_center_keys(buf)?))
        })?,
        device_keys: read_map(buf, |buf| {
            Ok((EconomyCode::read(buf)?, AccountId::read(buf)?))
        })?,
        wallets: read_map(buf, |buf| Ok((u64::read(buf)?, read_wallet(buf)?)))?,
        spent: read_map(buf, |buf| {
            let key = (EconomyCode::read(buf)?, u64::read(buf)?);
            Ok((key, read_spent(buf)?))
        })?,
        blacklisted: read_map(buf, |buf| Ok((u64::read(buf)?, read_blacklisting(buf)?)))?,
        loads: read_map(buf, |buf| {
            let id = (AccountId::read(buf)?, u64::read(buf)?);
            Ok((id, read_pending_load(buf)?))
        })?,
        issued: read_map(buf, |buf| {
            let id = (EconomyCode::read(buf)?, u64::read(buf)?);
            Ok((id, read_issued_range(buf)?))
        })?,
        offline_held: read_map(buf, |buf| Ok((AccountId::read(buf)?, Amount::read(buf)?)))?,
    })
}
