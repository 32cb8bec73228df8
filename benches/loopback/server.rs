//! The minimal HTTP/1.1 server every runner talks to, on its own runtime thread.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;

use crate::common;

/// Connections the server accepted (a pool that reconnects would show here).
static ACCEPTED: AtomicU64 = AtomicU64::new(0);

/// Connections accepted so far.
pub fn accepted() -> u64 {
    ACCEPTED.load(Ordering::Relaxed)
}

/// Starts the server: a canned retrieve body, or a canned page of 100 for the list path.
pub fn start() -> SocketAddr {
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
            let one = common::invite_body();
            let page = common::page_body(100);
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                ACCEPTED.fetch_add(1, Ordering::Relaxed);
                let _ = tcp.set_nodelay(true);
                let (one, page) = (one.clone(), page.clone());
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |request: http::Request<Incoming>| {
                            let body = if request.uri().path().ends_with("/invites") {
                                &page
                            } else {
                                &one
                            };
                            let response = common::ok_response(body).map(Full::new);
                            async move { Ok::<_, std::convert::Infallible>(response) }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                });
            }
        });
    });
    rx.recv()
        .unwrap_or_else(|e| panic!("server did not start: {e}"))
}
