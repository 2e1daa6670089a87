//! The requests the shell answers from the store rather than the switchboard: `login`,
//! `authenticate`, `logout`, `renew_token` and `history`, each mapped onto a protocol
//! [`ErrorCode`] when refused.
//!
//! Every store call blocks (SQLite, Argon2), so each runs in `spawn_blocking`, and only a few
//! at a time: the store serialises its calls on one connection anyway, so a sign-in storm
//! would otherwise start hundreds of threads that only wait for each other.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ringer_proto::limits::{MAX_HISTORY_LIMIT, PROTOCOL_VERSION};
use ringer_proto::{
    CallRecord, DeviceId, ErrorCode, Password, ReqId, ServerFrame, Token, Uid, UnixMillis,
};
use ringer_store::{LoginError, Store, StoreError, TokenError};
use ringer_switchboard::Authenticated;
use tokio::sync::Semaphore;

use crate::rate_limit::LoginLimiter;

/// How many store calls (other than password checks) run at once. More would only queue on the
/// store's one connection.
pub const STORE_PERMITS: usize = 4;

/// How many records `history` returns when the request does not say.
pub const DEFAULT_HISTORY_LIMIT: u32 = 100;

/// A refused request: the `error` frame's code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The protocol error code.
    pub code: ErrorCode,
    /// A readable explanation.
    pub message: String,
}

impl Refusal {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }

    /// The `error` frame answering request `req`.
    pub fn to_frame(&self, req: ReqId) -> ServerFrame {
        ServerFrame::Error {
            req: Some(req),
            code: self.code,
            message: self.message.clone(),
        }
    }
}

/// A `login` request's fields.
#[derive(Debug)]
pub struct LoginRequest {
    /// Request id.
    pub req: ReqId,
    /// Protocol version the client speaks.
    pub protocol: u32,
    /// Who.
    pub uid: Uid,
    /// Their password.
    pub password: Password,
    /// The device.
    pub device_id: DeviceId,
}

/// Credentials the store accepted, ready for the switchboard to admit.
#[derive(Debug)]
pub struct Admission {
    /// What the switchboard needs.
    pub auth: Authenticated,
    /// The connection's session token: issued by this login, or presented to authenticate.
    pub token: Token,
    /// True when `token` was issued by this login (and must be revoked if never delivered).
    pub fresh: bool,
    /// The account's sessions epoch when the credentials were checked; a later epoch means the
    /// sessions were revoked since (see `ringer_store::Account::sessions_epoch`).
    pub sessions_epoch: u64,
    /// The account as the store had it when the credentials were checked.
    pub account: ringer_store::Account,
}

/// The store-backed half of authentication, shared by all connections.
#[derive(Debug)]
pub struct Auth {
    store: Arc<Store>,
    limiter: Mutex<LoginLimiter>,
    token_lifetime: Duration,
    /// Bounds the store calls in flight ([`STORE_PERMITS`]).
    store_permits: Semaphore,
    /// Bounds the password checks in flight: Argon2 runs outside the store's mutex and uses a
    /// whole core, so one per CPU.
    login_permits: Semaphore,
}

