//! `ClientBuilder`: every setting of the client, checked once in `build()`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use openai_invites_core::{BaseUrl, DEFAULT_BASE_URL};
use secrecy::{ExposeSecret, SecretString};
use tower_layer::Layer;

use crate::layer::rate_limit::{GovernorLimiter, Quota, RateLimitLayer, RateLimiter, Unlimited};
use crate::layer::retry::{Jitter, RetryBudget, RetryPolicy};
use crate::layer::{AdminKey, AuthLayer};
use crate::slot::{self, ErasedLayer, Slot, SlotService};
use crate::stack::{self, HttpService, StackParts, StackService};
use crate::transport::{HyperTransport, ResponseTooLarge, TransportConfig, TransportError};
use crate::{BoxError, BuildError, Client};

/// Environment variable holding the admin key. `OPENAI_API_KEY` is never read: admin keys are
/// separate from project keys.
pub const ENV_ADMIN_KEY: &str = "OPENAI_ADMIN_KEY";
/// Environment variable overriding the base URL.
pub const ENV_BASE_URL: &str = "OPENAI_BASE_URL";
/// Environment variable for the `OpenAI-Organization` header.
pub const ENV_ORG_ID: &str = "OPENAI_ORG_ID";
/// Environment variable for the `OpenAI-Project` header.
pub const ENV_PROJECT_ID: &str = "OPENAI_PROJECT_ID";

/// Configures a [`Client`]. Nothing is checked until [`build`](Self::build), which returns
/// every problem as a [`BuildError`]; nothing here panics.
///
/// | setting | default |
/// |---|---|
/// | `base_url` | `https://api.openai.com/v1` |
/// | `connect_timeout` | 5 s |
/// | `attempt_timeout` | 60 s |
/// | `total_timeout` | 600 s |
/// | `max_response_bytes` | 8 MiB |
/// | `pool_idle_timeout` | 90 s |
/// | `pool_max_idle_per_host` | no cap: every connection of a burst stays pooled until idle for `pool_idle_timeout` |
/// | `allow_insecure_http` | `false` (plain `http://` only to loopback hosts) |
/// | `max_retries` | 2 (3 attempts); `disable_retries()` turns retrying off |
/// | `retry_backoff` | 0.5 s doubling to 8 s, with jitter |
/// | `max_retry_after` | 60 s |
/// | `retry_non_idempotent` | `false` |
/// | `retry_budget` | 10 s window, 2 retries/s reserve, 20% of calls |
/// | `rate_limit` | 10 requests/s, burst 10, shared by every clone; `no_rate_limit()` |
#[must_use]
pub struct ClientBuilder {
    admin_key: Option<SecretString>,
    base_url: Option<String>,
    organization: Option<String>,
    project: Option<String>,
    user_agent_suffix: Option<String>,
    transport_config: TransportConfig,
    attempt_timeout: Duration,
    total_timeout: Duration,
    allow_insecure_http: bool,
    per_call: Vec<ErasedLayer>,
    per_attempt: Vec<ErasedLayer>,
    transport: Option<HttpService>,
    /// Retries are off when `retry.max_retries` is 0.
    retry: RetryPolicy,
    rate_limiter: Arc<dyn RateLimiter>,
}

/// The default client-side rate: 10 requests per second, in bursts of up to 10.
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 10;

