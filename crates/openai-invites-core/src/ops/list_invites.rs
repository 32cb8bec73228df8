//! GET /organization/invites

use bytes::Bytes;
use http::Method;

use super::encode_component;
use crate::{
    BaseUrl, EncodeError, InviteListResponse, Operation, OperationMeta, Reconciliation,
    ResponseError,
};

/// The page size the service uses when a request sets none.
pub const DEFAULT_LIMIT: u8 = 20;
/// The largest page the service returns.
pub const MAX_LIMIT: u8 = 100;

/// Lists the organization's invites, one page at a time.
///
/// ```
/// use openai_invites_core::{BaseUrl, ListInvites, Operation};
///
/// let request = ListInvites::new().limit(10).after("invite-abc").encode(&BaseUrl::default())?;
/// assert_eq!(
///     request.uri(),
///     "https://api.openai.com/v1/organization/invites?limit=10&after=invite-abc"
/// );
/// assert!(ListInvites::new().limit(0).encode(&BaseUrl::default()).is_err());
/// # Ok::<(), openai_invites_core::EncodeError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListInvites {
    /// Page size, 1..=[`MAX_LIMIT`]; the service's default ([`DEFAULT_LIMIT`]) when `None`.
    pub limit: Option<u8>,
    /// The cursor: the `last_id` of the previous page.
    pub after: Option<String>,
}

impl ListInvites {
    /// The largest page the service returns ([`MAX_LIMIT`]): the page size for reading every
    /// invite.
    pub const MAX_LIMIT: u8 = MAX_LIMIT;

    /// The first page with the service's default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks for the largest pages ([`MAX_LIMIT`](Self::MAX_LIMIT), 100), so that reading every
    /// invite takes the fewest requests: one per 100 invites.
    ///
    /// ```
    /// use openai_invites_core::ListInvites;
    ///
    /// assert_eq!(ListInvites::new().max_limit().limit, Some(ListInvites::MAX_LIMIT));
    /// ```
    pub fn max_limit(self) -> Self {
        self.limit(MAX_LIMIT)
    }

    /// Sets the page size (1..=[`MAX_LIMIT`], checked when encoding).
    pub fn limit(mut self, limit: u8) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Starts after this invite id.
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }
}

impl Operation for ListInvites {
    type Output = InviteListResponse;

    const META: OperationMeta = OperationMeta {
        name: "listInvites",
        span_name: "invites.list",
        method: Method::GET,
        url_template: super::INVITES,
        idempotent: true,
        reconcile: Reconciliation::None,
    };

    fn encode(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, EncodeError> {
        let mut uri = Self::META.url(base, &[])?;
        let mut sep = '?';
        if let Some(limit) = self.limit {
            if !(1..=MAX_LIMIT).contains(&limit) {
                return Err(EncodeError::invalid(
                    "limit",
                    format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
                ));
            }
            uri.push(sep);
            uri.push_str("limit=");
            uri.push_str(&limit.to_string());
            sep = '&';
        }
        if let Some(after) = &self.after {
            if after.is_empty() {
                return Err(EncodeError::invalid("after", "must not be empty when set"));
            }
            uri.push(sep);
            uri.push_str("after=");
            uri.extend(encode_component(after));
        }
        Self::META.request(uri, None)
    }

    fn decode(response: http::Response<Bytes>) -> Result<Self::Output, ResponseError> {
        crate::decode_json(response)
    }
}
