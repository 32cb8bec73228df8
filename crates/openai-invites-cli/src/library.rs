//! What the command line needs from the client library and the library does not offer yet.
//!
//! Each item is the smallest stand-in, marked `// LIBRARY:` with the API the library should
//! grow; once it does, the stand-in goes and its callers use the library's. Nothing else in
//! this crate re-implements library behaviour.
//!
//! ```ignore
//! let plan = library::preview_ensure(&request, &invites);
//! assert_eq!(plan, EnsurePreview::Create);
//! ```

use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use futures_util::TryStreamExt;
use openai_invites::http::StatusCode;
use openai_invites::{
    Client, Ensured, Error, Invite, InviteProject, InviteRequest, InviteStatus, ListInvites,
    Mismatch, ProjectRole, Quota,
};

// LIBRARY: `Error::is_unauthorized(&self) -> bool`: the service refused the key (401) or its
// permissions (403).
pub fn is_unauthorized(error: &Error) -> bool {
    matches!(
        error.status(),
        Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
    )
}

// LIBRARY: `Client::collect_invites(&self, filter: InviteFilter) -> impl Future<Output =
// Result<Vec<Invite>, Error>>` (every page, pages of 100, optionally one status), so a caller
// needs neither `futures-util` nor its own loop.
pub async fn collect_invites(
    client: &Client,
    keep: impl Fn(&Invite) -> bool,
) -> Result<Vec<Invite>, Error> {
    client
        .list_all_invites(ListInvites::new().limit(PAGE_SIZE))
        .try_filter(|invite| std::future::ready(keep(invite)))
        .try_collect()
        .await
}

// LIBRARY: `ListInvites::largest_pages()` (or `MAX_LIMIT` at the crate root): the page size
// for reading every invite, without reaching into `core::ops`.
pub const PAGE_SIZE: u8 = openai_invites::core::ops::MAX_LIMIT;

/// What [`Client::ensure_invited`] would do, decided from the invites alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnsurePreview {
    /// No invite for the email: one would be created.
    Create,
    /// A pending invite: nothing would be sent.
    AlreadyPending {
        /// The pending invite.
        invite: Invite,
        /// How it differs from the request.
        mismatch: Mismatch,
    },
    /// An accepted invite: nothing would be sent.
    AlreadyAccepted {
        /// The accepted invite.
        invite: Invite,
    },
    /// Only expired invites: the newest would be deleted and a new one created.
    Reissue {
        /// The expired invite that would be deleted.
        expired: Invite,
    },
}

// LIBRARY: a pure `EnsurePlan::for_request(request: &InviteRequest, invites: &[Invite]) ->
// EnsurePlan` in the core crate (variants as above), which `Client::ensure_invited` itself
// follows, so that `--dry-run` and the real call can never disagree (and the roster planner
// of issue 22 reuses it). This copy follows `ensure_invited`'s documented rules.
pub fn preview_ensure(request: &InviteRequest, invites: &[Invite]) -> EnsurePreview {
    let newest = |status: InviteStatus| {
        invites
            .iter()
            .filter(|i| i.status == status && request.is_for(&i.email))
            .max_by_key(|i| i.created_at)
            .cloned()
    };
    if let Some(invite) = newest(InviteStatus::Pending) {
        let mismatch = Mismatch::between(request, &invite);
        return EnsurePreview::AlreadyPending { invite, mismatch };
    }
    if let Some(invite) = newest(InviteStatus::Accepted) {
        return EnsurePreview::AlreadyAccepted { invite };
    }
    match newest(InviteStatus::Expired) {
        Some(expired) => EnsurePreview::Reissue { expired },
        None => EnsurePreview::Create,
    }
}

// LIBRARY: `openai_invites::core::same_email(a: &str, b: &str) -> bool`, the rule
// `InviteRequest::is_for` applies (spaces around aside, any case), for callers that have an
// email but no request.
pub fn same_email(a: &str, b: &str) -> bool {
    InviteRequest::new(a, openai_invites::InviteRole::Reader).is_for(b)
}

// LIBRARY: `Ensured::created(&self) -> bool` (true for `Created` and `Reissued`): whether
// the call sent an invitation email.
pub fn created(outcome: &Ensured) -> bool {
    matches!(outcome, Ensured::Created | Ensured::Reissued { .. })
}

