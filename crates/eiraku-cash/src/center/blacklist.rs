//! The blacklist: every wallet caught is refused issuance for good, and
//! published to wallets while its certificate is valid. Once it is not,
//! every honest peer refuses the wallet's sessions anyway, so the entry
//! leaves the published list (the evidence stays), and the list wallets
//! carry stays as small as the caught wallets still able to pay.

use super::*;

impl IssuanceCenter {
    /// Whether `wallet` was ever caught.
    pub fn is_blacklisted(&self, wallet: WalletNumber) -> Result<bool, CenterError> {
        Ok(self
            .evidence
            .get(wallet.0.to_be_bytes())
            .map_err(storage)?
            .is_some())
    }

    /// Records newly caught wallets with their evidence, in `batch`, and
    /// publishes them in a new version of the list.
    pub(super) fn list_culprits(
        &self,
        culprits: BTreeMap<WalletNumber, Evidence>,
        batch: &mut fjall::Batch,
    ) -> Result<(), CenterError> {
        let mut listed_new = false;
        for (culprit, evidence) in culprits {
            if self.is_blacklisted(culprit)? {
                continue;
            }
            let key = culprit.0.to_be_bytes();
            batch.insert(&self.evidence, key, evidence.encode().to_vec());
            let valid_until_ms = self
                .certificate(culprit)?
                .map_or(u64::MAX, |c| c.certificate.valid_until_ms);
            batch.insert(&self.blacklist, key, valid_until_ms.to_be_bytes());
            listed_new = true;
        }
        if listed_new {
            self.bump_blacklist_version(batch)?;
        }
        Ok(())
    }

    fn bump_blacklist_version(&self, batch: &mut fjall::Batch) -> Result<(), CenterError> {
        let version = self.meta_u64(BLACKLIST_VERSION)? + 1;
        batch.insert(&self.meta, BLACKLIST_VERSION, version.to_be_bytes());
        Ok(())
    }

    /// Drops from the published list the wallets whose certificate ended
    /// by `now_ms` (a new version when any did). Returns how many left it.
    pub fn prune_blacklist(&self, now_ms: u64) -> Result<usize, CenterError> {
        let _writing = self.write_lock();
        let mut batch = self.keyspace.batch().durability(Some(PersistMode::SyncAll));
        let mut pruned = 0;
        for entry in self.blacklist.iter() {
            let (key, value) = entry.map_err(storage)?;
            let valid_until: [u8; 8] = value
                .as_ref()
                .try_into()
                .map_err(|_| storage("a blacklist entry is not 8 bytes"))?;
            if u64::from_be_bytes(valid_until) <= now_ms {
                batch.remove(&self.blacklist, key.to_vec());
                pruned += 1;
            }
        }
        if pruned > 0 {
            self.bump_blacklist_version(&mut batch)?;
        }
        batch.commit().map_err(storage)?;
        Ok(pruned)
    }

    /// The published blacklist, signed.
    pub fn blacklist(&self) -> Result<SignedBlacklist, CenterError> {
        let version = self.meta_u64(BLACKLIST_VERSION)?;
        let mut wallets = Vec::new();
        for entry in self.blacklist.iter() {
            let (key, _) = entry.map_err(storage)?;
            let bytes: [u8; 8] = key
                .as_ref()
                .try_into()
                .map_err(|_| storage("blacklist key is not 8 bytes"))?;
            wallets.push(WalletNumber(u64::from_be_bytes(bytes)));
        }
        let signature = self
            .keys
            .sign_blacklist(&SignedBlacklist::message(version, &wallets))?;
        Ok(SignedBlacklist {
            version,
            wallets,
            signature,
        })
    }

    /// The evidence a wallet was caught on.
    pub fn evidence_against(&self, wallet: WalletNumber) -> Result<Option<Evidence>, CenterError> {
        let Some(bytes) = self.evidence.get(wallet.0.to_be_bytes()).map_err(storage)? else {
            return Ok(None);
        };
        Evidence::decode(Copying(bytes.as_ref()))
            .map(Some)
            .map_err(|e| storage(format!("stored evidence against {wallet}: {e}")))
    }
}
