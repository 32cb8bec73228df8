//! `Client`: the typed face of the stack.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use openai_invites_core::{
    BaseUrl, DeleteInvite, Invite, InviteDeleteResponse, InviteListResponse, InviteRequest,
    InviteUser, ListInvites, Operation, RetrieveInvite, headers,
};

use crate::layer::context::CallContext;
use crate::stack::Stack;
use crate::{ClientBuilder, Error};

/// A client of the invites API. Cheap to clone (one `Arc`); clones share the connection pool,
/// and, once configured, the retry budget and the rate limiter.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use openai_invites::{Client, InviteRequest, InviteRole, ListInvites};
///
/// let client = Client::builder().from_env().build()?;
/// let invite = client
///     .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
///     .await?;
/// let page = client.list_invites(ListInvites::new().limit(10)).await?;
/// println!("{} invited; {} on the first page", invite.email, page.data.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: BaseUrl,
    stack: Stack,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn from_parts(base_url: BaseUrl, stack: Stack) -> Self {
        Self {
            inner: Arc::new(Inner { base_url, stack }),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base_url
    }

    /// Sends any operation through the stack and decodes its answer.
    pub async fn send<O: Operation>(&self, operation: O) -> Result<O::Output, Error> {
        let mut request = operation
            .encode(&self.inner.base_url)
            .map_err(|e| Error::encode(&O::META, e))?;
        let context = CallContext::default();
        request.extensions_mut().insert(context.clone());
        let result = self.inner.stack.call(request).await;
        let attempts = context.attempts();
        let stop_reason = || context.stop_reason();
        let response = result.map_err(|e| {
            let error = Error::from_stack(&O::META, e);
            let attempts = attempts.max(error.attempts());
            error
                .with_attempts(attempts)
                .with_stop_reason(stop_reason())
        })?;
        let retry_after = if response.status().is_success() {
            None
        } else {
            headers::retry_after(response.headers(), std::time::SystemTime::now())
        };
        O::decode(response).map_err(|e| {
            Error::response(&O::META, e)
                .with_attempts(attempts.max(1))
                .with_retry_after(retry_after)
                .with_stop_reason(stop_reason())
        })
    }

    /// Lists one page of invites.
    pub async fn list_invites(&self, request: ListInvites) -> Result<InviteListResponse, Error> {
        self.send(request).await
    }

    /// Invites a person to the organization.
    ///
    /// Not retried after an ambiguous failure (the service may have sent the email): such an
    /// error reports [`Error::is_outcome_unknown`].
    pub async fn invite_user(&self, request: InviteRequest) -> Result<Invite, Error> {
        self.send(InviteUser(request)).await
    }

    /// Reads one invite.
    pub async fn retrieve_invite(&self, invite_id: impl Into<String>) -> Result<Invite, Error> {
        self.send(RetrieveInvite::new(invite_id)).await
    }

    /// Deletes an invite that was not accepted yet.
    pub async fn delete_invite(
        &self,
        invite_id: impl Into<String>,
    ) -> Result<InviteDeleteResponse, Error> {
        self.send(DeleteInvite::new(invite_id)).await
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

/// Lets callers wrap the client in their own typed tower layers, or replace it with a mock
/// `Service<O>` in their tests.
impl<O> tower_service::Service<O> for Client
where
    O: Operation + Send + 'static,
    O::Output: Send + 'static,
{
    type Response = O::Output;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<O::Output, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, operation: O) -> Self::Future {
        let client = self.clone();
        Box::pin(async move { client.send(operation).await })
    }
}
