//! `ClientBuilder`: every setting of the client, checked once in `build()`.
//!
//! The settings of the default transport (proxy, trusted roots, timeouts, pool) are in
//! `network.rs`; `build()` and its checks in `build.rs`.

mod build;
mod network;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tower_layer::Layer;

use crate::Client;
use crate::defaults;
use crate::environment::NetworkEnv;
use crate::layer::rate_limit::{GovernorLimiter, Quota, RateLimiter, Unlimited};
use crate::layer::retry::{Jitter, RetryBudget, RetryPolicy};
use crate::slot::{self, ErasedLayer, SlotService};
use crate::transport::HttpService;
use crate::transport::TransportConfig;
use crate::transport::proxy::ProxySetting;

/// Environment variable holding the admin key. `OPENAI_API_KEY` is never read: admin keys are
/// separate from project keys.
pub const ENV_ADMIN_KEY: &str = "OPENAI_ADMIN_KEY";
/// The project API key's variable: deliberately never read (see [`ENV_ADMIN_KEY`]); when it is
/// the only key set, `build()` says so ([`BuildError::ApiKeyNotRead`](crate::BuildError::ApiKeyNotRead)).
pub const ENV_API_KEY: &str = "OPENAI_API_KEY";
/// Environment variable overriding the base URL.
pub const ENV_BASE_URL: &str = "OPENAI_BASE_URL";
/// Environment variable for the `OpenAI-Organization` header.
pub const ENV_ORG_ID: &str = "OPENAI_ORG_ID";
/// Environment variable for the `OpenAI-Project` header.
pub const ENV_PROJECT_ID: &str = "OPENAI_PROJECT_ID";

/// Configures a [`Client`](crate::Client). Nothing is checked until [`build`](Self::build), which returns
/// every problem as a [`BuildError`](crate::BuildError); nothing here panics.
///
/// | setting | default |
/// |---|---|
/// | `base_url` | `https://api.openai.com/v1` |
/// | `connect_timeout` | [`defaults::CONNECT_TIMEOUT`] |
/// | `attempt_timeout` | [`defaults::ATTEMPT_TIMEOUT`] |
/// | `total_timeout` | [`defaults::TOTAL_TIMEOUT`] |
/// | `max_response_bytes` | [`defaults::MAX_RESPONSE_BYTES`] |
/// | `pool_idle_timeout` | [`defaults::POOL_IDLE_TIMEOUT`] |
/// | `pool_max_idle_per_host` | no cap: every connection of a burst stays pooled until idle for `pool_idle_timeout` |
/// | `allow_insecure_http` | `false` (plain `http://` only to loopback hosts) |
/// | `proxy` / `no_proxy` | from `https_proxy` / `http_proxy` / `all_proxy` / `no_proxy`, read at `build()`; loopback never proxied |
/// | roots | webpki's (the system's with `native-roots`), or `SSL_CERT_FILE` / `SSL_CERT_DIR` when set; plus `add_root_certificate*` |
/// | `max_retries` | [`defaults::MAX_RETRIES`]; `disable_retries()` turns retrying off |
/// | `retry_backoff` | [`defaults::BACKOFF_BASE`] doubling to [`defaults::BACKOFF_CAP`], with jitter |
/// | `max_retry_after` | [`defaults::MAX_RETRY_AFTER`] |
/// | `retry_non_idempotent` | `false` |
/// | `retry_budget` | [`RetryBudget::default`] |
/// | `rate_limit` | [`defaults::REQUESTS_PER_SECOND`], the same burst, shared by every clone; `no_rate_limit()` |
/// | `reconcile_invites` | `true`: ambiguous creates and deletes are settled by reading the service |
/// | `reconcile_settle_delay` / `reconcile_max_pages` / `reconcile_clock_skew` | [`defaults::SETTLE_DELAY`] / [`defaults::RECONCILE_MAX_PAGES`] / [`defaults::CLOCK_SKEW`] |
///
/// ```
/// use std::num::NonZeroU32;
/// use std::time::Duration;
/// use openai_invites::{Client, Quota};
///
/// let client = Client::builder()
///     .from_env() // OPENAI_ADMIN_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID
///     .admin_key("sk-admin-example") // or set it explicitly
///     .total_timeout(Duration::from_secs(30))
///     .max_retries(4)
///     .rate_limit(Quota::per_second(NonZeroU32::new(5).unwrap()))
///     .user_agent("onboarding-bot/2")
///     .build()?;
/// # let _ = client;
/// # Ok::<(), openai_invites::BuildError>(())
/// ```
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
    proxy: ProxySetting,
    /// The network variables, when a source was given; else read from the process at `build()`.
    network_env: Option<NetworkEnv>,
    /// `from_env` saw `OPENAI_API_KEY` and no `OPENAI_ADMIN_KEY`.
    api_key_not_read: bool,
    #[cfg(feature = "metrics")]
    meter_provider: Option<Arc<dyn opentelemetry::metrics::MeterProvider + Send + Sync>>,
}

fn default_quota() -> Quota {
    // `REQUESTS_PER_SECOND` is a non-zero constant, so the fallback is never taken.
    let rate = std::num::NonZeroU32::new(defaults::REQUESTS_PER_SECOND)
        .unwrap_or(std::num::NonZeroU32::MIN);
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
            attempt_timeout: defaults::ATTEMPT_TIMEOUT,
            total_timeout: defaults::TOTAL_TIMEOUT,
            allow_insecure_http: false,
            per_call: Vec::new(),
            per_attempt: Vec::new(),
            transport: None,
            retry: RetryPolicy::default(),
            rate_limiter: Arc::new(GovernorLimiter::new(default_quota())),
            proxy: ProxySetting::default(),
            network_env: None,
            api_key_not_read: false,
            #[cfg(feature = "metrics")]
            meter_provider: None,
        }
    }
}

