//! `Client::list_all_invites`: a stream that follows the cursor.

use std::collections::{HashSet, VecDeque};

use futures_core::Stream;
use openai_invites_core::{Invite, ListInvites, Operation};

use crate::{Client, Error};

struct Pages {
    client: Client,
    next: Option<ListInvites>,
    buffered: VecDeque<Invite>,
    seen_cursors: HashSet<String>,
}

impl Client {
    /// Every invite, page after page: asks for the next page with `after = last_id` and the
    /// same `limit`, and stops when `has_more` is not true, the page is empty, or `last_id` is
    /// missing. A cursor the service already gave ends the stream with an
    /// [`ErrorKind::RepeatedCursor`](crate::ErrorKind::RepeatedCursor) error instead of looping.
    /// After an error the stream ends.
    ///
    /// The stream is a [`futures_core::Stream`]; read it with `futures_util::TryStreamExt`
    /// (or the `futures` crate's), or `tokio_stream::StreamExt`.
    ///
    /// ```no_run
    /// # async fn run(client: openai_invites::Client) -> Result<(), openai_invites::Error> {
    /// use futures_util::TryStreamExt;
    /// use openai_invites::ListInvites;
    ///
    /// let all: Vec<_> = client.list_all_invites(ListInvites::new().limit(100)).try_collect().await?;
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