impl Auth {
    /// Authentication against `store`, issuing tokens valid for `token_lifetime`.
    pub fn new(store: Arc<Store>, limiter: LoginLimiter, token_lifetime: Duration) -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Auth {
            store,
            limiter: Mutex::new(limiter),
            token_lifetime,
            store_permits: Semaphore::new(STORE_PERMITS),
            login_permits: Semaphore::new(cpus),
        }
    }

    /// Checks a password login from `ip` and creates a session.
    pub async fn login(&self, request: LoginRequest, ip: IpAddr) -> Result<Admission, Refusal> {
        check_protocol(request.protocol)?;
        let now = tokio::time::Instant::now().into_std();
        if !self.limiter().allows(&request.uid, ip, now) {
            tracing::info!(uid = %request.uid, %ip, "login refused: too many failed attempts");
            return Err(Refusal::new(
                ErrorCode::RateLimited,
                "too many failed logins; try again later",
            ));
        }
        let store = Arc::clone(&self.store);
        let uid = request.uid.clone();
        let password = request.password;
        let verified = blocking(&self.login_permits, move || {
            store.verify_login(&uid, &password, unix_now_ms())
        })
        .await?;
        let account = match verified {
            Ok(account) => account,
            Err(LoginError::BadCredentials) => {
                let now = tokio::time::Instant::now().into_std();
                self.limiter().failed(&request.uid, ip, now);
                tracing::info!(uid = %request.uid, %ip, "login failed: bad credentials");
                return Err(Refusal::new(
                    ErrorCode::BadCredentials,
                    "wrong uid or password",
                ));
            }
            Err(LoginError::AccountDisabled) => {
                return Err(Refusal::new(
                    ErrorCode::AccountDisabled,
                    "account is disabled",
                ));
            }
            Err(LoginError::Store(err)) => return Err(store_refusal(&err)),
        };
        let store = Arc::clone(&self.store);
        let uid = request.uid.clone();
        let device_id = request.device_id.clone();
        let lifetime = self.token_lifetime;
        let (token, expires_at) = blocking(&self.store_permits, move || {
            store.create_session(&uid, &device_id, unix_now_ms(), lifetime)
        })
        .await?
        .map_err(|err| session_refusal(&err))?;
        Ok(Admission {
            auth: Authenticated {
                req: request.req,
                uid: request.uid,
                device_id: request.device_id,
                token: Some(token.clone()),
                token_expires_at: expires_at,
            },
            token,
            fresh: true,
            sessions_epoch: account.sessions_epoch,
            account,
        })
    }

    /// Checks a session token.
    pub async fn authenticate(
        &self,
        req: ReqId,
        protocol: u32,
        uid: Uid,
        token: Token,
        device_id: DeviceId,
    ) -> Result<Admission, Refusal> {
        check_protocol(protocol)?;
        let store = Arc::clone(&self.store);
        let checked_uid = uid.clone();
        let checked_token = token.clone();
        let session = blocking(&self.store_permits, move || {
            store.authenticate_token(&checked_uid, &checked_token, unix_now_ms())
        })
        .await?
        .map_err(|err| token_refusal(&err))?;
        Ok(Admission {
            auth: Authenticated {
                req,
                uid,
                device_id,
                token: None,
                token_expires_at: session.expires_at,
            },
            token,
            fresh: false,
            sessions_epoch: session.account.sessions_epoch,
            account: session.account,
        })
    }

    /// Revokes a session (logout).
    pub async fn logout(&self, token: Token) -> Result<(), Refusal> {
        let store = Arc::clone(&self.store);
        blocking(&self.store_permits, move || store.revoke_session(&token))
            .await?
            .map(|_| ())
            .map_err(|err| store_refusal(&err))
    }

    /// Revokes a session nobody will see (a login whose device was then not admitted).
    pub async fn discard(&self, token: Token) {
        if let Err(refusal) = self.logout(token).await {
            tracing::warn!(message = %refusal.message, "cannot revoke an unused session token");
        }
    }

    /// Extends a session by the token lifetime; returns the new expiry.
    pub async fn renew(&self, token: Token) -> Result<UnixMillis, Refusal> {
        let store = Arc::clone(&self.store);
        let lifetime = self.token_lifetime;
        blocking(&self.store_permits, move || {
            store.renew_session(&token, unix_now_ms(), lifetime)
        })
        .await?
        .map_err(|err| token_refusal(&err))
    }

    /// A uid's call records, newest first.
    pub async fn history(&self, uid: Uid, limit: Option<u32>) -> Result<Vec<CallRecord>, Refusal> {
        let limit = limit.unwrap_or(DEFAULT_HISTORY_LIMIT);
        if limit > MAX_HISTORY_LIMIT {
            return Err(Refusal::new(
                ErrorCode::TooLarge,
                format!("limit is {limit}, at most {MAX_HISTORY_LIMIT} allowed"),
            ));
        }
        let store = Arc::clone(&self.store);
        blocking(&self.store_permits, move || store.history(&uid, limit))
            .await?
            .map_err(|err| store_refusal(&err))
    }

    fn limiter(&self) -> std::sync::MutexGuard<'_, LoginLimiter> {
        // The limiter holds only counters; a panic elsewhere cannot leave them inconsistent.
        self.limiter.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Milliseconds since the Unix epoch, by the system clock.
