//! `Replayer`: a transport that answers from a [`Cassette`], and fails loudly on a miss.

use std::fmt;
use std::future::{Ready, ready};
use std::task::{Context, Poll};

use bytes::Bytes;

use super::Cassette;
use super::scrub::Credentials;
use super::tape::Cleaner;
use crate::fake::lock;

/// Why a replay gave no response. Never a made-up 404: a test that sends something the
/// cassette does not hold must fail, and say what it sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// No recorded exchange has this method, path, query and body.
    #[error(
        "the cassette holds no exchange for {request} ({held} recorded{})",
        nearest(.same_route)
    )]
    Miss {
        /// The request, described (credentials scrubbed, emails masked as on the cassette).
        request: String,
        /// How many exchanges the cassette holds.
        held: usize,
        /// Recorded requests with the same method and path, described.
        same_route: Vec<String>,
    },
    /// Every exchange recorded for this request was replayed already.
    #[error("every exchange recorded for {request} was replayed already ({times} in all)")]
    Exhausted {
        /// The request, described.
        request: String,
        /// How many exchanges were recorded for it.
        times: usize,
    },
    /// The recorded exchange was a transport failure; replayed as one.
    #[error("the recorded exchange for {request} failed: {message}")]
    Recorded {
        /// The request, described.
        request: String,
        /// The error recorded.
        message: String,
    },
    /// The cassette's response cannot be built (e.g. an invalid header written by hand).
    #[error("the recorded response for {request} is invalid: {message}")]
    Invalid {
        /// The request, described.
        request: String,
        /// What is wrong.
        message: String,
    },
}

fn nearest(same_route: &[String]) -> String {
    if same_route.is_empty() {
        String::new()
    } else {
        format!("; for the same method and path: {}", same_route.join(" | "))
    }
}

/// A transport that answers from a cassette: each recorded exchange once, in recorded order
/// among those that match. Cheap to clone; clones share the cassette and what was replayed.
#[derive(Clone)]
pub struct Replayer {
    cassette: Cassette,
}

impl Replayer {
    pub(crate) fn new(cassette: Cassette) -> Self {
        Self { cassette }
    }

    fn answer(&self, request: &http::Request<Bytes>) -> Result<http::Response<Bytes>, ReplayError> {
        let mut tape = lock(&self.cassette.tape);
        let cleaner = Cleaner {
            credentials: Credentials::of(request.headers(), &[]),
            mask_emails: tape.emails_masked,
            allowed: Vec::new(),
        };
        let live = cleaner.sent(request);
        let matching: Vec<usize> = (0..tape.exchanges.len())
            .filter(|&i| tape.exchanges[i].request.matches(&live))
            .collect();
        if matching.is_empty() {
            let same_route = tape
                .exchanges
                .iter()
                .filter(|e| e.request.method == live.method && e.request.path == live.path)
                .take(5)
                .map(|e| e.request.describe())
                .collect();
            return Err(ReplayError::Miss {
                request: live.describe(),
                held: tape.exchanges.len(),
                same_route,
            });
        }
        let Some(&next) = matching.iter().find(|&&i| !tape.replayed[i]) else {
            return Err(ReplayError::Exhausted {
                request: live.describe(),
                times: matching.len(),
            });
        };
        tape.replayed[next] = true;
        let exchange = &tape.exchanges[next];
        match (&exchange.response, &exchange.error) {
            (Some(answer), _) => answer
                .to_response()
                .map_err(|message| ReplayError::Invalid {
                    request: live.describe(),
                    message,
                }),
            (None, error) => Err(ReplayError::Recorded {
                request: live.describe(),
                message: error.clone().unwrap_or_else(|| "no response".to_owned()),
            }),
        }
    }
}

impl fmt::Debug for Replayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replayer")
            .field("cassette", &self.cassette)
            .finish()
    }
}

impl tower_service::Service<http::Request<Bytes>> for Replayer {
    type Response = http::Response<Bytes>;
    type Error = ReplayError;
    type Future = Ready<Result<http::Response<Bytes>, ReplayError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        ready(self.answer(&request))
    }
}