// LIBRARY: `impl FromStr for InviteProject` (`proj_a` is a member, `proj_a:owner`) and the
// matching `Display`, in the core crate: the roster file of issue 22 writes projects the
// same way (`proj_a:member proj_b:owner`).
pub fn parse_project(text: &str) -> Result<InviteProject, String> {
    let (id, role) = match text.split_once(':') {
        Some((id, role)) => (id, role),
        None => (text, "member"),
    };
    let role = match role {
        "member" => ProjectRole::Member,
        "owner" => ProjectRole::Owner,
        other => return Err(format!("unknown project role `{other}`: member or owner")),
    };
    if id.trim().is_empty() {
        return Err("the project id is empty: ID or ID:member or ID:owner".to_owned());
    }
    Ok(InviteProject::new(id, role))
}

// LIBRARY: `FromStr for Quota`-like parsing in the client (`10/s`, `600/m`, `5/2s`), e.g.
// `openai_invites::layer::rate_limit::parse_rate(&str) -> Result<Quota, RateError>`; the
// roster's `--rate N/s|auto` needs the same.
pub fn parse_rate(text: &str) -> Result<Quota, String> {
    let bad = || format!("`{text}` is not a rate such as 10/s, 600/m or 5/2s");
    let (count, per) = text.split_once('/').unwrap_or((text, "s"));
    let count = u32::from_str(count.trim()).map_err(|_| bad())?;
    let count =
        NonZeroU32::new(count).ok_or_else(|| format!("`{text}`: the rate must be more than 0"))?;
    let per = match per.trim() {
        "s" => Duration::from_secs(1),
        "m" | "min" => Duration::from_secs(60),
        "h" => Duration::from_secs(3600),
        other => humantime::parse_duration(other).map_err(|_| bad())?,
    };
    // The period of one request; a burst of up to `count`.
    let period = per / count.get();
    Quota::with_period(period)
        .map(|quota| quota.allow_burst(count))
        .ok_or_else(bad)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use openai_invites::InviteRole;

    use super::*;

    fn invite(id: &str, email: &str, status: InviteStatus, created_at: i64) -> Invite {
        Invite {
            id: id.into(),
            email: email.into(),
            role: InviteRole::Reader,
            status,
            created_at,
            expires_at: None,
            accepted_at: None,
            projects: vec![],
        }
    }

    #[test]
    fn preview_follows_ensure_invited() {
        let request = InviteRequest::new("Ana@example.com", InviteRole::Owner);
        assert_eq!(preview_ensure(&request, &[]), EnsurePreview::Create);
        let expired = invite("i1", "ana@example.com", InviteStatus::Expired, 1);
        let others = invite("i9", "bo@example.com", InviteStatus::Pending, 9);
        assert_eq!(
            preview_ensure(&request, &[expired.clone(), others.clone()]),
            EnsurePreview::Reissue {
                expired: expired.clone()
            }
        );
        let accepted = invite("i2", "ana@example.com", InviteStatus::Accepted, 2);
        assert_eq!(
            preview_ensure(&request, &[expired.clone(), accepted.clone()]),
            EnsurePreview::AlreadyAccepted {
                invite: accepted.clone()
            }
        );
        let old = invite("i3", "ANA@example.com", InviteStatus::Pending, 3);
        let new = invite("i4", "ana@example.com", InviteStatus::Pending, 4);
        match preview_ensure(&request, &[old, new, accepted, expired, others]) {
            EnsurePreview::AlreadyPending { invite, mismatch } => {
                assert_eq!(invite.id, "i4");
                assert!(mismatch.role && !mismatch.projects);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn projects() {
        assert_eq!(
            parse_project("p1").unwrap(),
            InviteProject::new("p1", ProjectRole::Member)
        );
        assert_eq!(
            parse_project("p1:owner").unwrap(),
            InviteProject::new("p1", ProjectRole::Owner)
        );
        assert!(parse_project("p1:admin").unwrap_err().contains("admin"));
        assert!(parse_project(":owner").is_err());
        assert!(parse_project("").is_err());
    }

    #[test]
    fn rates() {
        let ten = parse_rate("10/s").unwrap();
        assert_eq!(ten.replenish_interval(), Duration::from_millis(100));
        assert_eq!(ten.burst_size().get(), 10);
        assert_eq!(
            parse_rate("5").unwrap().replenish_interval(),
            Duration::from_millis(200)
        );
        assert_eq!(
            parse_rate("60/m").unwrap().replenish_interval(),
            Duration::from_secs(1)
        );
        assert_eq!(
            parse_rate("1/2s").unwrap().replenish_interval(),
            Duration::from_secs(2)
        );
        for bad in ["0/s", "x/s", "10/fortnight", "-1/s", ""] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }
}
