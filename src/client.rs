//! `Client`: the typed face of the stack.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use openai_invites_core::{
    BaseUrl, DeleteInvite, InviteRequest, InviteUser, ListInvites, Operation, RetrieveInvite,
};

use crate::layer::context::CallContext;
use crate::layer::metrics::Recorder;
use crate::scrub::Secrets;
use crate::stack::Stack;
use crate::{Call, Error};

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
    inner: Arc<ClientParts>,
}

/// What `build()` hands the client.
pub(crate) struct ClientParts {
    pub(crate) base_url: BaseUrl,
    pub(crate) stack: Stack,
    /// What errors are scrubbed of.
    pub(crate) secrets: Arc<Secrets>,
    /// The proxy in use, printable (credentials redacted).
    pub(crate) proxy: Option<String>,
    /// The client's instruments (nothing without the `metrics` feature).
    pub(crate) recorder: Recorder,
}

impl Client {
    pub(crate) fn from_parts(parts: ClientParts) -> Self {
        Self {
            inner: Arc::new(parts),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base_url
    }

    /// The proxy the default transport goes through, credentials redacted
    /// (`http://[redacted]@proxy.corp:3128`); `None` when it connects directly (or the
    /// transport was swapped).
    pub fn proxy(&self) -> Option<&str> {
        self.inner.proxy.as_deref()
    }

    pub(crate) fn secrets(&self) -> &Arc<Secrets> {
        &self.inner.secrets
    }

    /// Sends any operation through the stack and decodes its answer.
    ///
    /// The operation is encoded now and sent when the returned [`Call`] is first polled. An
    /// operation that cannot be encoded is never sent: the call resolves to the encode error.
    pub fn send<O: Operation>(&self, operation: O) -> Call<O> {
        match operation.encode(&self.inner.base_url) {
            Ok(mut request) => {
                let context = CallContext::scrubbing(self.inner.secrets.clone());
                request.extensions_mut().insert(context.clone());
                let stack = self.inner.stack.call(request);
                Call::sending(stack, context, self.inner.recorder.clone())
            }
            Err(e) => {
                let error = Error::encode(&O::META, e).scrubbed(&self.inner.secrets);
                Call::refused(error, self.inner.recorder.clone())
            }
        }
    }

    /// Lists one page of invites.
    pub fn list_invites(&self, request: ListInvites) -> Call<ListInvites> {
        self.send(request)
    }

    /// Invites a person to the organization.
    ///
    /// Never re-sent blindly after an ambiguous failure (the email may have gone out): the
    /// client reads the invites and returns the invite it made, fails with
    /// [`ErrorKind::AlreadyInvited`](crate::ErrorKind::AlreadyInvited), or sends it again when it
    /// provably was not made; [`Error::is_outcome_unknown`] only when the service cannot be read.
    /// See [`reconcile_invites`](crate::ClientBuilder::reconcile_invites), and
    /// [`ensure_invited`](Self::ensure_invited) for jobs that run again and again.
    pub fn invite_user(&self, request: InviteRequest) -> Call<InviteUser> {
        self.send(InviteUser(request))
    }

    /// Reads one invite.
    pub fn retrieve_invite(&self, invite_id: impl Into<String>) -> Call<RetrieveInvite> {
        self.send(RetrieveInvite::new(invite_id))
    }

    /// Deletes an invite that was not accepted yet.
    pub fn delete_invite(&self, invite_id: impl Into<String>) -> Call<DeleteInvite> {
        self.send(DeleteInvite::new(invite_id))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("proxy", &self.inner.proxy)
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
    type Future = Call<O>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, operation: O) -> Self::Future {
        self.send(operation)
    }
}
