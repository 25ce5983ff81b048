//! What `eiraku gov propose` amends: the flags of each amendment, and the
//! consent a new role holder's key signs (made here when its key file is at
//! hand, or given with `--consent` from `eiraku keys consent`).

use crate::keyfile;
use anyhow::Context as _;
use clap::ValueEnum;
use eiraku_core::{
    governance::{Amendment, Parameter, RoleConsent, SeatKind},
    validators::Joiner,
    AccountId, Amount, ChainId, EconomyCode, Role, ValidatorChange,
};
use std::path::{Path, PathBuf};

/// A parameter a class-B proposal can set.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ParameterName {
    /// Cross-border payments from this many coin minor units carry
    /// travel-rule data.
    TravelRuleThreshold,
    /// Rates older than this many milliseconds of block time are stale.
    MaxRateAgeMs,
    /// A lost key's replacement waits this many milliseconds of block time.
    KeyReplacementDelayMs,
}

/// What a proposal amends: exactly one of a parameter with its value, a
/// seat with its account, or JSON.
#[derive(clap::Args)]
#[group(required = true, multiple = true)]
pub struct AmendmentArgs {
    /// Set this parameter (class B) to --value.
    #[arg(long, value_enum, requires = "value")]
    parameter: Option<ParameterName>,
    /// The parameter's new value (coin minor units, or milliseconds).
    #[arg(long, requires = "parameter")]
    value: Option<u128>,
    /// Seat --account as a voting or advisory seat (class A).
    #[arg(long, value_enum, requires = "account", conflicts_with_all = ["parameter", "remove_seat"])]
    add_seat: Option<SeatArg>,
    /// Remove --account's voting or advisory seat (class A).
    #[arg(long, value_enum, requires = "account", conflicts_with = "parameter")]
    remove_seat: Option<SeatArg>,
    /// The account a seat change names (hex id, key file or demo label).
    #[arg(long)]
    account: Option<String>,
    /// Any amendment as JSON, as the API shows proposals (e.g.
    /// '{"set_windows":{"class":"b","windows":{…}}}').
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat"])]
    amendment: Option<String>,
    /// Add the validator whose consent this file holds (from `eiraku node
    /// --consent`; class A; repeatable).
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment"])]
    add_validator: Vec<PathBuf>,
    /// Remove the validator with this consensus key (hex; class A;
    /// repeatable).
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment"])]
    remove_validator: Vec<String>,
    /// Revoke this official's role (the issuer, a central bank or a
    /// regulator: hex id, key file or demo label) and pass it, with its
    /// books, seat and balance, to --successor (class A).
    #[arg(long, requires = "successor", conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment", "add_validator", "remove_validator"])]
    succeed: Option<String>,
    /// The successor: a new key that holds no role. Its key file (from
    /// `eiraku keys new`) signs its consent here; for a hex id, give the
    /// consent with --consent.
    #[arg(long, requires = "succeed")]
    successor: Option<String>,
    /// A new role holder's consent (hex, from `eiraku keys consent`), when
    /// its key file is not at hand: for --successor and --grant-role's
    /// --account.
    #[arg(long)]
    consent: Option<String>,
    /// Lift the suspension of this bank (hex id, key file or demo label;
    /// class B).
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment", "add_validator", "remove_validator", "succeed"])]
    lift_suspension: Option<String>,
    /// Grant --account this registry role in --economy (class B).
    #[arg(long, value_enum, requires_all = ["account", "economy"], conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment", "add_validator", "remove_validator", "succeed", "lift_suspension"])]
    grant_role: Option<RegistryRoleArg>,
    /// The economy of the role --grant-role grants (e.g. JP).
    #[arg(long, requires = "grant_role")]
    economy: Option<String>,
    /// Revoke this account's registry role (class B).
    #[arg(long, conflicts_with_all = ["parameter", "add_seat", "remove_seat", "amendment", "add_validator", "remove_validator", "succeed", "lift_suspension", "grant_role"])]
    revoke_role: Option<String>,
}

