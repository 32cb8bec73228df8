//! `InviteListResponse`: one page of `GET /organization/invites`.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Invite, object};

/// One page of invites, with the cursor facts needed to fetch the next.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InviteListResponse {
    /// The invites on this page.
    pub data: Vec<Invite>,
    /// Id of the first invite on the page (`None` on an empty page).
    pub first_id: Option<String>,
    /// Id of the last invite on the page: the `after` cursor for the next page.
    pub last_id: Option<String>,
    /// Whether more invites follow (absent in older versions: read as `false`).
    pub has_more: bool,
}

impl InviteListResponse {
    /// The cursor for the next page, or `None` when this is the last page.
    ///
    /// As the official SDKs page: stop when `has_more` is not true, when `data` is empty, or when
    /// `last_id` is null or empty.
    pub fn next_cursor(&self) -> Option<&str> {
        match self.last_id.as_deref() {
            Some(last) if self.has_more && !self.data.is_empty() && !last.is_empty() => Some(last),
            _ => None,
        }
    }
}

impl Serialize for InviteListResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("InviteListResponse", 5)?;
        s.serialize_field("object", object::LIST)?;
        s.serialize_field("data", &self.data)?;
        s.serialize_field("first_id", &self.first_id)?;
        s.serialize_field("last_id", &self.last_id)?;
        s.serialize_field("has_more", &self.has_more)?;
        s.end()
    }
}

#[derive(Deserialize)]
struct ListWire {
    #[serde(default)]
    object: Option<String>,
    #[serde(default)]
    data: Option<Vec<Invite>>,
    #[serde(default)]
    first_id: Option<String>,
    #[serde(default)]
    last_id: Option<String>,
    #[serde(default)]
    has_more: Option<bool>,
}

impl<'de> Deserialize<'de> for InviteListResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let wire = ListWire::deserialize(deserializer)?;
        object::check(object::LIST, wire.object.as_deref()).map_err(D::Error::custom)?;
        Ok(InviteListResponse {
            data: wire.data.ok_or_else(|| D::Error::missing_field("data"))?,
            first_id: wire.first_id,
            last_id: wire.last_id,
            has_more: wire.has_more.unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json: &str) -> InviteListResponse {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn absent_has_more_means_last_page() {
        let p = page(r#"{"object":"list","data":[],"first_id":null,"last_id":null}"#);
        assert!(!p.has_more);
        assert_eq!(p.next_cursor(), None);
    }

    #[test]
    fn next_cursor_needs_has_more_data_and_last_id() {
        let invite =
            r#"{"id":"invite-1","email":"e","role":"owner","status":"pending","created_at":1}"#;
        let more = page(&format!(
            r#"{{"data":[{invite}],"first_id":"invite-1","last_id":"invite-1","has_more":true}}"#
        ));
        assert_eq!(more.next_cursor(), Some("invite-1"));
        let empty_cursor = page(&format!(
            r#"{{"data":[{invite}],"last_id":"","has_more":true}}"#
        ));
        assert_eq!(empty_cursor.next_cursor(), None);
        let no_data = page(r#"{"data":[],"last_id":"invite-1","has_more":true}"#);
        assert_eq!(no_data.next_cursor(), None);
    }

    #[test]
    fn an_invite_body_is_not_a_list() {
        let err = serde_json::from_str::<InviteListResponse>(
            r#"{"object":"organization.invite","data":[]}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("right endpoint"));
    }
}