pub fn unix_now_ms() -> UnixMillis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn check_protocol(protocol: u32) -> Result<(), Refusal> {
    if protocol == PROTOCOL_VERSION {
        Ok(())
    } else {
        Err(Refusal::new(
            ErrorCode::Unsupported,
            format!(
                "protocol version {protocol} is not supported; this server speaks {PROTOCOL_VERSION}"
            ),
        ))
    }
}

/// Runs `work` on a blocking thread once one of `permits` is free, holding it until done.
async fn blocking<T: Send + 'static>(
    permits: &Semaphore,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Refusal> {
    let internal = || Refusal::new(ErrorCode::Internal, "the server failed internally");
    let _permit = permits.acquire().await.map_err(|err| {
        tracing::error!(%err, "store permits closed");
        internal()
    })?;
    tokio::task::spawn_blocking(work).await.map_err(|err| {
        tracing::error!(%err, "store task failed");
        internal()
    })
}

fn token_refusal(err: &TokenError) -> Refusal {
    match err {
        TokenError::Expired => Refusal::new(ErrorCode::TokenExpired, "session token has expired"),
        TokenError::Revoked => Refusal::new(ErrorCode::TokenRevoked, "session token was revoked"),
        TokenError::AccountDisabled => {
            Refusal::new(ErrorCode::AccountDisabled, "account is disabled")
        }
        TokenError::Store(err) => store_refusal(err),
    }
}

/// Why a session could not be created right after a successful password check: the account
/// was disabled or removed in between, or the store failed.
fn session_refusal(err: &StoreError) -> Refusal {
    if let StoreError::AccountDisabled(_) = err {
        Refusal::new(ErrorCode::AccountDisabled, "account is disabled")
    } else if let StoreError::UnknownUser(_) = err {
        Refusal::new(ErrorCode::BadCredentials, "wrong uid or password")
    } else {
        store_refusal(err)
    }
}

fn store_refusal(err: &StoreError) -> Refusal {
    tracing::error!(error = %err, "store failed");
    Refusal::new(ErrorCode::Internal, "the server's store failed; try again")
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Condvar, Mutex, PoisonError};
    use std::time::Duration;

    use tokio::sync::Semaphore;

    use super::blocking;

    /// A gate the blocking calls wait at until the test opens it.
    #[derive(Default)]
    struct Gate {
        open: Mutex<bool>,
        opened: Condvar,
    }

    impl Gate {
        fn wait(&self) {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            while !*open {
                open = self
                    .opened
                    .wait(open)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }

        fn open(&self) {
            *self.open.lock().unwrap_or_else(PoisonError::into_inner) = true;
            self.opened.notify_all();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn blocking_calls_beyond_the_permits_wait_for_one() {
        let permits = Arc::new(Semaphore::new(2));
        let gate = Arc::new(Gate::default());
        let started = Arc::new(AtomicUsize::new(0));
        let mut calls = Vec::new();
        for _ in 0..5 {
            let (permits, gate, started) = (
                Arc::clone(&permits),
                Arc::clone(&gate),
                Arc::clone(&started),
            );
            calls.push(tokio::spawn(async move {
                blocking(&permits, move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    gate.wait();
                })
                .await
            }));
        }
        while started.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Give the other three every chance to start (they must not): without the bound they
        // would all be running by now.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(started.load(Ordering::SeqCst), 2);
        assert_eq!(permits.available_permits(), 0);
        gate.open();
        for call in calls {
            assert!(call.await.expect("call task").is_ok());
        }
        assert_eq!(started.load(Ordering::SeqCst), 5);
        assert_eq!(permits.available_permits(), 2);
    }
}
