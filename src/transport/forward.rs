//! `Forward`: the connector for plain `http` through a proxy. Every connection goes to the
//! proxy, and is marked as proxied so that hyper-util writes requests in absolute form
//! (`GET http://host/v1/... HTTP/1.1`), which the proxy forwards.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::BoxError;

/// Connects to the proxy, whatever the destination.
#[derive(Clone)]
pub(super) struct Forward {
    http: HttpConnector,
    proxy: Uri,
}

impl Forward {
    pub(super) fn new(http: HttpConnector, proxy: Uri) -> Self {
        Self { http, proxy }
    }
}

type Connecting = Pin<Box<dyn Future<Output = Result<ThroughProxy, BoxError>> + Send>>;

impl Service<Uri> for Forward {
    type Response = ThroughProxy;
    type Error = BoxError;
    // Boxed: only a new connection pays for it.
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, _destination: Uri) -> Self::Future {
        let connecting = self.http.call(self.proxy.clone());
        Box::pin(async move {
            let stream = connecting.await?;
            Ok(ThroughProxy(stream))
        })
    }
}

/// A TCP connection to the proxy.
pub(super) struct ThroughProxy(TokioIo<TcpStream>);

impl Connection for ThroughProxy {
    fn connected(&self) -> Connected {
        self.0.connected().proxy(true)
    }
}

impl Read for ThroughProxy {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl Write for ThroughProxy {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
    }
}
