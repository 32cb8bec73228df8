//! `InviteDeleteResponse`: the body of `DELETE /organization/invites/{invite_id}`.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::object;

/// Confirmation that an invite was deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteDeleteResponse {
    /// The deleted invite's id.
    pub id: String,
    /// Whether the service deleted it.
    pub deleted: bool,
}

impl Serialize for InviteDeleteResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("InviteDeleteResponse", 3)?;
        s.serialize_field("object", object::INVITE_DELETED)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("deleted", &self.deleted)?;
        s.end()
    }
}

#[derive(Deserialize)]
struct DeleteWire {
    #[serde(default)]
    object: Option<String>,
    id: String,
    deleted: bool,
}

impl<'de> Deserialize<'de> for InviteDeleteResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let wire = DeleteWire::deserialize(deserializer)?;
        object::check(object::INVITE_DELETED, wire.object.as_deref()).map_err(D::Error::custom)?;
        Ok(InviteDeleteResponse {
            id: wire.id,
            deleted: wire.deleted,
        })
    }
}