fn default_quota() -> Quota {
    // `DEFAULT_REQUESTS_PER_SECOND` is a non-zero constant, so the fallback is never taken.
    let rate =
        std::num::NonZeroU32::new(DEFAULT_REQUESTS_PER_SECOND).unwrap_or(std::num::NonZeroU32::MIN);
    Quota::per_second(rate)
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            admin_key: None,
            base_url: None,
            organization: None,
            project: None,
            user_agent_suffix: None,
            transport_config: TransportConfig::default(),
            attempt_timeout: Duration::from_secs(60),
            total_timeout: Duration::from_secs(600),
            allow_insecure_http: false,
            per_call: Vec::new(),
            per_attempt: Vec::new(),
            transport: None,
            retry: RetryPolicy::default(),
            rate_limiter: Arc::new(GovernorLimiter::new(default_quota())),
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults above and no key.
    pub fn new() -> Self {
        Self::default()
    }

    /// The admin key (`sk-admin-...`), sent as `Authorization: Bearer`.
    pub fn admin_key(mut self, key: impl Into<String>) -> Self {
        self.admin_key = Some(SecretString::from(key.into()));
        self
    }

    /// Reads `OPENAI_ADMIN_KEY`, `OPENAI_BASE_URL`, `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`
    /// (each only when set and not empty). Never reads `OPENAI_API_KEY`.
    pub fn from_env(self) -> Self {
        self.from_env_with(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with another source of variables (for tests).
    pub fn from_env_with(mut self, var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name| var(name).filter(|v: &String| !v.trim().is_empty());
        if let Some(key) = var(ENV_ADMIN_KEY) {
            self = self.admin_key(key);
        }
        if let Some(url) = var(ENV_BASE_URL) {
            self.base_url = Some(url);
        }
        if let Some(org) = var(ENV_ORG_ID) {
            self.organization = Some(org);
        }
        if let Some(project) = var(ENV_PROJECT_ID) {
            self.project = Some(project);
        }
        self
    }

    /// The API's base URL, e.g. `https://api.openai.com/v1` or a fake's loopback URL.
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = Some(url.to_owned());
        self
    }

    /// Sends `OpenAI-Organization: <id>`.
    pub fn organization(mut self, id: impl Into<String>) -> Self {
        self.organization = Some(id.into());
        self
    }

    /// Sends `OpenAI-Project: <id>`.
    pub fn project(mut self, id: impl Into<String>) -> Self {
        self.project = Some(id.into());
        self
    }

    /// Appends `suffix` to the `User-Agent` (`openai-invites/<version> <suffix>`).
    pub fn user_agent(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// TCP connect timeout of the default transport.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport_config.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// How long a whole call may take, retries and waits included.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// The largest response body the default transport reads.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.transport_config.max_response_bytes = bytes;
        self
    }

    /// How long the default transport keeps an idle connection.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.transport_config.pool_idle_timeout = timeout;
        self
    }

    /// Idle connections kept per host by the default transport.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.transport_config.pool_max_idle_per_host = max;
        self
    }

    /// Trusts this DER-encoded certificate too (a private CA, a test server's certificate).
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.transport_config.roots.extra.push(der.into());
        self
    }

    /// Whether to trust the built-in roots (webpki, or the system's with the `native-roots`
    /// feature). Turn off to trust only [`add_root_certificate_der`](Self::add_root_certificate_der).
    pub fn tls_built_in_roots(mut self, enabled: bool) -> Self {
        self.transport_config.roots.no_built_in = !enabled;
        self
    }

    /// Allows plain `http://` to hosts that are not loopback. The key then travels in clear
    /// text: only for trusted networks.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Adds a layer that runs once per call, outside the retry loop and before authentication
    /// (the first added is the outermost). Any tower or tower-http layer whose service is
    /// [`SlotService`] fits; see [`slot`](crate::slot) for what it sees.
    ///
    /// ```
    /// use std::time::Duration;
    /// use openai_invites::Client;
    ///
    /// let client = Client::builder()
    ///     .admin_key("sk-admin-example")
    ///     // At most 8 calls at once from this client and its clones, retries included.
    ///     .layer_per_call(tower::limit::ConcurrencyLimitLayer::new(8))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), openai_invites::BuildError>(())
    /// ```
    pub fn layer_per_call<L>(mut self, layer: L) -> Self
    where
        L: Layer<slot::Inner> + Send + Sync + 'static,
        L::Service: SlotService,
    {
        self.per_call.push(slot::erase(layer));
        self
    }

    /// Adds a layer that runs on every attempt, after authentication (it sees the auth
    /// headers) and before the attempt span and timeout (the first added is the outermost).
    /// Any tower or tower-http layer whose service is [`SlotService`] fits.
    ///
    /// ```
    /// use openai_invites::Client;
    /// use openai_invites::http::{HeaderName, HeaderValue};
    ///
    /// let client = Client::builder()
    ///     .admin_key("sk-admin-example")
    ///     .layer_per_attempt(tower_http::set_header::SetRequestHeaderLayer::overriding(
    ///         HeaderName::from_static("x-team"),
    ///         HeaderValue::from_static("onboarding"),
    ///     ))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), openai_invites::BuildError>(())
    /// ```
    pub fn layer_per_attempt<L>(mut self, layer: L) -> Self
    where
        L: Layer<slot::Inner> + Send + Sync + 'static,
        L::Service: SlotService,
    {
        self.per_attempt.push(slot::erase(layer));
        self
    }

    /// Replaces the hyper transport with any service, e.g. the fake's in-process service or a
    /// `tower::service_fn`. `max_response_bytes`, TLS and pool settings then do not apply.
    ///
    /// An error of the service counts as a failure after sending (the outcome is unknown), unless
    /// it is a [`TransportError`] made with [`TransportError::connect`]: return that when
    /// nothing was sent, so that even non-idempotent operations may be retried.
    pub fn transport<S>(mut self, transport: S) -> Self
    where
        S: StackService,
    {
        let erased = tower::util::MapErrLayer::new(as_transport_error).layer(transport);
        self.transport = Some(HttpService::new(erased));
        self
    }

    /// Retries after the first attempt (default 2); 0 turns retrying off.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// Turns retrying off: every failure is returned as it comes. The same as
    /// `max_retries(0)`.
    pub fn disable_retries(self) -> Self {
        self.max_retries(0)
    }

    /// Backoff when the service gives no hint: `min(base * 2^n, cap)` with jitter.
    pub fn retry_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.retry.backoff.base = base;
        self.retry.backoff.cap = cap;
        self
    }

    /// The randomness of the backoff (e.g. [`Jitter::seeded`] in tests).
    pub fn retry_jitter(mut self, jitter: Jitter) -> Self {
        self.retry.backoff.jitter = jitter;
        self
    }

    /// The longest service hint (`retry-after-ms`, `retry-after`) that is waited for; a longer
    /// one returns the error at once with the hint in it. Also caps 429 cooldowns.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.retry.max_retry_after = max;
        self
    }

    /// Also re-send non-idempotent requests (`inviteUser`) after ambiguous failures. The API
    /// has no idempotency key: this risks inviting a person twice.
    pub fn retry_non_idempotent(mut self, allow: bool) -> Self {
        self.retry.retry_non_idempotent = allow;
        self
    }

    /// The retry budget shared by every clone of the client (and of other clients given the
    /// same budget).
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.retry.budget = budget;
        self
    }

    /// Replaces every retry setting at once.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Client-side request rate, shared by every clone, applied per attempt.
    pub fn rate_limit(mut self, quota: Quota) -> Self {
        self.rate_limiter = Arc::new(GovernorLimiter::new(quota));
        self
    }

    /// Another limiter backend (e.g. one shared by several processes, such as the Redis
    /// limiter of `openai-invites-redis`).
    pub fn rate_limiter(mut self, limiter: impl RateLimiter) -> Self {
        self.rate_limiter = Arc::new(limiter);
        self
    }

    /// No client-side rate limit (429 cooldowns are then not shared either).
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limiter = Arc::new(Unlimited);
        self
    }

    /// Checks every setting and builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let key = self.admin_key.ok_or(BuildError::MissingAdminKey)?;
        let key = AdminKey::new(key.expose_secret())?;
        let base_url = BaseUrl::parse(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        if !base_url.is_https() && !base_url.is_loopback() && !self.allow_insecure_http {
            return Err(BuildError::InsecureHttp {
                host: base_url.host().to_owned(),
            });
        }
        for (name, value) in [
            ("attempt_timeout", self.attempt_timeout),
            ("total_timeout", self.total_timeout),
            ("connect_timeout", self.transport_config.connect_timeout),
        ] {
            if value.is_zero() {
                return Err(BuildError::InvalidSetting {
                    name,
                    reason: "a timeout must be longer than zero",
                });
            }
        }
        if self.transport_config.max_response_bytes == 0 {
            return Err(BuildError::InvalidSetting {
                name: "max_response_bytes",
                reason: "must be at least 1",
            });
        }
        let mut auth = AuthLayer::new(&key)?;
        if let Some(organization) = &self.organization {
            auth = auth.organization(organization)?;
        }
        if let Some(project) = &self.project {
            auth = auth.project(project)?;
        }
        if let Some(suffix) = &self.user_agent_suffix {
            auth = auth.user_agent_suffix(suffix)?;
        }
        let max_response_bytes = self.transport_config.max_response_bytes;
        let max_cooldown = self.retry.max_retry_after;
        let parts = StackParts {
            per_call: Slot::of(self.per_call, max_response_bytes),
            total_timeout: self.total_timeout,
            retry: self.retry,
            rate_limit: RateLimitLayer::new(self.rate_limiter).max_cooldown(max_cooldown),
            auth,
            per_attempt: Slot::of(self.per_attempt, max_response_bytes),
            attempt_timeout: self.attempt_timeout,
        };
        let stack = match self.transport {
            Some(transport) => stack::assemble(transport, parts),
            None if base_url.is_https() => {
                stack::assemble(HyperTransport::new(&self.transport_config)?, parts)
            }
            None => stack::assemble(HyperTransport::plain(&self.transport_config), parts),
        };
        Ok(Client::from_parts(base_url, stack))
    }
}

/// Errors of a swapped transport are transport errors: the conservative reading is that the
/// request may have been sent.
fn as_transport_error(error: impl Into<BoxError>) -> BoxError {
    let error = error.into();
    if error.is::<TransportError>() || error.is::<ResponseTooLarge>() {
        error
    } else {
        Box::new(TransportError::after_send(error))
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("admin_key", &self.admin_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("organization", &self.organization)
            .field("project", &self.project)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("per_call_layers", &self.per_call.len())
            .field("per_attempt_layers", &self.per_attempt.len())
            .field("custom_transport", &self.transport.is_some())
            .field("max_retries", &self.retry.max_retries)
            .finish_non_exhaustive()
    }
}
