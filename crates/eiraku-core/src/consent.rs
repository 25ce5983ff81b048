//! The terms of a consent (seed 002: an information bank passes personal
//! data to a third party only on the person's instruction or conditions
//! set in advance): who may use the data, for what purpose, which
//! categories of it, until when. Carried by `RegistryCall::GrantConsent`.

use crate::{money::read_text_within, AccountId};
use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error, RangeCfg, Read, ReadExt, Write};

/// Longest purpose text.
pub const MAX_PURPOSE_BYTES: usize = 128;
/// Longest data-category name.
pub const MAX_CATEGORY_BYTES: usize = 32;
/// Most data categories one consent covers.
pub const MAX_DATA_CATEGORIES: usize = 16;

/// What a person consents to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConsentTerms {
    /// Who may use the data.
    pub data_user: AccountId,
    /// For what (e.g. "credit scoring").
    pub purpose: String,
    /// Which categories of data (e.g. "income", "purchase-history").
    pub categories: Vec<String>,
    /// Until when (block time, ms; exclusive).
    pub until_ms: u64,
}

impl Write for ConsentTerms {
    fn write(&self, buf: &mut impl BufMut) {
        self.data_user.write(buf);
        self.purpose.as_bytes().write(buf);
        // More than 255 saturates: the count no decoder takes.
        u8::try_from(self.categories.len())
            .unwrap_or(u8::MAX)
            .write(buf);
        for category in &self.categories {
            category.as_bytes().write(buf);
        }
        self.until_ms.write(buf);
    }
}

impl EncodeSize for ConsentTerms {
    fn encode_size(&self) -> usize {
        let categories: usize = (self.categories.iter())
            .map(|c| c.as_bytes().encode_size())
            .sum();
        32 + self.purpose.as_bytes().encode_size() + 1 + categories + 8
    }
}

impl Read for ConsentTerms {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, Error> {
        let data_user = AccountId::read(buf)?;
        let purpose = read_text_within(buf, MAX_PURPOSE_BYTES)?;
        let count = u8::read(buf)? as usize;
        if !(1..=MAX_DATA_CATEGORIES).contains(&count) {
            return Err(Error::Invalid("ConsentTerms", "1 to 16 data categories"));
        }
        let categories = (0..count)
            .map(|_| read_category(buf))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            data_user,
            purpose,
            categories,
            until_ms: u64::read(buf)?,
        })
    }
}

/// Reads a data-category name: 1 to 32 bytes of UTF-8.
pub(crate) fn read_category(buf: &mut impl Buf) -> Result<String, Error> {
    let bytes = Vec::<u8>::read_cfg(buf, &(RangeCfg::new(1..=MAX_CATEGORY_BYTES), ()))?;
    String::from_utf8(bytes).map_err(|_| Error::Invalid("category", "not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Keypair;
    use commonware_codec::{Copying, DecodeExt, Encode};

    #[test]
    fn terms_round_trip_and_bounds_are_refused() {
        let terms = |categories: Vec<String>| ConsentTerms {
            data_user: Keypair::from_seed(1).account_id(),
            purpose: "credit scoring".into(),
            categories,
            until_ms: 9,
        };
        let good = terms(vec!["income".into(), "purchase-history".into()]);
        let bytes = good.encode();
        assert_eq!(bytes.len(), good.encode_size());
        assert_eq!(ConsentTerms::decode(Copying(bytes.as_ref())).unwrap(), good);
        for bad in [
            terms(vec![]),
            terms(vec!["x".into(); 17]),
            terms(vec!["".into()]),
            terms(vec!["y".repeat(33)]),
        ] {
            assert!(ConsentTerms::decode(Copying(bad.encode().as_ref())).is_err());
        }
    }
}
