//! Where requests go: the default hyper-util + rustls transport, its proxies and trusted
//! roots, and its errors.
//!
//! Any [`StackService`] can replace it (see
//! [`ClientBuilder::transport`](crate::ClientBuilder::transport)); errors of the
//! [`TransportError`] type tell the retry layer whether the request left the client.

mod cause;
mod error;
mod forward;
mod future;
mod hyper;
pub(crate) mod proxy;
mod roots;
mod tls;

use bytes::Bytes;
use tower::util::BoxCloneSyncService;

use crate::BoxError;

pub use self::hyper::{HyperTransport, TransportConfig};
pub(crate) use error::Phase;
pub use error::{ResponseTooLarge, TransportError};
pub use future::TransportFuture;
pub(crate) use roots::RootCertificates;

/// The type-erased HTTP service the client holds: HTTP in, HTTP out, bodies in memory. A
/// swapped transport is erased to it too.
pub type HttpService = BoxCloneSyncService<http::Request<Bytes>, http::Response<Bytes>, BoxError>;

/// A service that can be the client's transport (or sit in its stack): HTTP in, HTTP out, an
/// error that converts to [`BoxError`], cloneable (the stack is cloned per call) and usable
/// across threads. Every such service implements it; it only names the bounds.
pub trait StackService:
    tower_service::Service<
        http::Request<Bytes>,
        Response = http::Response<Bytes>,
        Error: Into<BoxError>,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> StackService for S where
    S: tower_service::Service<
            http::Request<Bytes>,
            Response = http::Response<Bytes>,
            Error: Into<BoxError>,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}
