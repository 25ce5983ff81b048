//! The units of the AMRO coin's vocabulary: economy and currency codes and
//! FX rates, each with its one canonical binary form.

use bytes::BufMut;
use commonware_codec::{Buf, Error, FixedSize, Read, ReadExt, Write};
use rust_decimal::Decimal;
use std::{fmt, str::FromStr};

/// An upper-case ASCII code of exactly `N` letters: ISO 3166 economy codes
/// (`N` = 2) and ISO 4217 currency codes (`N` = 3).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code<const N: usize>([u8; N]);

/// An economy (ISO 3166-1 alpha-2, e.g. `JP`; Hong Kong is `HK`).
pub type EconomyCode = Code<2>;
/// A currency (ISO 4217, e.g. `JPY`).
pub type CurrencyCode = Code<3>;

impl<const N: usize> Code<N> {
    /// Validates and wraps a code.
    pub fn new(text: &str) -> Result<Self, String> {
        let bytes = text.as_bytes();
        if bytes.len() != N || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(format!("{text:?} is not a code of {N} upper-case letters"));
        }
        let mut code = [0u8; N];
        code.copy_from_slice(bytes);
        Ok(Self(code))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("validated ASCII")
    }
}

impl<const N: usize> fmt::Display for Code<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> fmt::Debug for Code<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> FromStr for Code<N> {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Self::new(text)
    }
}

impl<const N: usize> Write for Code<N> {
    fn write(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.0);
    }
}

impl<const N: usize> FixedSize for Code<N> {
    const SIZE: usize = N;
}

impl<const N: usize> Read for Code<N> {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let bytes = <[u8; N]>::read(buf)?;
        if !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(Error::Invalid("Code", "not upper-case letters"));
        }
        Ok(Self(bytes))
    }
}

impl<const N: usize> serde::Serialize for Code<N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de, const N: usize> serde::Deserialize<'de> for Code<N> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A positive exact decimal: an FX rate (numeraire per unit of a currency)
/// or a basket quantity. Held normalized (no trailing zeros), so each value
/// has exactly one encoding: mantissa (u128, below 2^96) and scale (u8, at
/// most 28).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(Decimal);

impl Rate {
    /// Wraps a positive decimal.
    pub fn new(value: Decimal) -> Result<Self, String> {
        if value <= Decimal::ZERO {
            return Err(format!("{value} must be greater than zero"));
        }
        Ok(Self(value.normalize()))
    }

    /// The value.
    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Rate {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let value = Decimal::from_str_exact(text).map_err(|e| format!("{text:?}: {e}"))?;
        Self::new(value)
    }
}

impl Write for Rate {
    fn write(&self, buf: &mut impl BufMut) {
        (self.0.mantissa() as u128).write(buf);
        (self.0.scale() as u8).write(buf);
    }
}

impl FixedSize for Rate {
    const SIZE: usize = 17;
}

impl Read for Rate {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let mantissa = u128::read(buf)?;
        let scale = u8::read(buf)?;
        if mantissa == 0 || mantissa >= 1 << 96 || scale > 28 {
            return Err(Error::Invalid("Rate", "out of range"));
        }
        if scale > 0 && mantissa % 10 == 0 {
            return Err(Error::Invalid("Rate", "not normalized"));
        }
        Ok(Self(Decimal::from_i128_with_scale(
            mantissa as i128,
            scale as u32,
        )))
    }
}

impl serde::Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}
