//! The two slots where your tower layers go: [`layer_per_call`] (once per call, outside the
//! retry loop) and [`layer_per_attempt`] (every attempt, after authentication).
//!
//! A slot takes off-the-shelf tower and tower-http layers as they are (`TraceLayer`,
//! `DecompressionLayer`, `SetRequestHeaderLayer`, `ConcurrencyLimitLayer`, `TimeoutLayer`...)
//! and layers of your own. Your layer sees requests with a [`Body`] (bytes in memory, an
//! [`http_body::Body`]) and may answer with any `http_body::Body`: the client reads it back to
//! the end, up to the response-size cap, so a retry still re-sends the same bytes and the
//! client still decodes the whole answer. The service your layer makes must be
//! [`SlotService`] (notably `Clone`). A layer written on `http::Request<Bytes>` over a
//! [`HttpService`] goes in through [`BytesLayer`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use openai_invites::{Client, http};
//! use openai_invites::slot::Body;
//! use openai_invites_mock::FakeInvites;
//!
//! let fake = FakeInvites::new();
//! let client = Client::builder()
//!     .admin_key(fake.admin_key())
//!     .transport(fake.service())
//!     // A layer of yours: reads the request (the auth layer has already run).
//!     .layer_per_attempt(tower::layer::layer_fn(|inner| {
//!         tower::util::MapRequest::new(inner, |request: http::Request<Body>| {
//!             assert!(request.headers().contains_key("authorization"));
//!             request
//!         })
//!     }))
//!     .build()?;
//! client.list_invites(Default::default()).await?;
//! # Ok(()) }
//! ```
//!
//! Layers are applied on the client's first call, once, and shared by every clone (so a
//! `tower::buffer::BufferLayer` spawns its worker inside your runtime, even when the client was
//! built outside one). A worker spawned so lives on the runtime of that first call: a client
//! kept across runtimes (a static client in tests that each start their own) should not hold
//! a `BufferLayer`.
//!
//! [`layer_per_call`]: crate::ClientBuilder::layer_per_call
//! [`layer_per_attempt`]: crate::ClientBuilder::layer_per_attempt

mod adapt;
mod body;
mod bytes_layer;
mod lazy;

use std::sync::Arc;

pub(crate) use adapt::{ErasedLayer, erase};
pub use adapt::{Inner, SlotResponse, SlotService};
pub use body::Body;
pub use bytes_layer::{BytesLayer, BytesService};

use crate::stack::StackService;
use crate::{BoxError, HttpService};

/// The layers of one slot, as a layer of the client's stack.
#[derive(Clone)]
pub(crate) struct Slot {
    layers: Arc<[ErasedLayer]>,
    max_response_bytes: usize,
}

impl Slot {
    /// `None` when the slot holds no layer: the stack then has nothing there at all.
    pub(crate) fn of(layers: Vec<ErasedLayer>, max_response_bytes: usize) -> Option<Self> {
        (!layers.is_empty()).then(|| Self {
            layers: layers.into(),
            max_response_bytes,
        })
    }
}

impl<S> tower_layer::Layer<S> for Slot
where
    S: StackService<Error: Into<BoxError>>,
{
    type Service = lazy::Applied;

    fn layer(&self, below: S) -> lazy::Applied {
        // Erased below, so that your layers are applied over one type whatever the stack;
        // `Applied` itself need not be (its calls are the applied stack's, already boxed).
        let below = HttpService::new(tower::util::MapErr::new(below, Into::into));
        lazy::Applied::new(below, self.layers.clone(), self.max_response_bytes)
    }
}
