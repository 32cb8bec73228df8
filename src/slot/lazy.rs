//! `Applied`: the layers of a slot, applied on first use, once for every clone.

use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use tower_service::Service;

use super::adapt::ErasedLayer;
use crate::{BoxError, HttpService};

/// A slot's layers over the stack below it. They are applied when the client is first used
/// (inside the runtime that polls the call), not in `build()`: a layer that spawns a task when
/// applied, such as `tower::buffer::BufferLayer`, then works with a client built outside a
/// runtime, and `build()` never runs code of yours. Every clone shares the one application.
#[derive(Clone)]
pub(crate) struct Applied {
    shared: Arc<Shared>,
    // This clone's copy of the applied stack, once it has been used.
    local: Option<HttpService>,
}

struct Shared {
    below: HttpService,
    layers: Arc<[ErasedLayer]>,
    max_response_bytes: usize,
    applied: OnceLock<HttpService>,
}

impl Applied {
    pub(super) fn new(
        below: HttpService,
        layers: Arc<[ErasedLayer]>,
        max_response_bytes: usize,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                below,
                layers,
                max_response_bytes,
                applied: OnceLock::new(),
            }),
            local: None,
        }
    }

    fn service(&mut self) -> &mut HttpService {
        let shared = &self.shared;
        self.local.get_or_insert_with(|| {
            shared
                .applied
                .get_or_init(|| {
                    // The first layer added is the outermost, like `tower::ServiceBuilder`.
                    let mut service = shared.below.clone();
                    for layer in shared.layers.iter().rev() {
                        service = layer(service, shared.max_response_bytes);
                    }
                    service
                })
                .clone()
        })
    }
}

impl Service<http::Request<Bytes>> for Applied {
    type Response = http::Response<Bytes>;
    type Error = BoxError;
    type Future = <HttpService as Service<http::Request<Bytes>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.service().poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Bytes>) -> Self::Future {
        self.service().call(request)
    }
}
