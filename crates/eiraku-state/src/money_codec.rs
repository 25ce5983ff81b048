//! The binary form of the money state (commonware-codec, like every other
//! encoding on the chain): what the state root commits to and what a node
//! stores. Maps are written in key order, so equal states encode equally.

use crate::money::{Acceptance, Contribution, Economy, Freeze, Money, SeigniorPeriod, Settlement};
use bytes::BufMut;
use commonware_codec::{Buf, Copying, Error, ReadExt, Write};
use eiraku_core::{
    travel_rule::TravelKey, AccountId, Amount, BasketPart, CoinUnit, CurrencyCode, EconomyCode,
    Rate, TierCaps,
};

/// Longest list or map the decoder accepts (a damaged length must not
/// allocate unbounded memory).
const MAX_ITEMS: u32 = 1 << 26;

pub(crate) fn write_len(len: usize, buf: &mut impl BufMut) {
    u32::try_from(len)
        .expect("fewer than 2^32 items")
        .write(buf);
}

pub(crate) fn read_len(buf: &mut impl Buf) -> Result<usize, Error> {
    let len = u32::read(buf)?;
    if len > MAX_ITEMS {
        return Err(Error::Invalid("Money", "list too long"));
    }
    Ok(len as usize)
}

pub(crate) fn write_text(text: &str, buf: &mut impl BufMut) {
    write_len(text.len(), buf);
    buf.put_slice(text.as_bytes());
}

pub(crate) fn read_text(buf: &mut impl Buf) -> Result<String, Error> {
    let len = read_len(buf)?;
    if buf.remaining() < len {
        return Err(Error::EndOfBuffer);
    }
    let mut bytes = vec![0u8; len];
    buf.copy_to_slice(&mut bytes);
    String::from_utf8(bytes).map_err(|_| Error::Invalid("Money", "text is not UTF-8"))
}

/// Writes a map's entries, which every map here yields in key order.
pub(crate) fn write_map<'a, K: 'a, V: 'a>(
    map: impl ExactSizeIterator<Item = (&'a K, &'a V)>,
    buf: &mut impl BufMut,
    mut item: impl FnMut(&K, &V, &mut dyn BufMut),
) {
    write_len(map.len(), buf);
    for (key, value) in map {
        item(key, value, buf);
    }
}

/// Reads `len` entries, refusing keys out of order (one encoding per state).
pub(crate) fn read_map<B: Buf, K: Ord + Clone, V, M: FromIterator<(K, V)>>(
    buf: &mut B,
    mut item: impl FnMut(&mut B) -> Result<(K, V), Error>,
) -> Result<M, Error> {
    let len = read_len(buf)?;
    let mut entries = Vec::with_capacity(len.min(1 << 16));
    for _ in 0..len {
        let (key, value) = item(buf)?;
        if entries
            .last()
            .is_some_and(|(last, _): &(K, V)| *last >= key)
        {
            return Err(Error::Invalid("Money", "map keys out of order"));
        }
        entries.push((key, value));
    }
    Ok(entries.into_iter().collect())
}

fn write_option_u64(value: Option<u64>, buf: &mut impl BufMut) {
    value.write(buf);
}

fn write_tier(tier: &TierCaps, buf: &mut impl BufMut) {
    tier.tier.write(buf);
    tier.balance_cap.write(buf);
    tier.transfer_cap.write(buf);
}

fn read_tier(buf: &mut impl Buf) -> Result<TierCaps, Error> {
    Ok(TierCaps {
        tier: u8::read(buf)?,
        balance_cap: Amount::read(buf)?,
        transfer_cap: Amount::read(buf)?,
    })
}

const BASKET: u8 = 0;
const SINGLE: u8 = 1;

fn write_unit(unit: &CoinUnit, buf: &mut impl BufMut) {
    match unit {
        CoinUnit::Basket { basket } => {
            BASKET.write(buf);
            write_len(basket.len(), buf);
            for part in basket {
                part.currency.write(buf);
                part.quantity.write(buf);
            }
        }
        CoinUnit::Single { currency } => {
            SINGLE.write(buf);
            currency.write(buf);
        }
    }
}

