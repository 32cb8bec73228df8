//! Seeds: invites put straight into the store with chosen ids, statuses and timestamps.
//!
//! The same JSON serves `--seed FILE`, `POST /__fake/invites` and [`Seed::from_json`].

use std::collections::HashSet;
use std::path::Path;

use openai_invites_core::{Invite, InviteProject, InviteRole, InviteStatus, ProjectRole};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::control_error::ControlError;
use crate::store::INVITE_LIFETIME_SECS;

/// One invite to seed; only `email` is required.
///
/// As JSON (unknown fields are refused, so a typo is an error rather than a silent default):
///
/// | field | default |
/// |---|---|
/// | `id` | a fresh `invite-…` id |
/// | `email` | required, non-empty; not otherwise checked |
/// | `role` | `reader`; any string (an unknown role tests tolerant decoding) |
/// | `status` | `pending`; `accepted`, `expired` or any string |
/// | `created_at` | now (unix seconds) |
/// | `expires_at` | `created_at` + 7 days; `null` for none |
/// | `accepted_at` | now if `status` is `accepted`, else `null` |
/// | `projects` | the default project as `member`; `[]` for none |
///
/// A `pending` invite whose `expires_at` has passed reads as `expired`, as any invite does.
///
/// ```
/// use openai_invites_core::{InviteRole, InviteStatus};
/// use openai_invites_mock::{FakeInvites, Seed, SeedInvite};
///
/// let fake = FakeInvites::new();
/// let seed = Seed::new([
///     SeedInvite::new("ana@example.com").id("invite-ana").role(InviteRole::Owner),
///     SeedInvite::new("bo@example.com").status(InviteStatus::Accepted).created_at(1_700_000_000),
/// ])?;
/// let seeded = fake.seed_invites(&seed)?;
/// assert_eq!(seeded[0].id, "invite-ana");
/// assert_eq!(fake.get("invite-ana").unwrap().role, InviteRole::Owner);
/// assert!(seeded[1].accepted_at.is_some());
/// // The same, as JSON:
/// let json = Seed::from_json(r#"{"invites": [{"id": "invite-cy", "email": "cy@example.com"}]}"#)?;
/// assert_eq!(fake.seed_invites(&json)?[0].id, "invite-cy");
/// # Ok::<(), openai_invites_mock::ControlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedInvite {
    #[serde(default)]
    id: Option<String>,
    email: String,
    #[serde(default = "reader")]
    role: InviteRole,
    #[serde(default = "pending")]
    status: InviteStatus,
    #[serde(default)]
    created_at: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    expires_at: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    accepted_at: Option<Option<i64>>,
    #[serde(default)]
    projects: Option<Vec<InviteProject>>,
}

fn reader() -> InviteRole {
    InviteRole::Reader
}

fn pending() -> InviteStatus {
    InviteStatus::Pending
}

/// Tells a present `null` (`Some(None)`) from an absent field (`None`, through `default`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

impl SeedInvite {
    /// A pending `reader` invite for `email`, with every other field at its default.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            id: None,
            email: email.into(),
            role: InviteRole::Reader,
            status: InviteStatus::Pending,
            created_at: None,
            expires_at: None,
            accepted_at: None,
            projects: None,
        }
    }

    /// The invite's id (default: a fresh one).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The organization role (default `reader`).
    pub fn role(mut self, role: InviteRole) -> Self {
        self.role = role;
        self
    }

    /// The stored status (default `pending`).
    pub fn status(mut self, status: InviteStatus) -> Self {
        self.status = status;
        self
    }

    /// `created_at` in unix seconds (default: now).
    pub fn created_at(mut self, unix: i64) -> Self {
        self.created_at = Some(unix);
        self
    }

    /// `expires_at` in unix seconds, or `None` for an invite that never expires (default:
    /// 7 days after `created_at`).
    pub fn expires_at(mut self, unix: Option<i64>) -> Self {
        self.expires_at = Some(unix);
        self
    }

    /// `accepted_at` in unix seconds, or `None` (default: now for an accepted invite).
    pub fn accepted_at(mut self, unix: Option<i64>) -> Self {
        self.accepted_at = Some(unix);
        self
    }

    /// The projects (default: the fake's default project as `member`).
    pub fn projects(mut self, projects: Vec<InviteProject>) -> Self {
        self.projects = Some(projects);
        self
    }

    /// The chosen id, if any.
    pub(crate) fn chosen_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn check(&self) -> Result<(), ControlError> {
        if self.email.trim().is_empty() {
            return Err(ControlError::invalid("email", "must not be empty"));
        }
        if self.id.as_deref().is_some_and(|id| id.trim().is_empty()) {
            return Err(ControlError::invalid("id", "must not be empty"));
        }
        if let Some(n) = self.projects.iter().flatten().position(|p| p.id.is_empty()) {
            return Err(ControlError::invalid(
                format!("projects[{n}].id"),
                "must not be empty",
            ));
        }
        Ok(())
    }

    /// The invite as stored, its defaults filled in.
    pub(crate) fn to_invite(&self, id: String, now: i64, default_project: &str) -> Invite {
        let created_at = self.created_at.unwrap_or(now);
        let accepted_now = (self.status == InviteStatus::Accepted).then_some(now);
        Invite {
            id,
            email: self.email.clone(),
            role: self.role.clone(),
            status: self.status.clone(),
            created_at,
            expires_at: self
                .expires_at
                .unwrap_or(Some(created_at.saturating_add(INVITE_LIFETIME_SECS))),
            accepted_at: self.accepted_at.unwrap_or(accepted_now),
            projects: self
                .projects
                .clone()
                .unwrap_or_else(|| vec![InviteProject::new(default_project, ProjectRole::Member)]),
        }
    }
}

