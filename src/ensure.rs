//! `Client::ensure_invited`: the idempotent provisioning call, for jobs that run again and
//! again.

use futures_util::TryStreamExt;
use openai_invites_core::provision::Provision;
use openai_invites_core::{Invite, InviteRequest, ListInvites, Mismatch};

use crate::{Client, Error, ErrorKind};

/// What [`Client::ensure_invited`] found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ensured {
    /// No invite for the email existed: one was created.
    Created,
    /// An invite for the email was already pending: none was created. `mismatch` says where it
    /// differs from the request.
    AlreadyPending {
        /// How the pending invite differs from what was asked.
        mismatch: Mismatch,
    },
    /// The person already accepted an invite: none was created.
    AlreadyAccepted,
    /// The only invite for the email had expired: it was deleted and a new one created.
    Reissued {
        /// The expired invite's id.
        expired: String,
    },
}

/// The invite [`Client::ensure_invited`] leaves in place, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnsuredInvite {
    /// The invite for the email: created, or the one that was there.
    pub invite: Invite,
    /// What was found or done.
    pub outcome: Ensured,
}

impl Client {
    /// Makes sure the email has an invite, without ever creating one when one is pending: the
    /// call to make from a provisioning job that runs again and again.
    ///
    /// Reads every invite (the list order is not documented), then, for the email
    /// (case-insensitive):
    /// - an invite is pending: [`Ensured::AlreadyPending`], and where it differs from
    ///   `request` (role, projects), since a different one is not created;
    /// - one was accepted: [`Ensured::AlreadyAccepted`];
    /// - only expired ones: the expired invite is deleted and a new one created
    ///   ([`Ensured::Reissued`]);
    /// - none: one is created ([`Ensured::Created`]).
    ///
    /// The create is reconciled like [`invite_user`](Self::invite_user)'s. Two runs at the
    /// same moment for the same email both find none and both create: then it is the service
    /// that keeps one pending invite, by refusing the second create (the test kit answers 409
    /// `invite_already_exists`, and this call returns the first invite as
    /// [`Ensured::AlreadyPending`]); whether the real service refuses it is not documented. To
    /// rule it out, do not run two jobs for one email at once.
    ///
    /// ```no_run
    /// # async fn run(client: openai_invites::Client) -> Result<(), openai_invites::Error> {
    /// use openai_invites::{Ensured, InviteRequest, InviteRole};
    ///
    /// let ensured = client
    ///     .ensure_invited(InviteRequest::new("ana@example.com", InviteRole::Reader))
    ///     .await?;
    /// match ensured.outcome {
    ///     Ensured::AlreadyPending { mismatch } if mismatch.any() => {
    ///         println!("{} is pending with other terms: {mismatch:?}", ensured.invite.id)
    ///     }
    ///     outcome => println!("{}: {outcome:?}", ensured.invite.id),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn ensure_invited(&self, request: InviteRequest) -> Result<EnsuredInvite, Error> {
        let mine: Vec<Invite> = self
            .list_all_invites(ListInvites::new().limit(openai_invites_core::ops::MAX_LIMIT))
            .try_filter(|invite| std::future::ready(request.is_for(&invite.email)))
            .try_collect()
            .await?;
        let expired = match Provision::decide(&request, &mine) {
            Provision::AlreadyPending { invite, mismatch } => {
                return Ok(EnsuredInvite {
                    invite,
                    outcome: Ensured::AlreadyPending { mismatch },
                });
            }
            Provision::AlreadyAccepted { invite } => {
                return Ok(EnsuredInvite {
                    invite,
                    outcome: Ensured::AlreadyAccepted,
                });
            }
            Provision::Reissue { expired } => {
                match self.delete_invite(&expired.id).await {
                    Ok(_) => {}
                    // Gone already: what a replacement needs.
                    Err(e) if e.status() == Some(http::StatusCode::NOT_FOUND) => {}
                    Err(e) => return Err(e),
                }
                Some(expired)
            }
            Provision::Create => None,
        };
        match self.invite_user(request.clone()).await {
            Ok(invite) => Ok(EnsuredInvite {
                invite,
                outcome: match expired {
                    Some(old) => Ensured::Reissued { expired: old.id },
                    None => Ensured::Created,
                },
            }),
            Err(e) if e.kind() == ErrorKind::AlreadyInvited => match e.invite().cloned() {
                Some(invite) => Ok(EnsuredInvite {
                    outcome: Ensured::AlreadyPending {
                        mismatch: Mismatch::between(&request, &invite),
                    },
                    invite,
                }),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}
