//! Checks a `POST /organization/invites` body the way the spec describes it.
//!
//! Each refusal is a 400 whose `param` names the field (`email`, `role`, `projects`,
//! `projects[1].role`), so a client's tests can assert which field the service objected to.

use bytes::Bytes;
use http::{HeaderMap, header};
use openai_invites_core::{InviteRequest, is_plausible_email};
use serde_json::{Map, Value};

use crate::envelope::Failure;

/// The real service's message for a body that is not JSON.
const NOT_JSON: &str = "We could not parse the JSON body of your request. (HINT: This likely \
    means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, \
    but what was sent was not valid JSON.)";

/// Parses and validates the body into the core model; `projects: null` reads as absent.
pub(crate) fn invite_request(headers: &HeaderMap, body: &Bytes) -> Result<InviteRequest, Failure> {
    check_content_type(headers)?;
    let value: Value = serde_json::from_slice(body).map_err(|_| Failure::invalid_json())?;
    let Value::Object(mut fields) = value else {
        return Err(Failure::invalid_json_shape());
    };
    check_email(&fields)?;
    check_role(&fields)?;
    if fields.get("projects").is_some_and(Value::is_null) {
        fields.remove("projects");
    }
    check_projects(&fields)?;
    // Every field was checked above, so the core model accepts the object.
    serde_json::from_value(Value::Object(fields))
        .map_err(|e| Failure::invalid_json_with(e.to_string()))
}

impl Failure {
    fn invalid_json() -> Self {
        Failure::new(
            http::StatusCode::BAD_REQUEST,
            crate::envelope::INVALID_REQUEST,
            NOT_JSON,
        )
    }

    fn invalid_json_shape() -> Self {
        Failure::new(
            http::StatusCode::BAD_REQUEST,
            crate::envelope::INVALID_REQUEST,
            "The request body must be a JSON object.",
        )
    }

    fn invalid_json_with(detail: String) -> Self {
        Failure::new(
            http::StatusCode::BAD_REQUEST,
            crate::envelope::INVALID_REQUEST,
            format!("Invalid request body: {detail}"),
        )
    }
}

/// An absent `Content-Type` is tolerated; one that is present must be `application/json`.
fn check_content_type(headers: &HeaderMap) -> Result<(), Failure> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" {
        Ok(())
    } else {
        Err(Failure::new(
            http::StatusCode::BAD_REQUEST,
            crate::envelope::INVALID_REQUEST,
            format!(
                "Invalid Content-Type header ({}), expected application/json.",
                String::from_utf8_lossy(value.as_bytes())
            ),
        ))
    }
}

fn check_email(fields: &Map<String, Value>) -> Result<(), Failure> {
    match fields.get("email") {
        None | Some(Value::Null) => {
            Err(Failure::invalid("email", "'email' is a required property."))
        }
        Some(Value::String(email)) if is_plausible_email(email) => Ok(()),
        Some(Value::String(email)) => Err(Failure::invalid(
            "email",
            format!("'{email}' is not a valid email address."),
        )),
        Some(_) => Err(Failure::invalid("email", "'email' must be a string.")),
    }
}

fn check_role(fields: &Map<String, Value>) -> Result<(), Failure> {
    match fields.get("role") {
        None | Some(Value::Null) => Err(Failure::invalid("role", "'role' is a required property.")),
        Some(Value::String(role)) if role == "owner" || role == "reader" => Ok(()),
        Some(other) => Err(Failure::invalid(
            "role",
            format!(
                "Invalid value {other} for 'role'. Supported values are: 'reader' and 'owner'."
            ),
        )),
    }
}

fn check_projects(fields: &Map<String, Value>) -> Result<(), Failure> {
    let Some(projects) = fields.get("projects") else {
        return Ok(());
    };
    let Value::Array(items) = projects else {
        return Err(Failure::invalid("projects", "'projects' must be an array."));
    };
    for (n, item) in items.iter().enumerate() {
        let Value::Object(project) = item else {
            return Err(Failure::invalid(
                format!("projects[{n}]"),
                "Each project must be an object.",
            ));
        };
        match project.get("id") {
            Some(Value::String(id)) if !id.is_empty() => {}
            _ => {
                return Err(Failure::invalid(
                    format!("projects[{n}].id"),
                    "'id' is required and must be a non-empty string.",
                ));
            }
        }
        match project.get("role") {
            Some(Value::String(role)) if role == "member" || role == "owner" => {}
            other => {
                let shown = other.map_or_else(|| "nothing".to_owned(), Value::to_string);
                return Err(Failure::invalid(
                    format!("projects[{n}].role"),
                    format!(
                        "Invalid value {shown} for 'role'. Supported values are: 'member' and 'owner'."
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use openai_invites_core::{InviteRole, ProjectRole};

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        h
    }

    fn parse(body: &str) -> Result<InviteRequest, Failure> {
        invite_request(&json_headers(), &Bytes::from(body.to_owned()))
    }

    #[test]
    fn accepts_the_three_project_states() {
        let absent = parse(r#"{"email":"a@b.co","role":"reader"}"#).unwrap();
        assert_eq!(absent.projects, None);
        let null = parse(r#"{"email":"a@b.co","role":"reader","projects":null}"#).unwrap();
        assert_eq!(null.projects, None);
        let empty = parse(r#"{"email":"a@b.co","role":"owner","projects":[]}"#).unwrap();
        assert_eq!(empty.projects, Some(vec![]));
        let one = parse(
            r#"{"email":"a@b.co","role":"owner","projects":[{"id":"p","role":"owner"}],"x":1}"#,
        )
        .unwrap();
        assert_eq!(one.role, InviteRole::Owner);
        assert_eq!(one.projects.unwrap()[0].role, ProjectRole::Owner);
    }

    #[test]
    fn names_the_offending_param() {
        for (body, param) in [
            (r#"{"role":"reader"}"#, Some("email")),
            (r#"{"email":7,"role":"reader"}"#, Some("email")),
            (r#"{"email":"ana","role":"reader"}"#, Some("email")),
            (r#"{"email":"a b@c.d","role":"reader"}"#, Some("email")),
            (r#"{"email":"a@localhost","role":"reader"}"#, Some("email")),
            (r#"{"email":"a@b.co"}"#, Some("role")),
            (r#"{"email":"a@b.co","role":"admin"}"#, Some("role")),
            (
                r#"{"email":"a@b.co","role":"reader","projects":{}}"#,
                Some("projects"),
            ),
            (
                r#"{"email":"a@b.co","role":"reader","projects":[1]}"#,
                Some("projects[0]"),
            ),
            (
                r#"{"email":"a@b.co","role":"reader","projects":[{"role":"member"}]}"#,
                Some("projects[0].id"),
            ),
            (
                r#"{"email":"a@b.co","role":"reader","projects":[{"id":"p","role":"member"},{"id":"q","role":"admin"}]}"#,
                Some("projects[1].role"),
            ),
            ("[]", None),
            ("{\"email\":", None),
            ("", None),
        ] {
            let err = parse(body).unwrap_err();
            assert_eq!(err.status, 400, "{body}");
            assert_eq!(err.body.param.as_deref(), param, "{body}");
        }
    }

    #[test]
    fn content_type() {
        let body = Bytes::from_static(br#"{"email":"a@b.co","role":"reader"}"#);
        assert!(invite_request(&HeaderMap::new(), &body).is_ok());
        let mut form = HeaderMap::new();
        form.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let err = invite_request(&form, &body).unwrap_err();
        assert!(err.body.message.contains("Content-Type"));
    }
}
