//! The loopback face: the fake behind a real HTTP server on `127.0.0.1` (HTTP/1.1 and h2c),
//! for tests that must cross a real socket and for the binary; bounded under abuse
//! ([`ServerConfig`]).

mod config;
mod connection;
mod limits;

pub use config::{
    DEFAULT_BODY_READ_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, ServerConfig,
};

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::control::CONTROL_PREFIX;
use crate::fake::{FakeInvites, Inner};
use crate::routes::BASE_PATH;
use connection::{Mode, serve_connection};
use limits::{Caps, Refusals};

/// How long [`FakeServer::shutdown`] lets in-flight requests finish before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

impl FakeInvites {
    /// Starts the loopback face on `127.0.0.1` with a free port.
    pub async fn start_server(&self) -> io::Result<FakeServer> {
        FakeServer::serve(self.clone()).await
    }
}

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
    config: Arc<ServerConfig>,
    caps: Caps,
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
        let config = ServerConfig {
            port,
            ..ServerConfig::default()
        };
        Self::serve_with(fake, config).await
    }

    /// Serves `fake` with these settings. Refuses (`InvalidInput`) an address other than
    /// loopback when the fake has no control token.
    pub async fn serve_with(fake: FakeInvites, config: ServerConfig) -> io::Result<Self> {
        if !config.host.is_loopback() && fake.inner.control_token.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "serving the fake on {} (not loopback) needs a control token",
                    config.host
                ),
            ));
        }
        let listener = TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let caps = Caps::for_process(config.max_connections);
        let config = Arc::new(config);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(
            listener,
            fake.inner.clone(),
            config.clone(),
            caps,
            stopped,
        ));
        Ok(Self {
            addr,
            fake,
            config,
            caps,
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

    /// `http://127.0.0.1:PORT/__fake`: where the control API lives (see the crate docs).
    pub fn control_url(&self) -> String {
        format!("http://{}{CONTROL_PREFIX}", self.addr)
    }

    /// The settings it serves with.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The most connections it serves at once: [`ServerConfig::max_connections`], lowered
    /// to fit the process's open-file limit, less a few descriptors for the process's own use
    /// and some for the connections over the cap, which are answered 503.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let server = openai_invites_mock::FakeServer::start().await?;
    /// assert!(server.max_connections() <= server.config().max_connections);
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_connections(&self) -> usize {
        self.caps.serving
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
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

async fn accept_loop(
    listener: TcpListener,
    inner: Arc<Inner>,
    config: Arc<ServerConfig>,
    caps: Caps,
    mut stopped: watch::Receiver<bool>,
) {
    let serving = Arc::new(Semaphore::new(caps.serving));
    let refusals = Refusals::new(caps.refusing);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let (inner, config, stopped) = (inner.clone(), config.clone(), stopped.clone());
                    match serving.clone().try_acquire_owned() {
                        Ok(permit) => connections.spawn(async move {
                            let evicted = std::future::pending();
                            serve_connection(stream, inner, config, Mode::Serve, evicted, stopped)
                                .await;
                            drop(permit);
                        }),
                        Err(_) => {
                            let evicted = refusals.admit();
                            connections.spawn(serve_connection(
                                stream, inner, config, Mode::Refuse, evicted, stopped,
                            ))
                        }
                    };
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