fn read_unit(buf: &mut impl Buf) -> Result<CoinUnit, Error> {
    match u8::read(buf)? {
        BASKET => {
            let len = read_len(buf)?;
            let basket = (0..len)
                .map(|_| {
                    Ok(BasketPart {
                        currency: CurrencyCode::read(buf)?,
                        quantity: Rate::read(buf)?,
                    })
                })
                .collect::<Result<_, Error>>()?;
            Ok(CoinUnit::Basket { basket })
        }
        SINGLE => Ok(CoinUnit::Single {
            currency: CurrencyCode::read(buf)?,
        }),
        other => Err(Error::InvalidEnum(other)),
    }
}

fn write_economy(e: &Economy, buf: &mut impl BufMut) {
    e.currency.write(buf);
    e.central_bank.write(buf);
    e.regulator.write(buf);
    e.rate.write(buf);
    e.rate_posted_ms.write(buf);
    e.own_bonds.write(buf);
    e.issued_bonds.write(buf);
    e.contributed.write(buf);
    write_map(e.tiers.iter(), buf, |_, tier, mut buf| {
        write_tier(tier, &mut buf)
    });
    e.seigniorage.write(buf);
    e.offline_float.write(buf);
}

fn read_economy(buf: &mut impl Buf) -> Result<Economy, Error> {
    Ok(Economy {
        currency: CurrencyCode::read(buf)?,
        central_bank: AccountId::read(buf)?,
        regulator: AccountId::read(buf)?,
        rate: Rate::read(buf)?,
        rate_posted_ms: u64::read(buf)?,
        own_bonds: Amount::read(buf)?,
        issued_bonds: Amount::read(buf)?,
        contributed: Amount::read(buf)?,
        tiers: read_map(buf, |buf| {
            let tier = read_tier(buf)?;
            Ok((tier.tier, tier))
        })?,
        seigniorage: Amount::read(buf)?,
        offline_float: Amount::read(buf)?,
    })
}

fn write_contribution(c: &Contribution, buf: &mut impl BufMut) {
    c.id.write(buf);
    c.economy.write(buf);
    write_text(&c.instrument, buf);
    c.currency.write(buf);
    c.face.write(buf);
    c.yield_bps.write(buf);
    c.maturity_ms.write(buf);
    c.offered_ms.write(buf);
    match c.accepted {
        Some(acceptance) => {
            true.write(buf);
            acceptance.acu_value.write(buf);
            acceptance.accepted_ms.write(buf);
        }
        None => false.write(buf),
    }
    c.withdrawn_ms.write(buf);
}

fn read_contribution(buf: &mut impl Buf) -> Result<Contribution, Error> {
    Ok(Contribution {
        id: u64::read(buf)?,
        economy: EconomyCode::read(buf)?,
        instrument: read_text(buf)?,
        currency: CurrencyCode::read(buf)?,
        face: Amount::read(buf)?,
        yield_bps: u32::read(buf)?,
        maturity_ms: u64::read(buf)?,
        offered_ms: u64::read(buf)?,
        accepted: if bool::read(buf)? {
            Some(Acceptance {
                acu_value: Amount::read(buf)?,
                accepted_ms: u64::read(buf)?,
            })
        } else {
            None
        },
        withdrawn_ms: Option::<u64>::read(buf)?,
    })
}

fn write_settlement(s: &Settlement, buf: &mut impl BufMut) {
    s.id.write(buf);
    s.creditor.write(buf);
    s.debtor.write(buf);
    s.amount.write(buf);
    s.proposed_ms.write(buf);
    write_option_u64(s.confirmed_ms, buf);
}

fn read_settlement(buf: &mut impl Buf) -> Result<Settlement, Error> {
    Ok(Settlement {
        id: u64::read(buf)?,
        creditor: EconomyCode::read(buf)?,
        debtor: EconomyCode::read(buf)?,
        amount: Amount::read(buf)?,
        proposed_ms: u64::read(buf)?,
        confirmed_ms: Option::<u64>::read(buf)?,
    })
}

fn write_period(p: &SeigniorPeriod, buf: &mut impl BufMut) {
    p.from_ms.write(buf);
    p.to_ms.write(buf);
    p.income.write(buf);
    p.operating_cost.write(buf);
    p.reserve.write(buf);
    write_map(p.shares.iter(), buf, |code, share, mut buf| {
        code.write(&mut buf);
        share.write(&mut buf);
    });
}

