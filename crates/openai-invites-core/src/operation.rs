//! The `Operation` trait: one API call as a value that encodes itself and decodes its answer.

use bytes::Bytes;
use http::Method;

use crate::{BaseUrl, EncodeError, ResponseError};

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
    pub reconcile: crate::reconcile::Reconciliation,
}

impl OperationMeta {
    /// Reads the meta that [`Operation::encode`] put into a request.
    pub fn of<B>(request: &http::Request<B>) -> Option<&OperationMeta> {
        request.extensions().get::<OperationMeta>()
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
