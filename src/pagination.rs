//! Every invite, page after page: `Client::all_invites` collects them (optionally filtered),
//! `Client::list_all_invites` streams them as the cursor is followed.

use std::collections::{HashSet, VecDeque};

use futures_core::Stream;
use futures_util::TryStreamExt;
use openai_invites_core::{Invite, InviteFilter, ListInvites, Operation};

use crate::{Client, Error};

struct Pages {
    client: Client,
    next: Option<ListInvites>,
    buffered: VecDeque<Invite>,
    seen_cursors: HashSet<String>,
}

impl Client {
    /// Every invite that passes `filter`, read page after page of 100 (one request per 100
    /// invites of the organization, whatever the filter keeps: the service filters nothing).
    /// A status converts into a filter; [`InviteFilter::all`] keeps every invite. For
    /// invites one at a time as pages arrive, see [`list_all_invites`](Self::list_all_invites).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use openai_invites::{Client, InviteFilter, InviteRequest, InviteRole, InviteStatus};
    /// use openai_invites_mock::FakeInvites;
    ///
    /// let fake = FakeInvites::new();
    /// let ana = fake.seed(InviteRequest::new("ana@example.com", InviteRole::Reader));
    /// fake.seed(InviteRequest::new("bo@example.com", InviteRole::Reader));
    /// fake.accept(&ana.id);
    /// let client = Client::builder().admin_key(fake.admin_key()).transport(fake.service()).build()?;
    ///
    /// assert_eq!(client.all_invites(InviteFilter::all()).await?.len(), 2);
    /// let pending = client.all_invites(InviteStatus::Pending).await?;
    /// assert_eq!(pending[0].email, "bo@example.com");
    /// let ana = client.all_invites(InviteFilter::all().email("Ana@Example.com")).await?;
    /// assert_eq!(ana[0].status, InviteStatus::Accepted);
    /// # Ok(()) }
    /// ```
    pub async fn all_invites(&self, filter: impl Into<InviteFilter>) -> Result<Vec<Invite>, Error> {
        let filter = filter.into();
        self.list_all_invites(ListInvites::new().max_limit())
            .try_filter(|invite| std::future::ready(filter.matches(invite)))
            .try_collect()
            .await
    }

    /// Every invite, page after page: asks for the next page with `after = last_id` and the
    /// same `limit`, and stops when `has_more` is not true, the page is empty, or `last_id` is
    /// missing. A cursor the service already gave ends the stream with an
    /// [`ErrorKind::RepeatedCursor`](crate::ErrorKind::RepeatedCursor) error instead of looping.
    /// After an error the stream ends.
    ///
    /// The stream is a [`futures_core::Stream`]; this crate re-exports what reads it,
    /// [`TryStreamExt`](crate::TryStreamExt) (`try_next`, `try_collect`, `try_filter`...), so
    /// no other crate is needed. To collect every invite at once, [`all_invites`](Self::all_invites)
    /// is shorter.
    ///
    /// ```no_run
    /// # async fn run(client: openai_invites::Client) -> Result<(), openai_invites::Error> {
    /// use openai_invites::{ListInvites, TryStreamExt};
    ///
    /// let mut invites = std::pin::pin!(client.list_all_invites(ListInvites::new().max_limit()));
    /// while let Some(invite) = invites.try_next().await? {
    ///     println!("{} {}", invite.email, invite.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_all_invites(
        &self,
        first: ListInvites,
    ) -> impl Stream<Item = Result<Invite, Error>> + Send + 'static {
        let mut seen_cursors = HashSet::new();
        if let Some(after) = &first.after {
            seen_cursors.insert(after.clone());
        }
        let pages = Pages {
            client: self.clone(),
            next: Some(first),
            buffered: VecDeque::new(),
            seen_cursors,
        };
        futures_util::stream::unfold(pages, |mut pages| async move {
            loop {
                if let Some(invite) = pages.buffered.pop_front() {
                    return Some((Ok(invite), pages));
                }
                let request = pages.next.take()?;
                let limit = request.limit;
                let page = match pages.client.send(request).await {
                    Ok(page) => page,
                    Err(error) => return Some((Err(error), pages)),
                };
                if let Some(cursor) = page.next_cursor() {
                    if !pages.seen_cursors.insert(cursor.to_owned()) {
                        // The page repeats what was already handed out: stop, do not loop.
                        let error = Error::repeated_cursor(&ListInvites::META, cursor)
                            .scrubbed(pages.client.secrets());
                        return Some((Err(error), pages));
                    }
                    pages.next = Some(ListInvites {
                        limit,
                        after: Some(cursor.to_owned()),
                    });
                }
                pages.buffered.extend(page.data);
            }
        })
    }
}
