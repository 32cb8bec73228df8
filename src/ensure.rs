//! `Client::ensure_invited`: the idempotent provisioning call, for jobs that run again and
//! again.

use openai_invites_core::provision::Provision;
use openai_invites_core::{Invite, InviteFilter, InviteRequest, Mismatch};

use crate::{Client, Error, ErrorKind};

/// What [`Client::ensure_invited`] found or did.
///
/// The enum is `#[non_exhaustive]`: a later version may add an outcome (say, an invite found
/// in a status this version does not know). A `match` therefore needs a `_` arm; make it the
/// cautious one (report it, change nothing), and ask [`created`](Self::created) whether an
/// invitation email went out rather than listing variants.
///
/// ```
/// use openai_invites::Ensured;
///
/// fn describe(outcome: &Ensured) -> &'static str {
///     match outcome {
///         Ensured::Created | Ensured::Reissued { .. } => "invited",
///         Ensured::AlreadyPending { .. } => "already pending",
///         Ensured::AlreadyAccepted => "already a member",
///         _ => "something this version does not know: look before acting",
///     }
/// }
/// assert_eq!(describe(&Ensured::AlreadyAccepted), "already a member");
/// ```
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

impl Ensured {
    /// Whether the call created an invite, and so sent an invitation email: true for
    /// [`Created`](Self::Created) and [`Reissued`](Self::Reissued).
    ///
    /// ```
    /// use openai_invites::Ensured;
    ///
    /// assert!(Ensured::Created.created());
    /// assert!(Ensured::Reissued { expired: "invite-old".into() }.created());
    /// assert!(!Ensured::AlreadyAccepted.created());
    /// ```
    pub fn created(&self) -> bool {
        matches!(self, Self::Created | Self::Reissued { .. })
    }
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
    /// Reads every invite (the list order is not documented, so every page is read), then, for
    /// the email (case-insensitive):
    /// - an invite is pending: [`Ensured::AlreadyPending`], and where it differs from
    ///   `request` (role, projects), since a different one is not created;
    /// - one was accepted: [`Ensured::AlreadyAccepted`];
    /// - only expired ones: the expired invite is deleted and a new one created
    ///   ([`Ensured::Reissued`]);
    /// - none: one is created ([`Ensured::Created`]).
    ///
    /// What it costs: the reads come first, one request per 100 invites of the organization,
    /// for each call: ensuring 3 emails in an organization of 250 invites is 9 list requests,
    /// plus one create (or a delete and a create) per email that needs one. For a whole
    /// cohort, the `openai-invites-roster` crate reads the organization once and plans every
    /// change from that one snapshot.
    ///
    /// The create is reconciled like [`invite_user`](Self::invite_user)'s. Two runs at the
    /// same moment for the same email both find none and both create: then it is the service
    /// that keeps one pending invite, by refusing the second create (the test kit answers 409
    /// `invite_already_exists`, and this call returns the first invite as
    /// [`Ensured::AlreadyPending`]); whether the real service refuses it is not documented. To
    /// rule it out, do not run two jobs for one email at once.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use openai_invites::{Client, Ensured, InviteRequest, InviteRole};
    /// use openai_invites_mock::FakeInvites;
    ///
    /// let fake = FakeInvites::new();
    /// let client = Client::builder().admin_key(fake.admin_key()).transport(fake.service()).build()?;
    /// let ana = || InviteRequest::new("ana@example.com", InviteRole::Reader);
    ///
    /// let first = client.ensure_invited(ana()).await?;
    /// assert!(first.outcome.created());
    /// // Run again (a job that runs every hour): nothing is sent.
    /// let again = client.ensure_invited(ana()).await?;
    /// assert!(matches!(again.outcome, Ensured::AlreadyPending { mismatch } if !mismatch.any()));
    /// assert_eq!(again.invite.id, first.invite.id);
    /// assert_eq!(fake.invites().len(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn ensure_invited(&self, request: InviteRequest) -> Result<EnsuredInvite, Error> {
        let mine = self
            .all_invites(InviteFilter::all().email(&request.email))
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