/// A role governance grants by class B.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RegistryRoleArg {
    /// Creates registries and names their writers.
    RegistryAuthority,
    /// Issues attestations (KYC results, qualifications).
    Attester,
    /// Runs the economy's offline-cash issuance center.
    CashCenter,
    /// Certifies the economy's offline wallets.
    DeviceCenter,
}

/// A kind of seat.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SeatArg {
    /// Proposes and votes.
    Voting,
    /// Advises and vetoes class-A decisions.
    Advisory,
}

impl AmendmentArgs {
    /// The amendment the flags name; demo labels resolve in `network`.
    pub fn amendment(&self, network: &Path, cx: &ConsentContext<'_>) -> anyhow::Result<Amendment> {
        let account = || -> anyhow::Result<AccountId> {
            let text = self.account.as_deref().expect("clap requires --account");
            keyfile::resolve_account(text, network)
        };
        let kind = |seat: SeatArg| match seat {
            SeatArg::Voting => SeatKind::Voting,
            SeatArg::Advisory => SeatKind::Advisory,
        };
        if !self.add_validator.is_empty() || !self.remove_validator.is_empty() {
            return self.validator_change();
        }
        if let Some(amendment) = self.role_amendment(network, cx)? {
            return Ok(amendment);
        }
        if let Some(bank) = &self.lift_suspension {
            let bank = keyfile::resolve_account(bank, network)?;
            return Ok(Amendment::LiftSuspension { bank });
        }
        if let (Some(official), Some(successor)) = (&self.succeed, &self.successor) {
            let official = keyfile::resolve_account(official, network)?;
            let role = (cx.role_of)(&official)?;
            let (successor, consent) = self.new_holder(successor, &role, network, cx)?;
            return Ok(Amendment::Succeed {
                official,
                successor,
                consent,
            });
        }
        Ok(match (self.parameter, self.add_seat, self.remove_seat, &self.amendment) {
            (Some(name), None, None, None) => {
                let value = self.value.expect("clap requires --value");
                Amendment::SetParameter(parameter_value(name, value)?)
            }
            (None, Some(seat), None, None) => Amendment::AddSeat {
                account: account()?,
                kind: kind(seat),
            },
            (None, None, Some(seat), None) => Amendment::RemoveSeat {
                account: account()?,
                kind: kind(seat),
            },
            (None, None, None, Some(json)) => serde_json::from_str(json)
                .map_err(|e| anyhow::anyhow!("--amendment is not an amendment: {e}"))?,
            _ => anyhow::bail!(
                "give one of --parameter with --value, --add-seat or --remove-seat with --account, --succeed with --successor, --lift-suspension, --grant-role with --economy and --account, --revoke-role, or --amendment JSON"
            ),
        })
    }
}

impl AmendmentArgs {
    /// The grant or revocation of a registry role the flags name, if any.
    fn role_amendment(
        &self,
        network: &Path,
        cx: &ConsentContext<'_>,
    ) -> anyhow::Result<Option<Amendment>> {
        if let Some(account) = &self.revoke_role {
            let account = keyfile::resolve_account(account, network)?;
            return Ok(Some(Amendment::RevokeRole { account }));
        }
        let Some(kind) = self.grant_role else {
            return Ok(None);
        };
        let text = self.economy.as_deref().expect("clap requires --economy");
        let economy = EconomyCode::new(text).map_err(anyhow::Error::msg)?;
        let role = match kind {
            RegistryRoleArg::RegistryAuthority => Role::RegistryAuthority { economy },
            RegistryRoleArg::Attester => Role::Attester { economy },
            RegistryRoleArg::CashCenter => Role::CashCenter { economy },
            RegistryRoleArg::DeviceCenter => Role::DeviceCenter { economy },
        };
        let text = self.account.as_deref().expect("clap requires --account");
        let (account, consent) = self.new_holder(text, &role, network, cx)?;
        Ok(Some(Amendment::GrantRole {
            account,
            role,
            consent,
        }))
    }

