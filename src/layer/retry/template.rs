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

    pub(super) fn uri(&self) -> &Uri {
        &self.uri
    }

    pub(super) fn body(&self) -> &Bytes {
        &self.body
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
        self.context()?.deadline().map(Deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{ACCEPT, CONTENT_TYPE};
    use openai_invites_core::{BaseUrl, ListInvites, Operation};

    #[derive(Debug, Clone, PartialEq)]
    struct Mine(&'static str);

    fn encoded() -> http::Request<Bytes> {
        let mut request = ListInvites::new()
            .limit(3)
            .encode(&BaseUrl::default())
            .unwrap();
        *request.body_mut() = Bytes::from_static(b"{}");
        request
            .headers_mut()
            .append(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        // A repeated header and more headers than the template keeps inline.
        request
            .headers_mut()
            .append("x-tag", HeaderValue::from_static("a"));
        request
            .headers_mut()
            .append("x-tag", HeaderValue::from_static("b"));
        request.extensions_mut().insert(CallContext::default());
        request
    }

    fn assert_same_but_count(retry: &http::Request<Bytes>, original: &http::Request<Bytes>) {
        assert_eq!(retry.method(), original.method());
        assert_eq!(retry.uri(), original.uri());
        assert_eq!(retry.version(), original.version());
        assert_eq!(retry.body(), original.body());
        let mut headers = retry.headers().clone();
        assert_eq!(headers.remove(RETRY_COUNT_HEADER).unwrap(), "2");
        assert_eq!(&headers, original.headers());
        assert_eq!(
            retry.extensions().get::<OperationMeta>(),
            original.extensions().get::<OperationMeta>()
        );
    }

    #[test]
    fn a_retry_is_the_request_again_with_its_count() {
        let original = encoded();
        let template = Template::of(&original);
        assert!(matches!(template.extensions, Kept::Own { .. }));
        let retry = template.attempt(2);
        assert_same_but_count(&retry, &original);
        assert_eq!(
            retry.headers().get_all("x-tag").iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(retry.headers()[ACCEPT], "application/json");
        // The call's context is shared, not copied: attempts count into the same one.
        let shared = retry.extensions().get::<CallContext>().unwrap();
        shared.begin_attempt(false);
        shared.end_attempt(true, true, crate::failure::Effect::Unchanged);
        assert_eq!(
            original
                .extensions()
                .get::<CallContext>()
                .unwrap()
                .attempts(),
            1
        );
        assert_eq!(retry.extensions().len(), original.extensions().len());
    }

    #[test]
    fn other_extensions_are_copied_whole() {
        let mut original = encoded();
        original
            .extensions_mut()
            .insert(Mine("from a layer of yours"));
        let template = Template::of(&original);
        assert!(matches!(template.extensions, Kept::All(_)));
        let retry = template.attempt(2);
        assert_same_but_count(&retry, &original);
        assert_eq!(
            retry.extensions().get::<Mine>(),
            Some(&Mine("from a layer of yours"))
        );
        assert!(retry.extensions().get::<CallContext>().is_some());
        assert_eq!(retry.extensions().len(), 3);
    }

    #[test]
    fn the_deadline_is_the_contexts() {
        let original = encoded();
        let now = tokio::time::Instant::now();
        let context = original.extensions().get::<CallContext>().unwrap();
        context.set_deadline(now, std::time::Duration::from_secs(1));
        assert_eq!(Template::of(&original).deadline(), Some(Deadline(now)));

        let template = Template::of(&http::Request::new(Bytes::new()));
        assert!(matches!(template.extensions, Kept::Own { .. }));
        assert_eq!(template.deadline(), None);
        assert!(template.meta().is_none() && template.context().is_none());
    }
}
