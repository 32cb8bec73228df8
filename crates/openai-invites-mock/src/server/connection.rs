//! One connection: HTTP/1.1 or h2c through hyper, its timeouts, and reading each body.

use std::fmt;
use std::sync::Arc;

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
use super::activity::{Activity, Timeouts, Watched};
use crate::envelope::{Failure, INVALID_REQUEST};
use crate::fake::Inner;
use crate::reception::{Disposition, Received, keeps_body, receive, stamp};
use crate::service::body_cap;

/// Whether the connection is served, or only told that the server is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Serve,
    /// Over the connection cap: every request gets a 503 and the connection closes.
    Refuse,
}

pub(super) async fn serve_connection(
    stream: TcpStream,
    inner: Arc<Inner>,
    config: Arc<ServerConfig>,
    mode: Mode,
    mut stopped: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Activity::new();
    let timeouts = match mode {
        Mode::Serve => Timeouts {
            header_read: config.header_read_timeout,
            idle: config.idle_timeout,
        },
        Mode::Refuse => Timeouts {
            header_read: config.header_read_timeout.min(super::REFUSAL_TIMEOUT),
            idle: config.idle_timeout.min(super::REFUSAL_TIMEOUT),
        },
    };
    // A drop-connection fault pulls this to close the socket with no answer, on HTTP/1 and h2.
    let kill = Arc::new(Notify::new());
    let service = {
        let (kill, activity) = (kill.clone(), activity.clone());
        hyper::service::service_fn(move |request| {
            let guard = activity.request_started();
            let (inner, config, kill) = (inner.clone(), config.clone(), kill.clone());
            async move {
                let answered = match mode {
                    Mode::Serve => answer(inner, config, kill, request).await,
                    Mode::Refuse => Ok(refusal(config.max_connections)),
                };
                drop(guard);
                answered
            }
        })
    };
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // The watchdog below owns the header-read timeout, for HTTP/1 and h2 alike.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None);
    let io = TokioIo::new(Watched::new(stream, activity.clone()));
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let stalled = activity.stalled(timeouts);
    tokio::pin!(stalled);
    let mut draining = false;
    loop {
        tokio::select! {
            _ = connection.as_mut() => break,
            () = kill.notified() => break,
            () = stalled.as_mut() => break,
            _ = stopped.changed(), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
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
