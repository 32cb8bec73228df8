//! `Template`: what the retry loop keeps of a request, to send it again.

use bytes::Bytes;
use http::{Extensions, HeaderName, HeaderValue, Method, Uri, Version};
use openai_invites_core::OperationMeta;
use smallvec::SmallVec;

use super::RETRY_COUNT_HEADER;
use crate::layer::Deadline;
use crate::layer::context::CallContext;

/// A copy of the request, taken when the call starts; the first attempt sends the original.
///
/// `http::Request` is not `Clone`; its parts are, but copying a header map or an extension map
/// allocates, and a call that succeeds at once never needs the copy. So the template keeps the
/// headers as a list of (name, value) pairs, inline for the one or two headers an operation
/// sends (names and values are reference-counted or static: copying them does not allocate).
/// The extensions are copied as a whole only when they hold something besides the client's own
/// two, the operation's meta and the call's context: those two are kept as values. A retry
/// builds its request from the template; every attempt carries the same headers (plus
/// `x-stainless-retry-count`) and the same extensions.
pub(super) struct Template {
    method: Method,
    uri: Uri,
    version: Version,
    headers: SmallVec<[(HeaderName, HeaderValue); 2]>,
    body: Bytes,
    extensions: Kept,
}

enum Kept {
    /// Nothing but the client's own extensions (either may be absent).
    Own {
        meta: Option<OperationMeta>,
        context: Option<CallContext>,
    },
    /// Anything else: the whole map.
    All(Extensions),
}

impl Template {
    pub(super) fn of(request: &http::Request<Bytes>) -> Self {
        let extensions = request.extensions();
        let meta = extensions.get::<OperationMeta>();
        let context = extensions.get::<CallContext>();
        let own = usize::from(meta.is_some()) + usize::from(context.is_some());
        let extensions = if extensions.len() == own {
            Kept::Own {
                meta: meta.cloned(),
                context: context.cloned(),
            }
        } else {
            Kept::All(extensions.clone())
        };
        Self {
            method: request.method().clone(),
            uri: request.uri().clone(),
            version: request.version(),
            headers: request
                .headers()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
            body: request.body().clone(),
            extensions,
        }
    }

    /// The request for retry number `retry` (1 for the second attempt), with its
    /// `x-stainless-retry-count`.
    pub(super) fn attempt(&self, retry: u32) -> http::Request<Bytes> {
        let mut request = http::Request::new(self.body.clone());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.version_mut() = self.version;
        let headers = request.headers_mut();
        // Room for the retry count and what the layers below add (auth, user agent).
        headers.reserve(self.headers.len() + 4);
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        headers.insert(RETRY_COUNT_HEADER, HeaderValue::from(retry));
        *request.extensions_mut() = match &self.extensions {
            Kept::All(extensions) => extensions.clone(),
            Kept::Own { meta, context } => {
                let mut extensions = Extensions::new();
                if let Some(meta) = meta {
                    extensions.insert(meta.clone());
                }
                if let Some(context) = context {
                    extensions.insert(context.clone());
                }
                extensions
            }
        };
        request
    }

    pub(super) fn meta(&self) -> Option<&OperationMeta> {
        match &self.extensions {
            Kept::Own { meta, .. } => meta.as_ref(),
            Kept::All(extensions) => extensions.get(),
        }
    }

    pub(super) fn context(&self) -> Option<&CallContext> {
        match &self.extensions {
            Kept::Own { context, .. } => context.as_ref(),
            Kept::All(extensions) => extensions.get(),
        }
    }

    /// The call's deadline, if a total-timeout layer above set one.
    pub(super) fn deadline(&self) -> Option<Deadline> {
        match &self.extensions {
            Kept::Own { context, .. } => context.as_ref()?.deadline().map(Deadline),
            Kept::All(extensions) => Deadline::in_extensions(extensions),
        }
    }
}
