//! One connection: HTTP/1.1 or h2c through hyper, its timeouts, and reading each body.
//!
//! hyper's own `header_read_timeout` cuts an HTTP/1 request head that is not complete in
//! time (also the wait for the next head on a kept-alive connection); what hyper has no timer
//! for (a connection that never sends a byte, an idle h2 connection) meets the idle timeout,
//! counted while no request is in flight.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpStream;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use super::ServerConfig;
use crate::envelope::{Failure, INVALID_REQUEST};
use crate::fake::Inner;
use crate::received::Received;
use crate::reception::{Disposition, keeps_body, receive, stamp};
use crate::service::body_cap;

/// The longest a refused connection is kept waiting for its request.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

/// Whether the connection is served, or only told that the server is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Serve,
    /// Over the connection cap: every request gets a 503 and the connection closes.
    Refuse,
}

/// Serves one connection until it ends, stalls, is told to give way (`evicted`), or the
/// server stops (in-flight requests may then finish).
pub(super) async fn serve_connection(
    stream: TcpStream,
    inner: Arc<Inner>,
    config: Arc<ServerConfig>,
    mode: Mode,
    evicted: impl Future<Output = ()>,
    mut stopped: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let (idle, header_read) = match mode {
        Mode::Serve => (config.idle_timeout, config.header_read_timeout),
        Mode::Refuse => (
            config.idle_timeout.min(REFUSAL_TIMEOUT),
            config.header_read_timeout.min(REFUSAL_TIMEOUT),
        ),
    };
    // A drop-connection fault pulls this to close the socket with no answer, on HTTP/1 and h2.
    let kill = Arc::new(Notify::new());
    let in_flight = Arc::new(watch::Sender::new(0usize));
    let service = {
        let (kill, in_flight) = (kill.clone(), in_flight.clone());
        hyper::service::service_fn(move |request| {
            let (inner, config, kill) = (inner.clone(), config.clone(), kill.clone());
            let busy = Busy::start(in_flight.clone());
            async move {
                let answered = match mode {
                    Mode::Serve => answer(inner, config, kill, request).await,
                    Mode::Refuse => Ok(refusal(config.max_connections)),
                };
                drop(busy);
                answered
            }
        })
    };
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let stalled = idle_for(in_flight.subscribe(), idle);
    tokio::pin!(stalled, evicted);
    let mut draining = false;
    loop {
        tokio::select! {
            _ = connection.as_mut() => break,
            () = kill.notified() => break,
            () = stalled.as_mut() => break,
            () = evicted.as_mut() => break,
            _ = stopped.changed(), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// A request in flight on its connection, counted until dropped.
struct Busy(Arc<watch::Sender<usize>>);

impl Busy {
    fn start(count: Arc<watch::Sender<usize>>) -> Self {
        count.send_modify(|n| *n += 1);
        Self(count)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

/// Resolves once no request has been in flight for `timeout`.
async fn idle_for(mut in_flight: watch::Receiver<usize>, timeout: Duration) {
    loop {
        if in_flight.wait_for(|n| *n == 0).await.is_err() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(timeout) => return,
            busy = in_flight.wait_for(|n| *n > 0) => if busy.is_err() { return },
        }
    }
}

/// Reads the body (at most the cap, within the body-read timeout), takes the request in, and
/// turns the disposition into hyper's terms.
async fn answer(
    inner: Arc<Inner>,
    config: Arc<ServerConfig>,
    kill: Arc<Notify>,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, ConnectionDropped> {
    let (parts, body) = request.into_parts();
    let cap = body_cap(&inner, &parts.uri);
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    let keep = keeps_body(&inner, parts.uri.path(), &parts.headers);
    let read = async {
        if keep {
            collect(body, cap, declared).await
        } else {
            drain(body, cap, declared).await
        }
    };
    let (body, body_len) = match tokio::time::timeout(config.body_read_timeout, read).await {
        Ok(Ok(read)) => read,
        // The client went away mid-body: nobody to answer.
        Ok(Err(ConnectionDropped)) => return Err(ConnectionDropped),
        Err(_) => return Ok(body_timeout(&config).map(Full::new)),
    };
    let received = Received {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
        body_len,
    };
    match receive(inner, received).await {
        Disposition::Respond(response) => Ok(response.map(Full::new)),
        Disposition::HangUp => {
            kill.notify_one();
            Err(ConnectionDropped)
        }
    }
}

/// The whole body, or `None` past the cap.
async fn collect(
    body: Incoming,
    cap: usize,
    declared: Option<usize>,
) -> Result<(Option<Bytes>, usize), ConnectionDropped> {
    match Limited::new(body, cap).collect().await {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            let len = bytes.len();
            Ok((Some(bytes), len))
        }
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Ok((None, declared.unwrap_or(cap.saturating_add(1))))
        }
        Err(_) => Err(ConnectionDropped),
    }
}

/// Reads the body frame by frame and keeps none of it; stops past the cap.
async fn drain(
    mut body: Incoming,
    cap: usize,
    declared: Option<usize>,
) -> Result<(Option<Bytes>, usize), ConnectionDropped> {
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| ConnectionDropped)?;
        if let Some(data) = frame.data_ref() {
            len = len.saturating_add(data.len());
        }
        if len > cap {
            return Ok((None, declared.unwrap_or(len)));
        }
    }
    Ok((Some(Bytes::new()), len))
}

/// 408 when the body does not arrive in time; the connection closes after it.
fn body_timeout(config: &ServerConfig) -> http::Response<Bytes> {
    let failure = Failure::new(
        StatusCode::REQUEST_TIMEOUT,
        INVALID_REQUEST,
        format!(
            "The request body did not arrive within {:?}.",
            config.body_read_timeout
        ),
    )
    .code("request_timeout")
    .header(header::CONNECTION, HeaderValue::from_static("close"));
    stamp(failure.into_response(), Instant::now())
}

/// 503 for a connection over the cap; the connection closes after it.
fn refusal(max: usize) -> hyper::Response<Full<Bytes>> {
    let failure = Failure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "server_error",
        format!("The fake is serving its maximum of {max} connections; try again shortly."),
    )
    .code("too_many_connections")
    .header(header::CONNECTION, HeaderValue::from_static("close"))
    .header(header::RETRY_AFTER, HeaderValue::from_static("1"));
    stamp(failure.into_response(), Instant::now()).map(Full::new)
}

/// The service error that makes hyper give up on the connection.
#[derive(Debug)]
pub(super) struct ConnectionDropped;

impl fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped")
    }
}

impl std::error::Error for ConnectionDropped {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const IDLE: Duration = Duration::from_secs(10);

    #[tokio::test(start_paused = true)]
    async fn a_connection_with_nothing_in_flight_is_idle_after_the_timeout() {
        let count = Arc::new(watch::Sender::new(0usize));
        let started = Instant::now();
        idle_for(count.subscribe(), IDLE).await;
        assert_eq!(started.elapsed(), IDLE);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_holds_it_open_and_idleness_counts_from_its_end() {
        let count = Arc::new(watch::Sender::new(0usize));
        let started = Instant::now();
        let requests = {
            let count = count.clone();
            async move {
                tokio::time::sleep(Duration::from_secs(5)).await;
                let busy = Busy::start(count.clone());
                tokio::time::sleep(Duration::from_secs(60)).await;
                drop(busy);
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = idle_for(count.subscribe(), IDLE) => {}
            () = requests => unreachable!(),
        }
        assert_eq!(started.elapsed(), Duration::from_secs(75));
    }
}
