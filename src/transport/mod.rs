//! Where requests go: the default hyper-util + rustls transport, its proxies and trusted
//! roots, and its errors.
//!
//! Any `tower::Service<http::Request<Bytes>, Response = http::Response<Bytes>>` can replace it
//! (see [`ClientBuilder::transport`](crate::ClientBuilder::transport)); errors of the
//! [`TransportError`] type tell the retry layer whether the request left the client.

mod cause;
mod error;
mod forward;
mod future;
mod hyper;
pub(crate) mod proxy;
mod roots;
mod tls;

pub use self::hyper::{HyperTransport, TransportConfig};
pub(crate) use error::Phase;
pub use error::{ResponseTooLarge, TransportError};
pub use future::TransportFuture;
pub(crate) use roots::RootCertificates;
