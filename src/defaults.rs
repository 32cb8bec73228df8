//! Every default of the client, named once: the settings' `Default` impls and the builder
//! read these constants, and the docs link here instead of repeating the values. The retry
//! and timeout defaults follow the official SDKs.
//!
//! ```
//! use openai_invites::defaults;
//!
//! // Twice the default retries.
//! let client = openai_invites::Client::builder()
//!     .admin_key("sk-admin-example")
//!     .max_retries(2 * defaults::MAX_RETRIES)
//!     .build()?;
//! # let _ = client;
//! # Ok::<(), openai_invites::BuildError>(())
//! ```

use std::time::Duration;

/// Retries after the first attempt.
pub const MAX_RETRIES: u32 = 2;

/// The first backoff delay, when the service gives no hint; it doubles on every retry.
pub const BACKOFF_BASE: Duration = Duration::from_millis(500);

/// The longest backoff delay.
pub const BACKOFF_CAP: Duration = Duration::from_secs(8);

/// The longest `retry-after-ms` / `retry-after` hint waited for (a longer one fails the call
/// with the hint in the error); also the longest pause a 429 imposes on every caller of a
/// shared rate limiter.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The window over which the retry budget counts calls and retries.
pub const RETRY_BUDGET_WINDOW: Duration = Duration::from_secs(10);

/// Retries per second the retry budget allows whatever the traffic.
pub const RETRY_BUDGET_MIN_PER_SEC: u32 = 2;

/// Retries the retry budget allows per call, on top of its reserve.
pub const RETRY_BUDGET_RATIO: f32 = 0.2;

/// How long a whole call may take, retries and waits included.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(600);

/// How long one attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the default transport waits for a TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the default transport keeps an idle pooled connection.
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// The largest response body the default transport reads, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// The client-side rate limit, in requests per second (and the burst), shared by every
/// clone of a client.
pub const REQUESTS_PER_SECOND: u32 = 10;

/// How long reconciliation lets the service's list catch up with its writes before reading.
pub const SETTLE_DELAY: Duration = Duration::from_secs(1);

/// The most pages (of 100 invites) a reconciliation reads before the outcome stays unknown.
pub const RECONCILE_MAX_PAGES: u32 = 100;

/// How far the service's clock may be behind the caller's: an invite made this long before
/// a call began still counts as the call's.
pub const CLOCK_SKEW: Duration = Duration::from_secs(60);