    /// A new role holder and its consent to `role`: signed here with its
    /// key file, or read from --consent.
    fn new_holder(
        &self,
        text: &str,
        role: &Role,
        network: &Path,
        cx: &ConsentContext<'_>,
    ) -> anyhow::Result<(AccountId, RoleConsent)> {
        let path = keyfile::resolve_key_path(text, network);
        if path.exists() {
            let signer = keyfile::read(&path)?;
            anyhow::ensure!(
                signer.account == signer.key.account_id(),
                "{} signs for another account: a new role holder consents with its own key",
                path.display()
            );
            let consent = RoleConsent::sign(&signer.key, &cx.chain_id, role);
            return Ok((signer.account, consent));
        }
        let account = keyfile::resolve_account(text, network)?;
        let hex = self.consent.as_deref().ok_or_else(|| {
            anyhow::anyhow!(
                "{text} must consent to the role: give its key file, or its consent with --consent (`eiraku keys consent`)"
            )
        })?;
        Ok((account, parse_consent(hex)?))
    }

    /// The validator change --add-validator and --remove-validator name,
    /// in the key order the chain's codec requires.
    fn validator_change(&self) -> anyhow::Result<Amendment> {
        let mut add = Vec::new();
        for path in &self.add_validator {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let joiner: Joiner = serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not a consent from `eiraku node --consent`",
                    path.display()
                )
            })?;
            add.push(joiner);
        }
        add.sort_by_key(|joiner| joiner.validator.key);
        let mut remove = (self.remove_validator.iter())
            .map(|hex| AccountId::from_hex(hex).map_err(anyhow::Error::msg))
            .collect::<anyhow::Result<Vec<_>>>()
            .context("--remove-validator takes a validator's consensus key in hex")?;
        remove.sort();
        let most = eiraku_core::validators::MAX_CHANGED;
        anyhow::ensure!(
            add.len() <= most && remove.len() <= most,
            "one change adds at most {most} validators and removes at most {most}"
        );
        Ok(Amendment::ChangeValidators(ValidatorChange { add, remove }))
    }
}

/// What signing a new role holder's consent needs: the chain, and the
/// role an official holds (a succession's successor accepts that role).
pub struct ConsentContext<'a> {
    /// The chain the consent is for.
    pub chain_id: ChainId,
    /// The role an account holds now (the node's answer).
    pub role_of: &'a dyn Fn(&AccountId) -> anyhow::Result<Role>,
}

/// A consent as `eiraku keys consent` prints it: a signature in hex.
pub fn parse_consent(hex: &str) -> anyhow::Result<RoleConsent> {
    // `eiraku keys consent` prints it as a JSON string: quotes are welcome.
    let hex = hex.trim().trim_matches('"');
    serde_json::from_value(serde_json::Value::String(hex.into())).context(
        "--consent takes a 64-byte Ed25519 signature in hex, as `eiraku keys consent` prints it",
    )
}

pub(super) fn parameter_value(name: ParameterName, value: u128) -> anyhow::Result<Parameter> {
    Ok(match name {
        ParameterName::TravelRuleThreshold => Parameter::TravelRuleThreshold(Amount(value)),
        ParameterName::MaxRateAgeMs => Parameter::MaxRateAgeMs(milliseconds(value)?),
        ParameterName::KeyReplacementDelayMs => {
            Parameter::KeyReplacementDelayMs(milliseconds(value)?)
        }
    })
}