// Defined with the builder, so that the builder knows the client and not the other way round.
impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
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
    /// (each only when set and not empty), and the network variables (proxies,
    /// `SSL_CERT_FILE`, `SSL_CERT_DIR`: see [`environment`](crate::environment)), now, once.
    /// Never reads `OPENAI_API_KEY`: when it is the only key set, `build()` fails with
    /// [`BuildError::ApiKeyNotRead`](crate::BuildError::ApiKeyNotRead), which says so.
    pub fn from_env(self) -> Self {
        self.from_env_with(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with another source of variables, e.g. a map in a test
    /// (tests run in parallel threads: never change the process environment for them).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use openai_invites::Client;
    ///
    /// let env = HashMap::from([
    ///     ("OPENAI_ADMIN_KEY", "sk-admin-example"),
    ///     ("HTTPS_PROXY", "http://proxy.corp:3128"),
    /// ]);
    /// let client = Client::builder()
    ///     .from_env_with(|name| env.get(name).map(|v| v.to_string()))
    ///     .build()?;
    /// assert_eq!(client.proxy(), Some("http://proxy.corp:3128"));
    /// # Ok::<(), openai_invites::BuildError>(())
    /// ```
    pub fn from_env_with(mut self, var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| var(name).filter(|v: &String| !v.trim().is_empty());
        self.network_env = Some(NetworkEnv::read(var));
        self.api_key_not_read = var(ENV_ADMIN_KEY).is_none() && var(ENV_API_KEY).is_some();
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

    /// Retries after the first attempt (default [`defaults::MAX_RETRIES`]); 0 turns retrying
    /// off.
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
    /// one returns the error at once with the hint in it. Also caps 429 cooldowns: a cooldown
    /// that is still longer than what a later call has left fails that call at once, as
    /// [`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited) with
    /// [`retry_after`](crate::Error::retry_after) set, rather than sleeping into its total
    /// timeout.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.retry.max_retry_after = max;
        self
    }

    /// Also re-send non-idempotent requests (`inviteUser`) blindly after ambiguous failures.
    /// The API has no idempotency key: this risks inviting a person twice. While
    /// reconciliation is on (the default, [`reconcile_invites`](Self::reconcile_invites)), a
    /// create's ambiguous outcome is settled by reading the invites first, and it is re-sent
    /// only when provably not made, whatever this says; the setting matters only with
    /// `reconcile_invites(false)`.
    pub fn retry_non_idempotent(mut self, allow: bool) -> Self {
        self.retry.retry_non_idempotent = allow;
        self
    }

    /// Whether an ambiguous `inviteUser` (a 5xx, 408 or 409, a timeout or lost connection after
    /// sending, a 2xx that does not decode) is settled by reading the invites (default `true`):
    /// the call then returns the invite it made, an [`ErrorKind::AlreadyInvited`] error with
    /// the invite already pending, or sends the create again when it provably did not happen
    /// (as a retry). A retried `deleteInvite` that answers 404 after an ambiguous attempt then
    /// counts as deleted. Off, such failures are returned with
    /// [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown).
    ///
    /// [`ErrorKind::AlreadyInvited`]: crate::ErrorKind::AlreadyInvited
    pub fn reconcile_invites(mut self, enabled: bool) -> Self {
        self.retry.reconcile.enabled = enabled;
        self
    }

    /// How long to let the service's list catch up with its writes before reading it to settle
    /// an ambiguous create (default [`defaults::SETTLE_DELAY`]). A service whose list lags longer than this could make
    /// the client conclude "not created" and send the create again.
    pub fn reconcile_settle_delay(mut self, delay: Duration) -> Self {
        self.retry.reconcile.settle_delay = delay;
        self
    }

    /// The most pages of 100 invites read to settle an ambiguous create (default
    /// [`defaults::RECONCILE_MAX_PAGES`]); past that the outcome stays unknown.
    pub fn reconcile_max_pages(mut self, pages: u32) -> Self {
        self.retry.reconcile.max_pages = pages;
        self
    }

    /// How far behind the caller's clock the service's may be (default
    /// [`defaults::CLOCK_SKEW`]): an invite made
    /// up to this long before the call began still counts as the call's.
    pub fn reconcile_clock_skew(mut self, skew: Duration) -> Self {
        self.retry.reconcile.clock_skew = skew;
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

    /// Where the client's metrics go (the `metrics` feature): default, the global provider
    /// (`opentelemetry::global::meter_provider()`, a no-op unless the application installs
    /// one), read at `build()`. See [`layer`](crate::layer) for the instruments.
    ///
    /// ```
    /// let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder().build();
    /// let client = openai_invites::Client::builder()
    ///     .admin_key("sk-admin-example")
    ///     .meter_provider(provider)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), openai_invites::BuildError>(())
    /// ```
    #[cfg(feature = "metrics")]
    pub fn meter_provider(
        mut self,
        provider: impl opentelemetry::metrics::MeterProvider + Send + Sync + 'static,
    ) -> Self {
        self.meter_provider = Some(Arc::new(provider));
        self
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("admin_key", &self.admin_key.as_ref().map(|_| "[redacted]"))
            .field(
                "base_url",
                &self
                    .base_url
                    .as_deref()
                    .map(openai_invites_core::without_userinfo),
            )
            .field("organization", &self.organization)
            .field("project", &self.project)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("proxy", &self.proxy)
            .field("network_env", &self.network_env)
            .field("per_call_layers", &self.per_call.len())
            .field("per_attempt_layers", &self.per_attempt.len())
            .field("custom_transport", &self.transport.is_some())
            .field("max_retries", &self.retry.max_retries)
            .finish_non_exhaustive()
    }
}
