//! The server thread the network benchmarks talk to: a listener on 127.0.0.1 on its own
//! single-worker runtime, counting the connections it accepts, answering with canned bodies.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use tokio::net::TcpStream;

/// Connections the server accepted (a pool that reconnects would show here).
static ACCEPTED: AtomicU64 = AtomicU64::new(0);

/// Connections accepted so far.
pub fn accepted() -> u64 {
    ACCEPTED.load(Ordering::Relaxed)
}

/// What the server answers.
pub type Answer = http::Response<Full<Bytes>>;

/// The canned answers: a page of 100 invites for the list path, one invite otherwise.
#[derive(Clone)]
pub struct Canned {
    one: Bytes,
    page: Bytes,
}

impl Canned {
    fn new() -> Self {
        Self {
            one: super::invite_body(),
            page: super::page_body(100),
        }
    }

    /// A hyper service answering every request of one connection.
    pub fn service(
        self,
    ) -> impl hyper::service::Service<
        http::Request<Incoming>,
        Response = Answer,
        Error = Infallible,
        Future = std::future::Ready<Result<Answer, Infallible>>,
    > + Clone {
        hyper::service::service_fn(move |request: http::Request<Incoming>| {
            let body = if request.uri().path().ends_with("/invites") {
                &self.page
            } else {
                &self.one
            };
            std::future::ready(Ok(super::ok_response(body).map(Full::new)))
        })
    }
}

/// Starts the server thread; `serve` runs each accepted connection (counted, with
/// `TCP_NODELAY`) as a task of its own.
pub fn start<F, Fut>(serve: F) -> SocketAddr
where
    F: Fn(TcpStream, Canned) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("server runtime: {e}"));
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("bind: {e}"));
            let _ = tx.send(
                listener
                    .local_addr()
                    .unwrap_or_else(|e| panic!("addr: {e}")),
            );
            let canned = Canned::new();
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                ACCEPTED.fetch_add(1, Ordering::Relaxed);
                let _ = tcp.set_nodelay(true);
                tokio::spawn(serve(tcp, canned.clone()));
            }
        });
    });
    rx.recv()
        .unwrap_or_else(|e| panic!("server did not start: {e}"))
}
