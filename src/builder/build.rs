//! `build()`: every setting checked, the environment read once, the stack assembled.

use std::sync::Arc;

use openai_invites_core::{BaseUrl, DEFAULT_BASE_URL};
use secrecy::ExposeSecret;
use tower_layer::Layer;

use super::ClientBuilder;
use crate::client::ClientParts;
use crate::environment::NetworkEnv;
use crate::layer::metrics::Recorder;
use crate::layer::rate_limit::RateLimitLayer;
use crate::layer::{AdminKey, AuthLayer};
use crate::scrub::Secrets;
use crate::slot::Slot;
use crate::stack::{self, StackParts};
use crate::transport::{
    HttpService, HyperTransport, ResponseTooLarge, StackService, TransportError,
};
use crate::{BoxError, BuildError, Client};

impl ClientBuilder {
    /// Checks every setting and builds the client. The network variables (proxies,
    /// `SSL_CERT_FILE`, `SSL_CERT_DIR`) are read now, once, unless
    /// [`from_env_with`](Self::from_env_with) or [`network_env_with`](Self::network_env_with)
    /// gave them; a swapped [`transport`](Self::transport) reads none.
    ///
    /// No error it returns prints the admin key, the userinfo of a URL or proxy credentials.
    pub fn build(self) -> Result<Client, BuildError> {
        let secrets = self
            .admin_key
            .as_ref()
            .map(|key| Secrets::new(key.expose_secret().trim(), &[]));
        self.assemble().map_err(|error| match &secrets {
            Some(secrets) => error.scrubbed(secrets),
            None => error,
        })
    }

    fn assemble(mut self) -> Result<Client, BuildError> {
        let key = match &self.admin_key {
            Some(key) => AdminKey::new(key.expose_secret())?,
            None if self.api_key_not_read => return Err(BuildError::ApiKeyNotRead),
            None => return Err(BuildError::MissingAdminKey),
        };
        let base_url = BaseUrl::parse(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        if !base_url.is_https() && !base_url.is_loopback() && !self.allow_insecure_http {
            return Err(BuildError::InsecureHttp {
                host: base_url.host().to_owned(),
            });
        }
        for (name, value) in [
            ("attempt_timeout", self.attempt_timeout),
            ("total_timeout", self.total_timeout),
            ("connect_timeout", self.transport_config.connect_timeout),
        ] {
            if value.is_zero() {
                return Err(BuildError::InvalidSetting {
                    name,
                    reason: "a timeout must be longer than zero",
                });
            }
        }
        if self.transport_config.max_response_bytes == 0 {
            return Err(BuildError::InvalidSetting {
                name: "max_response_bytes",
                reason: "must be at least 1",
            });
        }
        let mut auth = AuthLayer::new(&key)?;
        if let Some(organization) = &self.organization {
            auth = auth.organization(organization)?;
        }
        if let Some(project) = &self.project {
            auth = auth.project(project)?;
        }
        if let Some(suffix) = &self.user_agent_suffix {
            auth = auth.user_agent_suffix(suffix)?;
        }
        // The environment matters only to the default transport.
        let proxy = match &self.transport {
            Some(_) => None,
            None => {
                let env = self
                    .network_env
                    .take()
                    .unwrap_or_else(NetworkEnv::from_process);
                let proxy = self.proxy.choose(&env, &base_url).map_err(|e| {
                    let origin = e.origin.to_owned();
                    BuildError::Proxy {
                        origin,
                        reason: e.reason,
                    }
                })?;
                self.transport_config.env = env;
                self.transport_config.proxy = proxy.clone();
                proxy
            }
        };
        let proxy_secrets = proxy.as_ref().map(|p| p.secrets.as_slice()).unwrap_or(&[]);
        let secrets = Arc::new(Secrets::new(key.expose(), proxy_secrets));
        let max_response_bytes = self.transport_config.max_response_bytes;
        let max_cooldown = self.retry.max_retry_after;
        let recorder = self.recorder(&base_url);
        let parts = StackParts {
            per_call: Slot::of(self.per_call, max_response_bytes),
            total_timeout: self.total_timeout,
            retry: self.retry,
            rate_limit: RateLimitLayer::new(self.rate_limiter).max_cooldown(max_cooldown),
            auth,
            per_attempt: Slot::of(self.per_attempt, max_response_bytes),
            attempt_timeout: self.attempt_timeout,
            recorder: recorder.clone(),
        };
        let stack = match self.transport {
            Some(transport) => stack::assemble(transport, parts),
            None if base_url.is_https() => {
                stack::assemble(HyperTransport::new(&self.transport_config)?, parts)
            }
            None => stack::assemble(HyperTransport::plain(&self.transport_config), parts),
        };
        Ok(Client::from_parts(ClientParts {
            base_url,
            stack,
            secrets,
            proxy: proxy.map(|p| p.label),
            recorder,
        }))
    }

    /// The client's instruments: into the given meter provider, else the global one (the
    /// `metrics` feature; nothing without it).
    #[cfg(feature = "metrics")]
    fn recorder(&mut self, base_url: &BaseUrl) -> Recorder {
        let provider = self
            .meter_provider
            .take()
            .unwrap_or_else(opentelemetry::global::meter_provider);
        let instruments = crate::layer::metrics::Instruments::new(
            provider.as_ref(),
            base_url,
            self.rate_limiter.clone(),
        );
        Recorder::new(instruments)
    }

    #[cfg(not(feature = "metrics"))]
    fn recorder(&mut self, _base_url: &BaseUrl) -> Recorder {
        Recorder::default()
    }

    /// Replaces the hyper transport with any service, e.g. the fake's in-process service or a
    /// `tower::service_fn`. `max_response_bytes`, TLS, proxy and pool settings then do not
    /// apply.
    ///
    /// The service receives each request whole, its URL made from the configured
    /// [`base_url`](Self::base_url) (`https://api.openai.com/v1/...` by default). A service
    /// that answers in process, as the fake does, reads only the path and the headers, so
    /// traces (`server.address`), errors and [`CallInfo`](crate::CallInfo) still name the
    /// configured host although nothing went there. Set a telling base URL, such as
    /// `https://fake.invalid/v1`, to make that plain in test logs.
    ///
    /// An error of the service counts as a failure after sending (the outcome is unknown), unless
    /// it is a [`TransportError`] made with [`TransportError::connect`] (nothing was sent: even
    /// non-idempotent operations may be retried) or [`TransportError::certificate`] (nothing
    /// was sent, and trying again cannot help).
    pub fn transport<S>(mut self, transport: S) -> Self
    where
        S: StackService,
    {
        let erased = tower::util::MapErrLayer::new(as_transport_error).layer(transport);
        self.transport = Some(HttpService::new(erased));
        self
    }
}

/// Errors of a swapped transport are transport errors: the conservative reading is that the
/// request may have been sent.
fn as_transport_error(error: impl Into<BoxError>) -> BoxError {
    let error = error.into();
    if error.is::<TransportError>() || error.is::<ResponseTooLarge>() {
        error
    } else {
        Box::new(TransportError::after_send(error))
    }
}