/// Invites to seed together, in order (the last one lists first, as the newest), with no two
/// chosen ids alike.
///
/// As JSON: `{"invites": [SeedInvite, ...]}`; `POST /__fake/invites` also takes a bare array
/// or a single invite object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seed {
    invites: Vec<SeedInvite>,
}

impl Seed {
    /// Checks the invites: non-empty emails and ids, no id twice.
    pub fn new(invites: impl IntoIterator<Item = SeedInvite>) -> Result<Self, ControlError> {
        let invites: Vec<SeedInvite> = invites.into_iter().collect();
        let mut chosen = HashSet::new();
        for (n, invite) in invites.iter().enumerate() {
            invite
                .check()
                .map_err(|e| e.within(&format!("invites[{n}]")))?;
            if let Some(id) = invite.chosen_id().filter(|id| !chosen.insert(*id)) {
                return Err(ControlError::DuplicateId(id.to_owned()));
            }
        }
        Ok(Self { invites })
    }

    /// Parses `{"invites": [...]}`, a bare array of invites, or one invite object.
    pub fn from_json(text: &str) -> Result<Self, ControlError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ControlError::json(&e))?;
        Self::from_value(value)
    }

    /// Reads a seed file (JSON, as [`from_json`](Self::from_json) takes).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ControlError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ControlError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_json(&text)
    }

    pub(crate) fn from_value(value: Value) -> Result<Self, ControlError> {
        let items = match value {
            Value::Array(items) => items,
            Value::Object(mut fields) if fields.contains_key("invites") => {
                if fields.len() > 1 {
                    let other = fields.keys().find(|k| *k != "invites").cloned();
                    return Err(ControlError::invalid(
                        other.unwrap_or_default(),
                        "unknown field; a seed document has only `invites`",
                    ));
                }
                match fields.remove("invites") {
                    Some(Value::Array(items)) => items,
                    _ => return Err(ControlError::invalid("invites", "must be an array")),
                }
            }
            one @ Value::Object(_) => vec![one],
            _ => {
                return Err(ControlError::Json(
                    "a seed is {\"invites\": [...]}, an array, or one invite object".into(),
                ));
            }
        };
        let invites = items
            .into_iter()
            .enumerate()
            .map(|(n, item)| {
                serde_json::from_value(item)
                    .map_err(|e| ControlError::Json(format!("invites[{n}]: {e}")))
            })
            .collect::<Result<Vec<SeedInvite>, _>>()?;
        Self::new(invites)
    }

    /// The invites, in seeding order.
    pub fn invites(&self) -> &[SeedInvite] {
        &self.invites
    }

    /// How many invites.
    pub fn len(&self) -> usize {
        self.invites.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.invites.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_three_state_timestamps() {
        let seed = Seed::from_json(
            r#"[{"email":"a@x.io"},
                {"email":"b@x.io","status":"accepted","expires_at":null,"created_at":100},
                {"email":"c@x.io","role":"auditor","status":"revoked","accepted_at":5,"projects":[]}]"#,
        )
        .unwrap();
        let a = seed.invites()[0].to_invite("i-a".into(), 1000, "proj_d");
        assert_eq!(a.created_at, 1000);
        assert_eq!(a.expires_at, Some(1000 + INVITE_LIFETIME_SECS));
        assert_eq!(a.accepted_at, None);
        assert_eq!(a.projects[0].id, "proj_d");
        assert_eq!(
            (a.role, a.status),
            (InviteRole::Reader, InviteStatus::Pending)
        );
        let b = seed.invites()[1].to_invite("i-b".into(), 1000, "p");
        assert_eq!(
            (b.created_at, b.expires_at, b.accepted_at),
            (100, None, Some(1000))
        );
        let c = seed.invites()[2].to_invite("i-c".into(), 1000, "p");
        assert_eq!(c.role, InviteRole::Unknown("auditor".into()));
        assert_eq!(c.status, InviteStatus::Unknown("revoked".into()));
        assert_eq!(c.accepted_at, Some(5));
        assert!(c.projects.is_empty());
    }

    #[test]
    fn three_shapes_and_clear_refusals() {
        assert_eq!(Seed::from_json(r#"{"email":"a@x.io"}"#).unwrap().len(), 1);
        assert_eq!(Seed::from_json(r#"{"invites":[]}"#).unwrap().len(), 0);
        let typo = Seed::from_json(r#"{"invites":[{"email":"a@x.io"},{"emial":"b"}]}"#);
        let Err(ControlError::Json(message)) = typo else {
            panic!("{typo:?}")
        };
        assert!(
            message.starts_with("invites[1]: unknown field `emial`"),
            "{message}"
        );
        let twice = Seed::from_json(r#"[{"id":"i","email":"a@x.io"},{"id":"i","email":"b@x.io"}]"#);
        assert_eq!(twice, Err(ControlError::DuplicateId("i".into())));
        let empty = Seed::from_json(r#"[{"email":"a@x.io"},{"email":" "}]"#).unwrap_err();
        assert_eq!(
            empty,
            ControlError::invalid("invites[1].email", "must not be empty")
        );
        assert!(matches!(Seed::from_json("7"), Err(ControlError::Json(_))));
        assert!(matches!(Seed::from_json("{"), Err(ControlError::Json(_))));
        assert!(matches!(
            Seed::from_json(r#"{"invites":[],"x":1}"#),
            Err(ControlError::Invalid { .. })
        ));
        let missing = Seed::from_file("/nonexistent/seed.json").unwrap_err();
        assert!(matches!(missing, ControlError::Read { .. }));
    }
}
