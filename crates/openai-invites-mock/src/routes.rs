//! Which operation a method and path name, and the query of a listing.
//!
//! Paths are matched below the `/v1` base path, exactly as the spec lists them; anything else
//! is an unknown route (404), a known path with another method is a 405.

use http::Method;
use openai_invites_core::{DeleteInvite, InviteUser, ListInvites, Operation, RetrieveInvite};
use percent_encoding::percent_decode_str;

/// The base path every route lives under (`base_url()` ends with it).
pub const BASE_PATH: &str = "/v1";
/// The collection path below the base path.
pub(crate) const INVITES: &str = "/organization/invites";
/// The item path template below the base path.
pub(crate) const INVITE: &str = "/organization/invites/{invite_id}";

/// What a request's method and path ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    List,
    Create,
    /// The percent-decoded invite id (`Err` holds the raw segment when it is not UTF-8).
    Retrieve(Result<String, String>),
    Delete(Result<String, String>),
    /// A known path with a method it does not serve; the methods it does.
    WrongMethod(&'static str),
    Unknown,
}

impl Route {
    pub(crate) fn classify(method: &Method, path: &str) -> Self {
        let Some(below) = path.strip_prefix(BASE_PATH) else {
            return Self::Unknown;
        };
        if below == INVITES {
            return match *method {
                Method::GET => Self::List,
                Method::POST => Self::Create,
                _ => Self::WrongMethod("GET, POST"),
            };
        }
        let Some(segment) = below
            .strip_prefix(INVITES)
            .and_then(|s| s.strip_prefix('/'))
        else {
            return Self::Unknown;
        };
        if segment.is_empty() || segment.contains('/') {
            return Self::Unknown;
        }
        let id = percent_decode_str(segment)
            .decode_utf8()
            .map(|id| id.into_owned())
            .map_err(|_| segment.to_owned());
        match *method {
            Method::GET => Self::Retrieve(id),
            Method::DELETE => Self::Delete(id),
            _ => Self::WrongMethod("GET, DELETE"),
        }
    }

    /// The spec's operation name (the seed's names), if the route is one.
    pub(crate) fn operation(&self) -> Option<&'static str> {
        match self {
            Self::List => Some(ListInvites::META.name),
            Self::Create => Some(InviteUser::META.name),
            Self::Retrieve(_) => Some(RetrieveInvite::META.name),
            Self::Delete(_) => Some(DeleteInvite::META.name),
            Self::WrongMethod(_) | Self::Unknown => None,
        }
    }

    /// The path template below the base path, if the route is one.
    pub(crate) fn template(&self) -> Option<&'static str> {
        match self {
            Self::List | Self::Create => Some(INVITES),
            Self::Retrieve(_) | Self::Delete(_) => Some(INVITE),
            Self::WrongMethod(_) | Self::Unknown => None,
        }
    }
}

/// The first value of query parameter `name`, percent-decoded (`+` reads as a space).
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key) == name).then(|| decode(value))
    })
}

fn decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let c = |m: Method, p: &str| Route::classify(&m, p);
        assert_eq!(c(Method::GET, "/v1/organization/invites"), Route::List);
        assert_eq!(c(Method::POST, "/v1/organization/invites"), Route::Create);
        assert_eq!(
            c(Method::PUT, "/v1/organization/invites"),
            Route::WrongMethod("GET, POST")
        );
        assert_eq!(
            c(Method::GET, "/v1/organization/invites/a%2Fb"),
            Route::Retrieve(Ok("a/b".into()))
        );
        assert_eq!(
            c(Method::DELETE, "/v1/organization/invites/%FF"),
            Route::Delete(Err("%FF".into()))
        );
        assert_eq!(
            c(Method::PATCH, "/v1/organization/invites/x"),
            Route::WrongMethod("GET, DELETE")
        );
        for unknown in [
            "/organization/invites",
            "/v1/organization/invites/",
            "/v1/organization/invites/a/b",
            "/v1/organization/invitesx",
            "/v2/organization/invites",
            "/",
        ] {
            assert_eq!(c(Method::GET, unknown), Route::Unknown, "{unknown}");
        }
        assert_eq!(Route::Create.operation(), Some("inviteUser"));
        assert_eq!(Route::Retrieve(Ok("x".into())).template(), Some(INVITE));
    }

    #[test]
    fn query_params() {
        let q = Some("limit=5&after=invite-%41b&x&limit=7&e=a+b");
        assert_eq!(query_param(q, "limit").as_deref(), Some("5"));
        assert_eq!(query_param(q, "after").as_deref(), Some("invite-Ab"));
        assert_eq!(query_param(q, "x").as_deref(), Some(""));
        assert_eq!(query_param(q, "e").as_deref(), Some("a b"));
        assert_eq!(query_param(q, "missing"), None);
        assert_eq!(query_param(None, "limit"), None);
    }
}
