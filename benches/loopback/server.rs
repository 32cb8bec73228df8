//! The minimal HTTP/1.1 server every runner talks to, on its own runtime thread
//! (`common/server.rs`).

use std::net::SocketAddr;

use hyper_util::rt::TokioIo;

use crate::common::server;

/// Starts the server: a canned retrieve body, or a canned page of 100 for the list path.
pub fn start() -> SocketAddr {
    server::start(|tcp, canned| async move {
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(tcp), canned.service())
            .await;
    })
}
