//! Purses as state entries (`money/purse/<id>`), one key each: written
//! with the money module's entries, compared by what changed, read back
//! when a node restarts (which rebuilds the expiry index and the total).

use super::purse::{Purse, Purses};
use crate::{changes::map, money_entries::decode, Change, EntryError};
use bytes::BufMut;
use commonware_codec::{Buf, Error, RangeCfg, Read, ReadExt, Write};
use eiraku_core::{money::MAX_PURSE_CATEGORIES, AccountId, Amount, Digest, EconomyCode};
use eiraku_core::{MoneyKey, StateKey};

fn write_purse(purse: &Purse, buf: &mut impl BufMut) {
    purse.payer.write(buf);
    purse.beneficiary.write(buf);
    purse.economy.write(buf);
    purse.balance.write(buf);
    purse.expiry_ms.write(buf);
    purse.categories.write(buf);
}

fn purse(purse: &Purse) -> Vec<u8> {
    let mut out = Vec::new();
    write_purse(purse, &mut out);
    out
}

fn read_purse(buf: &mut impl Buf) -> Result<Purse, Error> {
    Ok(Purse {
        payer: AccountId::read(buf)?,
        beneficiary: AccountId::read(buf)?,
        economy: EconomyCode::read(buf)?,
        balance: Amount::read(buf)?,
        expiry_ms: u64::read(buf)?,
        categories: Vec::<u16>::read_cfg(buf, &(RangeCfg::new(1..=MAX_PURSE_CATEGORIES), ()))?,
    })
}

fn key(id: Digest) -> StateKey {
    StateKey::Money(MoneyKey::Purse(id))
}

/// Every purse's entry.
pub(crate) fn entries(purses: &Purses, out: &mut Vec<Change>) {
    for (id, open) in &purses.open {
        out.push((key(*id), Some(purse(open))));
    }
}

/// The purse entries that differ between `before` and `after`.
pub(crate) fn changes(before: &Purses, after: &Purses, out: &mut Vec<Change>) {
    map(&before.open, &after.open, key, purse, out);
}

/// Reads a purse entry into `purses`; false when `state_key` is not one.
pub(crate) fn read_entry(
    purses: &mut Purses,
    state_key: &StateKey,
    value: &[u8],
) -> Result<bool, EntryError> {
    let StateKey::Money(MoneyKey::Purse(id)) = state_key else {
        return Ok(false);
    };
    purses.insert(*id, decode(state_key, value, read_purse)?);
    Ok(true)
}

/// The purses in the whole money state's encoding.
pub(crate) fn write_all(purses: &Purses, buf: &mut Vec<u8>) {
    crate::money_codec::write_map(purses.open.iter(), buf, |id, open, mut buf| {
        id.write(&mut buf);
        write_purse(open, &mut buf);
    });
}

/// Reads [`write_all`].
pub(crate) fn read_all(buf: &mut impl Buf) -> Result<Purses, Error> {
    let open: Vec<(Digest, Purse)> =
        crate::money_codec::read_map(buf, |buf| Ok((Digest::read(buf)?, read_purse(buf)?)))?;
    let mut purses = Purses::default();
    for (id, open) in open {
        purses.insert(id, open);
    }
    Ok(purses)
}
