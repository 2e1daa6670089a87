//! Argon2id password hashing: what it costs, and hashing and verifying PHC strings.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rand::rngs::OsRng;

use crate::error::StoreError;

/// How much work one Argon2id password hash costs. New hashes use the store's cost; a stored
/// hash is always verified with the cost written in it, so changing the cost never locks anyone
/// out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    /// Memory per hash, in KiB.
    pub memory_kib: u32,
    /// Passes over that memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl PasswordCost {
    /// OWASP's recommended Argon2id setting (m = 19 MiB, t = 2, p = 1), which is also the
    /// `argon2` crate's default. The production default.
    pub const OWASP: PasswordCost = PasswordCost {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// The cheapest setting Argon2 allows. **For tests only**: it makes hashes trivial to
    /// brute-force.
    pub const INSECURE_FOR_TESTS: PasswordCost = PasswordCost {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };
}

impl Default for PasswordCost {
    fn default() -> Self {
        PasswordCost::OWASP
    }
}

/// Hashes `password` with a fresh random salt; returns the PHC string to store.
pub(crate) fn hash(password: &str, cost: PasswordCost) -> Result<String, StoreError> {
    let argon2 = hasher(cost)?;
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| StoreError::PasswordHash(e.to_string()))?;
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::PasswordHash(e.to_string()))
}

/// True when `password` matches the stored PHC string. A stored string that does not parse
/// matches nothing.
pub(crate) fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(e) => {
            tracing::warn!(error = %e, "stored password hash does not parse");
            false
        }
    }
}

fn hasher(cost: PasswordCost) -> Result<Argon2<'static>, StoreError> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map_err(|e| StoreError::PasswordHash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_phc_and_verifies() -> Result<(), StoreError> {
        let phc = hash("correct horse", PasswordCost::INSECURE_FOR_TESTS)?;
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(verify("correct horse", &phc));
        assert!(!verify("correct horse!", &phc));
        assert!(!verify("correct horse", "not a phc string"));
        Ok(())
    }

    #[test]
    fn same_password_gets_a_different_salt() -> Result<(), StoreError> {
        let a = hash("pw", PasswordCost::INSECURE_FOR_TESTS)?;
        let b = hash("pw", PasswordCost::INSECURE_FOR_TESTS)?;
        assert_ne!(a, b);
        Ok(())
    }

    #[test]
    fn owasp_is_the_default_and_is_argon2_default() {
        let defaults = Params::default();
        assert_eq!(PasswordCost::default(), PasswordCost::OWASP);
        assert_eq!(PasswordCost::OWASP.memory_kib, defaults.m_cost());
        assert_eq!(PasswordCost::OWASP.iterations, defaults.t_cost());
        assert_eq!(PasswordCost::OWASP.parallelism, defaults.p_cost());
    }

    #[test]
    fn out_of_range_cost_is_an_error() {
        let cost = PasswordCost {
            memory_kib: 1,
            iterations: 0,
            parallelism: 0,
        };
        assert!(matches!(hash("pw", cost), Err(StoreError::PasswordHash(_))));
    }
}
