//! DELETE /organization/invites/{invite_id}

use bytes::Bytes;
use http::Method;

use crate::{
    BaseUrl, EncodeError, InviteDeleteResponse, Operation, OperationMeta, Reconciliation,
    ResponseError,
};

/// Deletes (revokes) an invite that was not yet accepted.
///
/// Idempotent in effect: deleting twice leaves the same state (the second answer may be a 404).
///
/// ```
/// use openai_invites_core::{BaseUrl, DeleteInvite, Operation};
///
/// let request = DeleteInvite::new("invite-abc").encode(&BaseUrl::default())?;
/// assert_eq!(request.method(), http::Method::DELETE);
/// assert!(DeleteInvite::new("").encode(&BaseUrl::default()).is_err());
/// # Ok::<(), openai_invites_core::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteInvite {
    /// The invite's id.
    pub invite_id: String,
}

impl DeleteInvite {
    /// Deletes invite `invite_id`.
    pub fn new(invite_id: impl Into<String>) -> Self {
        Self {
            invite_id: invite_id.into(),
        }
    }
}

impl Operation for DeleteInvite {
    type Output = InviteDeleteResponse;

    const META: OperationMeta = OperationMeta {
        name: "deleteInvite",
        span_name: "invites.delete",
        method: Method::DELETE,
        url_template: super::INVITE,
        idempotent: true,
        reconcile: Reconciliation::NotFoundMeansDeleted,
    };

    fn encode(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, EncodeError> {
        Self::META.request(Self::META.url(base, &[&self.invite_id])?, None)
    }

    fn decode(response: http::Response<Bytes>) -> Result<Self::Output, ResponseError> {
        crate::decode_json(response)
    }
}
