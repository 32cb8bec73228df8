//! POST /organization/invites

use bytes::Bytes;
use http::Method;

use crate::{
    BaseUrl, EncodeError, Invite, InviteRequest, Operation, OperationMeta, Reconciliation,
    ResponseError,
};

/// Invites a person to the organization (the service emails them).
///
/// Not idempotent: the API takes no idempotency key, so re-sending after an ambiguous failure
/// could email the person twice. Retry layers read [`OperationMeta::idempotent`] and hold back.
///
/// ```
/// use openai_invites_core::{BaseUrl, InviteRequest, InviteRole, InviteUser, Operation};
///
/// let op = InviteUser::new(InviteRequest::new("ana@example.com", InviteRole::Reader).without_projects());
/// let request = op.encode(&BaseUrl::default())?;
/// assert_eq!(request.body().as_ref(), br#"{"email":"ana@example.com","role":"reader","projects":[]}"#);
/// assert!(!InviteUser::META.idempotent);
/// # Ok::<(), openai_invites_core::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteUser(pub InviteRequest);

impl InviteUser {
    /// Wraps the request body.
    pub fn new(request: InviteRequest) -> Self {
        Self(request)
    }
}

impl From<InviteRequest> for InviteUser {
    fn from(request: InviteRequest) -> Self {
        Self(request)
    }
}

impl Operation for InviteUser {
    type Output = Invite;

    const META: OperationMeta = OperationMeta {
        name: "inviteUser",
        span_name: "invites.create",
        method: Method::POST,
        url_template: super::INVITES,
        idempotent: false,
        reconcile: Reconciliation::FindCreatedInvite,
    };

    fn encode(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, EncodeError> {
        let request = &self.0;
        if request.email.trim().is_empty() {
            return Err(EncodeError::invalid("email", "must not be empty"));
        }
        if let Some(projects) = &request.projects {
            if projects.iter().any(|p| p.id.is_empty()) {
                return Err(EncodeError::invalid(
                    "projects",
                    "a project id must not be empty",
                ));
            }
        }
        let body = serde_json::to_vec(request)?;
        Self::META.request(Self::META.url(base, &[])?, Some(body))
    }

    fn decode(response: http::Response<Bytes>) -> Result<Self::Output, ResponseError> {
        crate::decode_json(response)
    }
}
