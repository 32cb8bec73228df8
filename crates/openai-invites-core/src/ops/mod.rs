//! The four invite operations, one file each, and what they share.

mod delete_invite;
mod invite_user;
mod list_invites;
mod retrieve_invite;

pub use delete_invite::DeleteInvite;
pub use invite_user::InviteUser;
pub use list_invites::{ListInvites, MAX_LIMIT};
pub use retrieve_invite::RetrieveInvite;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{BaseUrl, EncodeError, OperationMeta};

/// Path of the invites collection, below the base URL.
pub(crate) const INVITES_PATH: &str = "/organization/invites";

/// Everything but RFC 3986 unreserved characters is escaped, and `.` too, so that an id such as
/// `..` can never become a dot-segment that walks up the path.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Percent-encodes `value` as one path segment or one query value.
pub fn encode_component(value: &str) -> percent_encoding::PercentEncode<'_> {
    utf8_percent_encode(value, COMPONENT)
}

/// `{base}/organization/invites/{invite_id}` with the id as exactly one segment.
pub(crate) fn invite_uri(base: &BaseUrl, invite_id: &str) -> Result<String, EncodeError> {
    if invite_id.is_empty() {
        return Err(EncodeError::invalid("invite_id", "must not be empty"));
    }
    let mut uri = base.join(INVITES_PATH);
    uri.push('/');
    uri.extend(encode_component(invite_id));
    Ok(uri)
}

/// Builds the request every operation sends: method, URI, `Accept`, the JSON body with its
/// `Content-Type`, and the operation's meta in the extensions.
pub(crate) fn build_request(
    meta: &OperationMeta,
    uri: String,
    body: Option<Vec<u8>>,
) -> Result<http::Request<Bytes>, EncodeError> {
    let mut builder = http::Request::builder()
        .method(meta.method.clone())
        .uri(uri)
        .header(ACCEPT, APPLICATION_JSON);
    if body.is_some() {
        builder = builder.header(CONTENT_TYPE, APPLICATION_JSON);
    }
    let mut request = builder.body(body.map(Bytes::from).unwrap_or_default())?;
    request.extensions_mut().insert(meta.clone());
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_ids_stay_one_segment() {
        let base = BaseUrl::default();
        for (id, tail) in [
            ("a/b", "a%2Fb"),
            ("..", "%2E%2E"),
            ("?x", "%3Fx"),
            ("#", "%23"),
            ("a b", "a%20b"),
            ("é", "%C3%A9"),
            ("invite-abc_~", "invite-abc_~"),
        ] {
            let uri = invite_uri(&base, id).unwrap();
            assert_eq!(
                uri,
                format!("https://api.openai.com/v1/organization/invites/{tail}")
            );
        }
    }
}
