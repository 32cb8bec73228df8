//! GET /organization/invites/{invite_id}

use bytes::Bytes;
use http::Method;

use crate::{
    BaseUrl, EncodeError, Invite, Operation, OperationMeta, Reconciliation, ResponseError,
};

/// Reads one invite by id.
///
/// ```
/// use openai_invites_core::{BaseUrl, Operation, RetrieveInvite};
///
/// let request = RetrieveInvite::new("a/b").encode(&BaseUrl::default())?;
/// assert_eq!(request.uri().path(), "/v1/organization/invites/a%2Fb");
/// # Ok::<(), openai_invites_core::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrieveInvite {
    /// The invite's id.
    pub invite_id: String,
}

impl RetrieveInvite {
    /// Reads invite `invite_id`.
    pub fn new(invite_id: impl Into<String>) -> Self {
        Self {
            invite_id: invite_id.into(),
        }
    }
}

impl Operation for RetrieveInvite {
    type Output = Invite;

    const META: OperationMeta = OperationMeta {
        name: "retrieveInvite",
        span_name: "invites.retrieve",
        method: Method::GET,
        url_template: super::INVITE,
        idempotent: true,
        reconcile: Reconciliation::None,
    };

    fn encode(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, EncodeError> {
        Self::META.request(Self::META.url(base, &[&self.invite_id])?, None)
    }

    fn decode(response: http::Response<Bytes>) -> Result<Self::Output, ResponseError> {
        crate::decode_json(response)
    }
}
