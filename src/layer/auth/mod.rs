//! `AuthLayer`: the admin key and the identification headers on every attempt.
//!
//! Sets `Authorization: Bearer <key>` (marked sensitive, so HTTP/2 never indexes it and
//! `Debug` of the header map hides it), `OpenAI-Organization` / `OpenAI-Project` when
//! configured, and `User-Agent`. The header values are built once, when the layer is made;
//! each attempt only clones them (a reference-count bump).

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::HeaderValue;
use http::header::{AUTHORIZATION, HeaderName, USER_AGENT};
use secrecy::{ExposeSecret, SecretString};
use tower_layer::Layer;
use tower_service::Service;

use crate::BuildError;

/// The `User-Agent` this library sends (a suffix may be appended).
pub const DEFAULT_USER_AGENT: &str = concat!("openai-invites/", env!("CARGO_PKG_VERSION"));

const ORGANIZATION: HeaderName = HeaderName::from_static("openai-organization");
const PROJECT: HeaderName = HeaderName::from_static("openai-project");

/// An admin key. `Debug` never shows it; it is readable only through [`AdminKey::expose`].
///
/// ```
/// use openai_invites::layer::AdminKey;
///
/// let key = AdminKey::new(" sk-admin-abc ")?; // surrounding whitespace is dropped
/// assert_eq!(format!("{key:?}"), "AdminKey([redacted])");
/// assert!(AdminKey::new("sk admin").is_err());
/// # Ok::<(), openai_invites::BuildError>(())
/// ```
#[derive(Clone)]
pub struct AdminKey(SecretString);

impl AdminKey {
    /// Wraps a key, refusing one that is empty or cannot be a header value.
    pub fn new(key: impl Into<String>) -> Result<Self, BuildError> {
        let key: String = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(BuildError::MissingAdminKey);
        }
        if trimmed
            .bytes()
            .any(|b| b.is_ascii_control() || !b.is_ascii())
        {
            return Err(BuildError::InvalidAdminKey(
                "it contains control or non-ASCII characters",
            ));
        }
        if trimmed.contains(' ') {
            return Err(BuildError::InvalidAdminKey("it contains a space"));
        }
        Ok(Self(SecretString::from(trimmed.to_owned())))
    }

    /// The key itself. Handle with care.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    fn bearer(&self) -> Result<HeaderValue, BuildError> {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.expose()))
            .map_err(|_| BuildError::InvalidAdminKey("it cannot be sent as a header value"))?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for AdminKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminKey([redacted])")
    }
}

/// Adds authentication and identification headers to each request.
///
/// ```
/// use openai_invites::layer::{AdminKey, AuthLayer};
///
/// let key = AdminKey::new("sk-admin-example")?;
/// let auth = AuthLayer::new(&key)?
///     .organization("org-abc")?
///     .user_agent_suffix("onboarding-bot/2")?;
/// # let _ = auth;
/// # Ok::<(), openai_invites::BuildError>(())
/// ```
#[derive(Clone)]
pub struct AuthLayer {
    headers: Arc<[(HeaderName, HeaderValue)]>,
}

impl AuthLayer {
    /// `Authorization: Bearer <key>` and this library's `User-Agent`.
    pub fn new(key: &AdminKey) -> Result<Self, BuildError> {
        let headers = vec![
            (AUTHORIZATION, key.bearer()?),
            (USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT)),
        ];
        Ok(Self {
            headers: headers.into(),
        })
    }

    /// Also sends `OpenAI-Organization: <id>`.
    pub fn organization(self, id: &str) -> Result<Self, BuildError> {
        self.with(ORGANIZATION, header_value("organization", id)?)
    }

    /// Also sends `OpenAI-Project: <id>`.
    pub fn project(self, id: &str) -> Result<Self, BuildError> {
        self.with(PROJECT, header_value("project", id)?)
    }

    /// Appends `suffix` to the `User-Agent` (`openai-invites/<version> <suffix>`).
    pub fn user_agent_suffix(self, suffix: &str) -> Result<Self, BuildError> {
        let agent = format!("{DEFAULT_USER_AGENT} {}", suffix.trim());
        self.with(USER_AGENT, header_value("user_agent", &agent)?)
    }

    /// Sets `name` to `value`, replacing an earlier value of that header.
    fn with(self, name: HeaderName, value: HeaderValue) -> Result<Self, BuildError> {
        let mut headers: Vec<_> = self
            .headers
            .iter()
            .filter(|(n, _)| *n != name)
            .cloned()
            .collect();
        headers.push((name, value));
        Ok(Self {
            headers: headers.into(),
        })
    }
}

fn header_value(name: &'static str, text: &str) -> Result<HeaderValue, BuildError> {
    HeaderValue::try_from(text.trim()).map_err(|_| BuildError::InvalidHeader {
        name,
        reason: "it contains characters a header cannot carry",
    })
}

impl fmt::Debug for AuthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("AuthLayer")
            .field("headers", &names)
            .finish()
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Auth {
            inner,
            headers: self.headers.clone(),
        }
    }
}

/// The service made by [`AuthLayer`].
#[derive(Clone)]
pub struct Auth<S> {
    inner: S,
    headers: Arc<[(HeaderName, HeaderValue)]>,
}

impl<S> fmt::Debug for Auth<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Auth { .. }")
    }
}

impl<S> Service<http::Request<Bytes>> for Auth<S>
where
    S: Service<http::Request<Bytes>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, mut request: http::Request<Bytes>) -> Self::Future {
        let headers = request.headers_mut();
        for (name, value) in self.headers.iter() {
            headers.insert(name.clone(), value.clone());
        }
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_control_characters_are_refused() {
        assert!(matches!(
            AdminKey::new(""),
            Err(BuildError::MissingAdminKey)
        ));
        assert!(matches!(
            AdminKey::new("sk\nadmin"),
            Err(BuildError::InvalidAdminKey(_))
        ));
        assert!(matches!(
            AdminKey::new("sk admin"),
            Err(BuildError::InvalidAdminKey(_))
        ));
        assert_eq!(
            AdminKey::new("  sk-admin-1 ").unwrap().expose(),
            "sk-admin-1"
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = AdminKey::new("sk-admin-secret").unwrap();
        assert!(!format!("{key:?}").contains("secret"));
        let layer = AuthLayer::new(&key).unwrap().organization("org-1").unwrap();
        assert!(!format!("{layer:?}").contains("secret"));
    }

    #[test]
    fn headers_are_set_and_authorization_is_sensitive() {
        let key = AdminKey::new("sk-admin-secret").unwrap();
        let layer = AuthLayer::new(&key)
            .and_then(|l| l.organization("org-1"))
            .and_then(|l| l.project("proj-1"))
            .and_then(|l| l.user_agent_suffix("my-app/2"))
            .unwrap();
        let mut svc = layer.layer(tower::service_fn(|r: http::Request<Bytes>| async move {
            Ok::<_, std::convert::Infallible>(r)
        }));
        let request =
            futures_util::FutureExt::now_or_never(svc.call(http::Request::new(Bytes::new())))
                .unwrap()
                .unwrap();
        let h = request.headers();
        assert_eq!(h["authorization"], "Bearer sk-admin-secret");
        assert!(h["authorization"].is_sensitive());
        assert_eq!(h["openai-organization"], "org-1");
        assert_eq!(h["openai-project"], "proj-1");
        assert_eq!(
            h["user-agent"],
            format!("{DEFAULT_USER_AGENT} my-app/2").as_str()
        );
        assert!(!format!("{h:?}").contains("secret"));
    }
}
