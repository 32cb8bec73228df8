//! Where requests go: the default hyper-util + rustls transport, and its errors.
//!
//! Any `tower::Service<http::Request<Bytes>, Response = http::Response<Bytes>>` can replace it
//! (see [`ClientBuilder::transport`](crate::ClientBuilder::transport)); errors of the
//! [`TransportError`] type tell the retry layer whether the request left the client.

mod error;
mod future;
mod hyper;
mod tls;

pub use self::hyper::{HyperTransport, TransportConfig};
pub use error::{ResponseTooLarge, TransportError};
pub use future::TransportFuture;
pub(crate) use tls::RootCertificates;
