//! The loopback face: the fake behind a real HTTP server on `127.0.0.1` (HTTP/1.1 and h2c).
//!
//! For tests that must cross a real socket: connection pooling, timeouts, a dropped
//! connection, a body cut on the wire. Binds only the loopback interface.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::FakeInvites;
use crate::fake::Inner;
use crate::reception::{Disposition, Received, receive};
use crate::routes::BASE_PATH;

/// How long [`FakeServer::shutdown`] lets in-flight requests finish before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// A running loopback server; stops on [`shutdown`](Self::shutdown) or when dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use openai_invites_mock::FakeServer;
///
/// let server = FakeServer::start().await?;
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// assert!(server.base_url().ends_with("/v1"));
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct FakeServer {
    addr: SocketAddr,
    fake: FakeInvites,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Serves a default [`FakeInvites`] on a free loopback port.
    pub async fn start() -> io::Result<Self> {
        Self::serve(FakeInvites::new()).await
    }

    /// Serves `fake` on a free loopback port.
    pub async fn serve(fake: FakeInvites) -> io::Result<Self> {
        Self::serve_on(fake, 0).await
    }

    /// Serves `fake` on `127.0.0.1:port` (`0` picks a free port).
    pub async fn serve_on(fake: FakeInvites, port: u16) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, fake.inner.clone(), stopped));
        Ok(Self {
            addr,
            fake,
            stop,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT/v1`: the base URL to give a client.
    pub fn base_url(&self) -> String {
        format!("http://{}{BASE_PATH}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The admin key requests must carry.
    pub fn admin_key(&self) -> &str {
        self.fake.admin_key()
    }

    /// The fake behind the server: store, faults and request log.
    pub fn fake(&self) -> &FakeInvites {
        &self.fake
    }

    /// Stops accepting, lets in-flight requests finish (at most 2 s), closes every connection.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            // Aborting the accept loop drops its JoinSet, which aborts every connection.
            task.abort();
        }
    }
}

impl fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeServer")
            .field("addr", &self.addr)
            .field("fake", &self.fake)
            .finish_non_exhaustive()
    }
}

async fn accept_loop(listener: TcpListener, inner: Arc<Inner>, mut stopped: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, inner.clone(), stopped.clone()));
                }
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            _ = stopped.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drained).await;
}

async fn serve_connection(
    stream: TcpStream,
    inner: Arc<Inner>,
    mut stopped: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // A drop-connection fault pulls this to close the socket with no answer, on HTTP/1 and h2.
    let kill = Arc::new(Notify::new());
    let service = {
        let kill = kill.clone();
        hyper::service::service_fn(move |request| answer(inner.clone(), kill.clone(), request))
    };
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut draining = false;
    loop {
        tokio::select! {
            _ = connection.as_mut() => break,
            () = kill.notified() => break,
            _ = stopped.changed(), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Reads the body (at most the cap), takes it in, and turns the disposition into hyper's terms.
async fn answer(
    inner: Arc<Inner>,
    kill: Arc<Notify>,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, ConnectionDropped> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, inner.max_body_bytes).collect().await {
        Ok(collected) => Some(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => None,
        // The client went away mid-body: nobody to answer.
        Err(_) => return Err(ConnectionDropped),
    };
    let received = Received {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
    };
    match receive(inner, received).await {
        Disposition::Respond(response) => Ok(response.map(Full::new)),
        Disposition::HangUp => {
            kill.notify_one();
            Err(ConnectionDropped)
        }
    }
}

/// The service error that makes hyper give up on the connection.
#[derive(Debug)]
struct ConnectionDropped;

impl fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped")
    }
}

impl std::error::Error for ConnectionDropped {}
