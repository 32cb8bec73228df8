//! Which operation a method and path name, by the core's operation table, and the query of a
//! listing.

use http::Method;
use openai_invites_core::OperationMeta;
use openai_invites_core::ops::OPERATIONS;
use percent_encoding::percent_decode_str;

/// The base path every route lives under (`base_url()` ends with it).
pub const BASE_PATH: &str = "/v1";

/// What a request's method and path ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// An operation, with the percent-decoded values of its template's placeholders (a
    /// segment that is not UTF-8 is kept as sent).
    Operation {
        meta: &'static OperationMeta,
        values: Vec<String>,
    },
    /// A known path with a method it does not serve; the methods it does, e.g. `GET, POST`.
    WrongMethod(String),
    Unknown,
}

impl Route {
    pub(crate) fn classify(method: &Method, path: &str) -> Self {
        let Some(below) = path.strip_prefix(BASE_PATH) else {
            return Self::Unknown;
        };
        let mut allowed = Vec::new();
        for meta in OPERATIONS {
            let Some(values) = meta.path_values(below) else {
                continue;
            };
            if meta.method == method {
                return Self::Operation { meta, values };
            }
            allowed.push(meta.method.as_str());
        }
        if allowed.is_empty() {
            Self::Unknown
        } else {
            Self::WrongMethod(allowed.join(", "))
        }
    }

    /// The operation, if the route is one.
    pub(crate) fn meta(&self) -> Option<&'static OperationMeta> {
        match self {
            Self::Operation { meta, .. } => Some(meta),
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
    use openai_invites_core::ops;

    fn op(name: &str, values: &[&str]) -> Route {
        let meta = ops::named(name).unwrap();
        let values = values.iter().map(|v| (*v).to_owned()).collect();
        Route::Operation { meta, values }
    }

    #[test]
    fn routes() {
        let c = |m: Method, p: &str| Route::classify(&m, p);
        let invites = "/v1/organization/invites";
        assert_eq!(c(Method::GET, invites), op("listInvites", &[]));
        assert_eq!(c(Method::POST, invites), op("inviteUser", &[]));
        assert_eq!(
            c(Method::PUT, invites),
            Route::WrongMethod("GET, POST".into())
        );
        assert_eq!(
            c(Method::GET, "/v1/organization/invites/a%2Fb"),
            op("retrieveInvite", &["a/b"])
        );
        assert_eq!(
            c(Method::DELETE, "/v1/organization/invites/%FF"),
            op("deleteInvite", &["%FF"])
        );
        assert_eq!(
            c(Method::PATCH, "/v1/organization/invites/x"),
            Route::WrongMethod("GET, DELETE".into())
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
        assert_eq!(
            c(Method::POST, invites).meta().map(|m| m.name),
            Some("inviteUser")
        );
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
