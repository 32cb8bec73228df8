//! `Invite`: an invitation to the organization as the service reports it.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::object;
use super::{InviteProject, InviteRole, InviteStatus};

/// An invitation to join the organization.
///
/// Decoding is tolerant of how the service and its spec drift apart: `created_at` is also read
/// from its legacy name `invited_at`, `expires_at` / `accepted_at` may be null or absent,
/// an absent `projects` means none, unknown enum values are kept, unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The invite's id, e.g. `invite-abc`.
    pub id: String,
    /// The address the invite was sent to.
    pub email: String,
    /// The organization role granted on acceptance.
    pub role: InviteRole,
    /// Where the invite stands.
    pub status: InviteStatus,
    /// When the invite was sent (unix seconds).
    pub created_at: i64,
    /// When the invite expires (unix seconds), if the service says.
    pub expires_at: Option<i64>,
    /// When the invite was accepted (unix seconds), if it was.
    pub accepted_at: Option<i64>,
    /// Projects the person joins on acceptance.
    pub projects: Vec<InviteProject>,
}

impl Serialize for Invite {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Invite", 9)?;
        s.serialize_field("object", object::INVITE)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("email", &self.email)?;
        s.serialize_field("role", &self.role)?;
        s.serialize_field("status", &self.status)?;
        s.serialize_field("created_at", &self.created_at)?;
        s.serialize_field("expires_at", &self.expires_at)?;
        s.serialize_field("accepted_at", &self.accepted_at)?;
        s.serialize_field("projects", &self.projects)?;
        s.end()
    }
}

/// The wire shape, as loose as the drift requires.
#[derive(Deserialize)]
struct InviteWire {
    #[serde(default)]
    object: Option<String>,
    id: String,
    email: String,
    role: InviteRole,
    status: InviteStatus,
    #[serde(default)]
    created_at: Option<i64>,
    #[serde(default)]
    invited_at: Option<i64>,
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    accepted_at: Option<i64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    projects: Vec<InviteProject>,
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<InviteProject>, D::Error> {
    Ok(Option::<Vec<InviteProject>>::deserialize(d)?.unwrap_or_default())
}

impl<'de> Deserialize<'de> for Invite {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let wire = InviteWire::deserialize(deserializer)?;
        object::check(object::INVITE, wire.object.as_deref()).map_err(D::Error::custom)?;
        let created_at = wire
            .created_at
            .or(wire.invited_at)
            .ok_or_else(|| D::Error::missing_field("created_at"))?;
        Ok(Invite {
            id: wire.id,
            email: wire.email,
            role: wire.role,
            status: wire.status,
            created_at,
            expires_at: wire.expires_at,
            accepted_at: wire.accepted_at,
            projects: wire.projects,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_legacy_invited_at() {
        let invite: Invite = serde_json::from_str(
            r#"{"id":"invite-1","email":"a@b.c","role":"reader","status":"pending","invited_at":7}"#,
        )
        .unwrap();
        assert_eq!(invite.created_at, 7);
        assert!(invite.projects.is_empty());
        assert_eq!(invite.expires_at, None);
    }

    #[test]
    fn created_at_wins_over_invited_at() {
        let invite: Invite = serde_json::from_str(
            r#"{"id":"i","email":"e","role":"owner","status":"accepted","created_at":1,"invited_at":2}"#,
        )
        .unwrap();
        assert_eq!(invite.created_at, 1);
    }

    #[test]
    fn missing_timestamp_is_an_error() {
        let err = serde_json::from_str::<Invite>(
            r#"{"id":"i","email":"e","role":"owner","status":"accepted"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("created_at"), "{err}");
    }

    #[test]
    fn wrong_object_is_an_error() {
        let err = serde_json::from_str::<Invite>(
            r#"{"object":"list","id":"i","email":"e","role":"owner","status":"accepted","created_at":1}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("right endpoint"), "{err}");
    }

    #[test]
    fn serializes_with_object_and_nulls() {
        let invite = Invite {
            id: "invite-1".into(),
            email: "a@b.c".into(),
            role: InviteRole::Reader,
            status: InviteStatus::Pending,
            created_at: 5,
            expires_at: None,
            accepted_at: None,
            projects: vec![],
        };
        assert_eq!(
            serde_json::to_string(&invite).unwrap(),
            r#"{"object":"organization.invite","id":"invite-1","email":"a@b.c","role":"reader","status":"pending","created_at":5,"expires_at":null,"accepted_at":null,"projects":[]}"#
        );
    }
}
