//! The e-vault: a deposit terminal at a bank or a large merchant. Wallets
//! pay into it face to face like into any wallet; it forwards what it holds
//! to the issuance center when it is online, brings back the newest signed
//! blacklist, refuses listed wallets from then on, and hands the list to
//! every wallet it meets, so the list spreads through the offline network.

use crate::{
    exchange::{pay_face_to_face, Moved, Setting},
    CashError, CenterError, CenterPublicKeys, DepositOutcome, IssuanceCenter, RiskLimits,
    SecureElement, SignedBlacklist, Wallet,
};

/// A deposit terminal around its own secure element.
pub struct EVault<S: SecureElement> {
    wallet: Wallet<S>,
    newest: Option<SignedBlacklist>,
}

impl<S: SecureElement> EVault<S> {
    /// A terminal whose element holds up to `limits` (a vault's are high).
    pub fn new(element: S, limits: RiskLimits, center: CenterPublicKeys) -> Self {
        Self {
            wallet: Wallet::new(element, limits, center),
            newest: None,
        }
    }

    /// The terminal's wallet (balance, number, in-doubt records).
    pub fn wallet(&self) -> &Wallet<S> {
        &self.wallet
    }

    /// A wallet deposits `amount` into the terminal; the terminal then hands
    /// it the newest blacklist it holds (if the wallet's is older).
    pub fn receive<T: SecureElement>(
        &mut self,
        payer: &mut Wallet<T>,
        amount: u64,
        setting: Setting<'_>,
    ) -> Result<Moved, CashError> {
        let moved = pay_face_to_face(payer, &mut self.wallet, amount, setting)?;
        self.pass_blacklist(payer);
        Ok(moved)
    }

    /// Hands the newest blacklist to `wallet` if it holds an older one.
    pub fn pass_blacklist<T: SecureElement>(&self, wallet: &mut Wallet<T>) {
        if let Some(list) = &self.newest {
            // Refused only when the wallet's list is as new or newer.
            let _ = wallet.install_blacklist(list);
        }
    }

    /// Online: forwards every note held to the center, then fetches and
    /// installs the newest blacklist. Returns the center's outcomes.
    pub fn forward(&mut self, center: &IssuanceCenter) -> Result<Vec<DepositOutcome>, CenterError> {
        let serials: Vec<u64> = self.wallet.element().notes().keys().copied().collect();
        let (record, notes) = self.wallet.hand_to_center(&serials)?;
        let outcomes = center.deposit(&notes)?;
        self.wallet.deposit_answered(record);
        let list = center.blacklist()?;
        if self.wallet.install_blacklist(&list).is_ok() {
            self.newest = Some(list);
        }
        Ok(outcomes)
    }
}
