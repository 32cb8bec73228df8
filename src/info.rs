//! `CallInfo`: what the service said about a successful call, and what the call cost.

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use openai_invites_core::headers::{self, RateLimitHeaders};

use crate::Reconciled;
use crate::scrub::Secrets;

/// What the service said about a successful call (its request id, the `x-ratelimit-*`
/// values when it sent them, its processing time, every response header), and what the call
/// took: attempts and elapsed time. Asked for with [`Call::with_info`](crate::Call::with_info);
/// a plain `.await` on the call returns the output alone.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use openai_invites::Client;
/// use openai_invites_mock::FakeInvites;
///
/// let fake = FakeInvites::new();
/// let client = Client::builder().admin_key(fake.admin_key()).transport(fake.service()).build()?;
/// let (page, info) = client.list_invites(Default::default()).with_info().await?;
/// assert!(page.data.is_empty());
/// assert_eq!(info.attempts(), 1);
/// println!("request id {:?}, {:?} left", info.request_id(), info.rate_limit().remaining_requests);
/// # Ok(()) }
/// ```
///
/// After a create settled by reading the invites ([`reconciled`](Self::reconciled) is
/// `Some(Reconciled::Created)`), the service's own answer to the create was lost: the status
/// and headers are those of the answer the client made from the invite it found (no request
/// id), and the attempts count the create's attempts, not the reads.
///
/// More facts may be added in later versions (fields are private; read them through the
/// accessors).
#[derive(Clone)]
pub struct CallInfo {
    status: StatusCode,
    request_id: Option<String>,
    rate_limit: RateLimitHeaders,
    processing_time: Option<Duration>,
    attempts: u32,
    elapsed: Duration,
    reconciled: Option<Reconciled>,
    headers: HeaderMap,
}

impl CallInfo {
    /// The facts of a 2xx with these `headers`; the request id is scrubbed of `secrets` (a
    /// misbehaving server may echo them).
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        attempts: u32,
        elapsed: Duration,
        reconciled: Option<Reconciled>,
        secrets: &Secrets,
    ) -> Self {
        let mut request_id = headers::request_id(&headers).map(str::to_owned);
        secrets.scrub_option(&mut request_id);
        Self {
            status,
            request_id,
            rate_limit: RateLimitHeaders::from_headers(&headers),
            processing_time: headers
                .get("openai-processing-ms")
                .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
                .map(Duration::from_millis),
            attempts,
            elapsed,
            reconciled,
            headers,
        }
    }

    /// The status of the successful response (the API answers 200).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `x-request-id`, for support and logs.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The `x-ratelimit-limit-requests`, `-remaining-requests` and `-reset-requests` values;
    /// each is `None` when the service did not send it (the admin endpoints may not).
    pub fn rate_limit(&self) -> &RateLimitHeaders {
        &self.rate_limit
    }

    /// `openai-processing-ms`: the time the service says it spent.
    pub fn processing_time(&self) -> Option<Duration> {
        self.processing_time
    }

    /// Attempts made, the successful one included (1 when no retry was needed).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// From the first poll of the call to its decoded answer, retries and waits included (in
    /// tokio's clock, so paused time in tests stays exact).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// What the client found when it settled an ambiguous attempt by reading the service
    /// (`Some(Reconciled::Created)` when a create's first answer was lost and the invite was
    /// found; `Some(Reconciled::Deleted)` when a delete's retry met a 404 after an attempt
    /// that may have deleted; `Some(Reconciled::NotCreated)` when a create was found not
    /// made and the one sent again succeeded), or `None` when no attempt was ambiguous.
    pub fn reconciled(&self) -> Option<Reconciled> {
        self.reconciled
    }

    /// Every header of the successful response, as the service sent it (not scrubbed: a
    /// misbehaving server's echo of a secret is here, unlike in [`request_id`](Self::request_id)
    /// and `Debug`, which prints header names only).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

/// The facts, and the names of the headers only (values are the service's, not ours to print).
impl fmt::Debug for CallInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("CallInfo")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("rate_limit", &self.rate_limit)
            .field("processing_time", &self.processing_time)
            .field("attempts", &self.attempts)
            .field("elapsed", &self.elapsed)
            .field("reconciled", &self.reconciled)
            .field("headers", &names)
            .finish()
    }
}