fn read_period(buf: &mut impl Buf) -> Result<SeigniorPeriod, Error> {
    Ok(SeigniorPeriod {
        from_ms: u64::read(buf)?,
        to_ms: u64::read(buf)?,
        income: Amount::read(buf)?,
        operating_cost: Amount::read(buf)?,
        reserve: Amount::read(buf)?,
        shares: read_map(buf, |buf| Ok((EconomyCode::read(buf)?, Amount::read(buf)?)))?,
    })
}

pub(crate) fn read_list<B: Buf, T, L: FromIterator<T>>(
    buf: &mut B,
    item: impl Fn(&mut B) -> Result<T, Error>,
) -> Result<L, Error> {
    let len = read_len(buf)?;
    (0..len).map(|_| item(buf)).collect()
}

impl Money {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        write_unit(&self.unit, &mut buf);
        self.numeraire.write(&mut buf);
        self.max_rate_age_ms.write(&mut buf);
        self.travel_rule_threshold.write(&mut buf);
        self.issuer.write(&mut buf);
        write_map(self.economies.iter(), &mut buf, |code, economy, mut buf| {
            code.write(&mut buf);
            write_economy(economy, &mut buf);
        });
        write_map(self.travel_keys.iter(), &mut buf, |id, key, buf| {
            id.write(&mut &mut *buf);
            buf.put_slice(&key.0);
        });
        write_map(self.frozen.iter(), &mut buf, |id, freeze, mut buf| {
            id.write(&mut buf);
            write_text(&freeze.reason, &mut buf);
            freeze.since_ms.write(&mut buf);
        });
        write_len(self.contributions.len(), &mut buf);
        for contribution in &self.contributions {
            write_contribution(contribution, &mut buf);
        }
        write_map(
            self.claims.iter(),
            &mut buf,
            |(creditor, debtor), amount, mut buf| {
                creditor.write(&mut buf);
                debtor.write(&mut buf);
                amount.write(&mut buf);
            },
        );
        write_len(self.settlements.len(), &mut buf);
        for settlement in &self.settlements {
            write_settlement(settlement, &mut buf);
        }
        self.seigniorage_closed_ms.write(&mut buf);
        write_len(self.seigniorage_periods.len(), &mut buf);
        for period in &self.seigniorage_periods {
            write_period(period, &mut buf);
        }
        write_map(
            self.suspended.iter(),
            &mut buf,
            |id, suspension, mut buf| {
                id.write(&mut buf);
                write_text(&suspension.reason, &mut buf);
                suspension.since_ms.write(&mut buf);
            },
        );
        crate::money::cash_state::write_books(&self.cash, &mut buf);
        crate::money::purse_state::write_all(&self.purses, &mut buf);
        buf
    }

    /// Reads [`Money::to_bytes`]; trailing bytes are an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut copying = Copying(bytes);
        let buf = &mut copying;
        let money = Money {
            unit: read_unit(buf)?,
            numeraire: CurrencyCode::read(buf)?,
            max_rate_age_ms: u64::read(buf)?,
            travel_rule_threshold: Amount::read(buf)?,
            issuer: AccountId::read(buf)?,
            economies: read_map(buf, |buf| Ok((EconomyCode::read(buf)?, read_economy(buf)?)))?,
            travel_keys: read_map(buf, |buf| {
                Ok((AccountId::read(buf)?, TravelKey(<[u8; 32]>::read(buf)?)))
            })?,
            frozen: read_map(buf, |buf| {
                Ok((
                    AccountId::read(buf)?,
                    Freeze {
                        reason: read_text(buf)?,
                        since_ms: u64::read(buf)?,
                    },
                ))
            })?,
            contributions: read_list(buf, read_contribution)?,
            claims: read_map(buf, |buf| {
                Ok((
                    (EconomyCode::read(buf)?, EconomyCode::read(buf)?),
                    Amount::read(buf)?,
                ))
            })?,
            settlements: read_list(buf, read_settlement)?,
            seigniorage_closed_ms: u64::read(buf)?,
            seigniorage_periods: read_list(buf, read_period)?,
            suspended: read_map(buf, |buf| Ok((AccountId::read(buf)?, read::freeze(buf)?)))?,
            cash: crate::money::cash_state::read_books(buf)?,
            purses: crate::money::purse_state::read_all(buf)?,
        };
        if bytes::Buf::has_remaining(buf) {
            return Err(Error::ExtraData(bytes::Buf::remaining(buf)));
        }
        Ok(money)
    }
}

