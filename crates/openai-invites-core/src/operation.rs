//! The `Operation` trait: one API call as a value that encodes itself and decodes its answer.

use bytes::Bytes;
use http::Method;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderValue};

use crate::template;
use crate::{BaseUrl, EncodeError, ResponseError};

const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Static facts about an operation that generic layers (retry, tracing) read without knowing
/// the operation's type. [`Operation::encode`] stores a copy in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationMeta {
    /// The OpenAPI operation id, e.g. `listInvites`.
    pub name: &'static str,
    /// The low-cardinality name of a call's span, e.g. `invites.list`.
    pub span_name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template below the base URL, e.g. `/organization/invites/{invite_id}`.
    pub url_template: &'static str,
    /// Whether sending the request twice has the same effect as once. Retry layers re-send a
    /// request whose outcome is unknown only when this is `true`.
    pub idempotent: bool,
    /// How a client can settle an ambiguous outcome by reading the service's state.
    pub reconcile: Reconciliation,
}

/// How an operation's ambiguous outcome can be settled, in its [`OperationMeta`]; the
/// [`reconcile`](crate::reconcile) module has the steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconciliation {
    /// It cannot be, or need not be (an idempotent read).
    None,
    /// A create: read the invites to find one for the request's email
    /// ([`CreateSearch`](crate::reconcile::CreateSearch)).
    FindCreatedInvite,
    /// A delete: after an attempt that may have taken effect, a 404 means it did
    /// ([`deleted_answer`](crate::reconcile::deleted_answer)).
    NotFoundMeansDeleted,
}

impl OperationMeta {
    /// Reads the meta that [`Operation::encode`] put into a request.
    pub fn of<B>(request: &http::Request<B>) -> Option<&OperationMeta> {
        request.extensions().get::<OperationMeta>()
    }

    /// The URL of a request: `base`, then the template with each `{placeholder}` replaced by
    /// the next of `values`, percent-encoded as exactly one path segment (`a/b` stays one
    /// segment, `..` cannot walk up). An empty value is an error named after its placeholder.
    ///
    /// ```
    /// use openai_invites_core::{BaseUrl, Operation, RetrieveInvite};
    ///
    /// let url = RetrieveInvite::META.url(&BaseUrl::default(), &["a/b"])?;
    /// assert_eq!(url, "https://api.openai.com/v1/organization/invites/a%2Fb");
    /// assert!(RetrieveInvite::META.url(&BaseUrl::default(), &[""]).is_err());
    /// # Ok::<(), openai_invites_core::EncodeError>(())
    /// ```
    pub fn url(&self, base: &BaseUrl, values: &[&str]) -> Result<String, EncodeError> {
        // Templates start with `/`; a base URL never ends with one.
        let mut url = String::with_capacity(base.as_str().len() + self.url_template.len() + 16);
        url.push_str(base.as_str());
        template::fill(self.url_template, values, &mut url)?;
        Ok(url)
    }

    /// The percent-decoded values of the template's placeholders, when `path` (below the base
    /// URL) fits the template; how a server routes a request to its operation.
    ///
    /// ```
    /// use openai_invites_core::{DeleteInvite, ListInvites, Operation};
    ///
    /// let values = DeleteInvite::META.path_values("/organization/invites/a%2Fb");
    /// assert_eq!(values, Some(vec!["a/b".to_owned()]));
    /// assert_eq!(ListInvites::META.path_values("/organization/invites/x"), None);
    /// ```
    pub fn path_values(&self, path: &str) -> Option<Vec<String>> {
        template::capture(self.url_template, path)
    }

    /// The request every operation sends: method, `uri`, `Accept`, the JSON body with its
    /// `Content-Type`, and this meta in the extensions.
    pub(crate) fn request(
        &self,
        uri: String,
        body: Option<Vec<u8>>,
    ) -> Result<http::Request<Bytes>, EncodeError> {
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(uri)
            .header(ACCEPT, APPLICATION_JSON);
        if body.is_some() {
            builder = builder.header(CONTENT_TYPE, APPLICATION_JSON);
        }
        let mut request = builder.body(body.map(Bytes::from).unwrap_or_default())?;
        request.extensions_mut().insert(self.clone());
        Ok(request)
    }
}

/// One call of the API: how to encode it and how to decode its response. No I/O happens here.
///
/// ```
/// use bytes::Bytes;
/// use openai_invites_core::{BaseUrl, Operation, RetrieveInvite};
///
/// let request = RetrieveInvite::new("invite-abc").encode(&BaseUrl::default())?;
/// assert_eq!(request.uri(), "https://api.openai.com/v1/organization/invites/invite-abc");
///
/// let body = r#"{"object":"organization.invite","id":"invite-abc","email":"a@b.c",
///               "role":"owner","status":"pending","created_at":1}"#;
/// let invite = RetrieveInvite::decode(http::Response::new(Bytes::from(body)))?;
/// assert_eq!(invite.id, "invite-abc");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Operation {
    /// What a successful response decodes into.
    type Output;
    /// Static facts about the operation.
    const META: OperationMeta;
    /// Validates the operation and builds the HTTP request, with [`OperationMeta`] in its
    /// extensions. Nothing invalid is ever encoded.
    fn encode(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, EncodeError>;
    /// Turns a 2xx response into the output and anything else into a typed API error.
    fn decode(response: http::Response<Bytes>) -> Result<Self::Output, ResponseError>;
}