fn milliseconds(value: u128) -> anyhow::Result<u64> {
    u64::try_from(value).map_err(|_| anyhow::anyhow!("{value} ms does not fit in 64 bits"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use eiraku_core::Keypair;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        amendment: AmendmentArgs,
    }

    fn parse(args: &[&str]) -> Result<Flags, clap::Error> {
        Flags::try_parse_from(std::iter::once("propose").chain(args.iter().copied()))
    }

    fn central_bank(_: &AccountId) -> anyhow::Result<Role> {
        Ok(Role::CentralBank {
            economy: EconomyCode::new("SG").unwrap(),
        })
    }

    /// The amendment `args` name, against a network directory `dir`.
    fn amend(args: &[&str], dir: &Path) -> anyhow::Result<Amendment> {
        let cx = ConsentContext {
            chain_id: ChainId::new("cli").unwrap(),
            role_of: &central_bank,
        };
        parse(args)?.amendment.amendment(dir, &cx)
    }

    #[test]
    fn a_new_role_holder_consents_with_its_key_file_or_a_given_consent() {
        let dir = tempfile::tempdir().unwrap();
        let official = AccountId::from_bytes([1; 32]).to_hex();
        let heir = Keypair::from_seed(5);
        let key_file = dir.path().join("heir.key");
        keyfile::write(&key_file, &heir).unwrap();
        let chain = ChainId::new("cli").unwrap();
        let role = central_bank(&heir.account_id()).unwrap();
        let signed = amend(
            &[
                "--succeed",
                &official,
                "--successor",
                key_file.to_str().unwrap(),
            ],
            dir.path(),
        );
        let Amendment::Succeed {
            successor, consent, ..
        } = signed.unwrap()
        else {
            panic!("a succession");
        };
        assert_eq!(successor, heir.account_id());
        assert!(consent.verifies(&successor, &chain, &role));

        // A hex id needs its consent given, as `eiraku keys consent` prints it.
        let heir_hex = heir.account_id().to_hex();
        let flags = [
            "--succeed",
            official.as_str(),
            "--successor",
            heir_hex.as_str(),
        ];
        let refused = amend(&flags, dir.path()).unwrap_err().to_string();
        assert!(refused.contains("must consent"), "{refused}");
        let hex = serde_json::to_value(RoleConsent::sign(&heir, &chain, &role)).unwrap();
        let hex = hex.as_str().unwrap();
        let given = amend(&[&flags[..], &["--consent", hex]].concat(), dir.path()).unwrap();
        assert!(
            matches!(given, Amendment::Succeed { consent, .. } if consent.verifies(&heir.account_id(), &chain, &role))
        );
        let garbage = amend(&[&flags[..], &["--consent", "00ff"]].concat(), dir.path());
        assert!(garbage.unwrap_err().to_string().contains("64-byte"));
        assert!(parse(&["--succeed", &official]).is_err());
        assert!(parse(&["--successor", &heir_hex]).is_err());
    }

    #[test]
    fn lifts_registry_roles_and_validator_changes_have_their_flags() {
        let dir = tempfile::tempdir().unwrap();
        let bank = AccountId::from_bytes([1; 32]);
        let lift = amend(&["--lift-suspension", &bank.to_hex()], dir.path()).unwrap();
        assert_eq!(lift, Amendment::LiftSuspension { bank });
        assert!(parse(&["--lift-suspension", &bank.to_hex(), "--succeed", "x"]).is_err());

        let attester = Keypair::from_seed(6);
        let key_file = dir.path().join("attester.key");
        keyfile::write(&key_file, &attester).unwrap();
        let path = key_file.to_str().unwrap();
        let grant = amend(
            &[
                "--grant-role",
                "attester",
                "--economy",
                "JP",
                "--account",
                path,
            ],
            dir.path(),
        );
        let role = Role::Attester {
            economy: EconomyCode::new("JP").unwrap(),
        };
        let chain = ChainId::new("cli").unwrap();
        assert!(matches!(
            grant.unwrap(),
            Amendment::GrantRole { account, role: granted, consent }
                if account == attester.account_id() && granted == role
                    && consent.verifies(&account, &chain, &role)
        ));
        assert!(parse(&["--grant-role", "attester", "--account", path]).is_err());
        let revoke = amend(&["--revoke-role", &bank.to_hex()], dir.path()).unwrap();
        assert_eq!(revoke, Amendment::RevokeRole { account: bank });

        let keys: Vec<String> = (0..33u8)
            .map(|b| AccountId::from_bytes([b; 32]).to_hex())
            .collect();
        let flags: Vec<&str> = keys
            .iter()
            .flat_map(|key| ["--remove-validator", key.as_str()])
            .collect();
        let too_many = amend(&flags, dir.path()).unwrap_err().to_string();
        assert!(too_many.contains("at most 32"), "{too_many}");
        let unknown = amend(&["--revoke-role", "nobody"], dir.path()).unwrap_err();
        assert!(unknown
            .to_string()
            .contains("neither a 64-character hex account id"));
    }
}