/// Each money entry's value as the authenticated store holds it (one key
/// per entry: see [`eiraku_core::StateKey`]).
pub(crate) mod entry {
    use super::*;

    fn encoded(write: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut buf = Vec::new();
        write(&mut buf);
        buf
    }

    /// The settings: unit, numeraire, rate age limit, travel-rule
    /// threshold, issuer, end of the last seigniorage period.
    pub fn config(money: &Money) -> Vec<u8> {
        encoded(|buf| {
            write_unit(&money.unit, buf);
            money.numeraire.write(buf);
            money.max_rate_age_ms.write(buf);
            money.travel_rule_threshold.write(buf);
            money.issuer.write(buf);
            money.seigniorage_closed_ms.write(buf);
        })
    }

    /// One economy's books.
    pub fn economy(e: &Economy) -> Vec<u8> {
        encoded(|buf| write_economy(e, buf))
    }

    /// A travel key.
    pub fn travel_key(key: &TravelKey) -> Vec<u8> {
        key.0.to_vec()
    }

    /// A freeze.
    pub fn freeze(freeze: &Freeze) -> Vec<u8> {
        encoded(|buf| {
            write_text(&freeze.reason, buf);
            freeze.since_ms.write(buf);
        })
    }

    /// A contribution.
    pub fn contribution(c: &Contribution) -> Vec<u8> {
        encoded(|buf| write_contribution(c, buf))
    }

    /// A claim's amount.
    pub fn claim(amount: &Amount) -> Vec<u8> {
        encoded(|buf| amount.write(buf))
    }

    /// A settlement.
    pub fn settlement(s: &Settlement) -> Vec<u8> {
        encoded(|buf| write_settlement(s, buf))
    }

    /// A closed seigniorage period.
    pub fn period(p: &SeigniorPeriod) -> Vec<u8> {
        encoded(|buf| write_period(p, buf))
    }
}

/// Each money entry's value read back (see `crate::money_entries`).
pub(crate) mod read {
    use super::*;

    /// [`entry::config`]: a money state with these settings and nothing
    /// else yet.
    pub fn config(buf: &mut impl Buf) -> Result<Money, Error> {
        Ok(Money {
            unit: read_unit(buf)?,
            numeraire: CurrencyCode::read(buf)?,
            max_rate_age_ms: u64::read(buf)?,
            travel_rule_threshold: Amount::read(buf)?,
            issuer: AccountId::read(buf)?,
            seigniorage_closed_ms: u64::read(buf)?,
            economies: Default::default(),
            travel_keys: Default::default(),
            frozen: Default::default(),
            contributions: Default::default(),
            claims: Default::default(),
            settlements: Default::default(),
            seigniorage_periods: Default::default(),
            suspended: Default::default(),
            cash: Default::default(),
            purses: Default::default(),
        })
    }

    /// [`entry::economy`].
    pub fn economy(buf: &mut impl Buf) -> Result<Economy, Error> {
        read_economy(buf)
    }

    /// [`entry::freeze`].
    pub fn freeze(buf: &mut impl Buf) -> Result<Freeze, Error> {
        Ok(Freeze {
            reason: read_text(buf)?,
            since_ms: u64::read(buf)?,
        })
    }

    /// [`entry::contribution`].
    pub fn contribution(buf: &mut impl Buf) -> Result<Contribution, Error> {
        read_contribution(buf)
    }

    /// [`entry::settlement`].
    pub fn settlement(buf: &mut impl Buf) -> Result<Settlement, Error> {
        read_settlement(buf)
    }

    /// [`entry::period`].
    pub fn period(buf: &mut impl Buf) -> Result<SeigniorPeriod, Error> {
        read_period(buf)
    }
}
