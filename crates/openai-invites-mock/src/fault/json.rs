//! Faults written as JSON, for `POST /__fake/faults` and tests in any language.

use std::time::Duration;

use http::{HeaderName, HeaderValue, Method, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Action, Fault, Match};
use crate::control_error::ControlError;

/// The JSON shape; every field is optional, unknown fields are refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultJson {
    kind: Option<String>,
    status: Option<u16>,
    headers: Option<Map<String, Value>>,
    body: Option<String>,
    json: Option<Value>,
    bytes: Option<usize>,
    delay_ms: Option<u64>,
    times: Option<usize>,
    apply_first: Option<bool>,
    operation: Option<String>,
    method: Option<String>,
    path: Option<String>,
}

impl Fault {
    /// A fault from its JSON form, as `POST /__fake/faults` takes it:
    ///
    /// | field | meaning |
    /// |---|---|
    /// | `kind` | `status` (implied by `status`), `delay` (implied by `delay_ms` alone: a normal answer, late), `drop_connection`, `truncated_body`, `malformed_json`, `oversized_body` |
    /// | `status` | the status of a `status` fault (100..=999); with no body, an error envelope fitting it |
    /// | `headers` | response headers, `{"name": "value"}` (a list of strings repeats a header) |
    /// | `body` / `json` | the body of a `status` fault, as text or as JSON |
    /// | `bytes` | the size of an `oversized_body` |
    /// | `delay_ms` | wait this long first (any kind) |
    /// | `times` | fire for the next N matching requests (default 1, at least 1) |
    /// | `apply_first` | let the store see the request first (default `false`) |
    /// | `operation` | match only this operation, by its name in [`OPERATIONS`](openai_invites_core::ops::OPERATIONS) (`listInvites`, `inviteUser`, `retrieveInvite`, `deleteInvite`); another name is refused |
    /// | `method` + `path` | match only this method and path or template (see [`Match::Route`]) |
    ///
    /// ```
    /// use openai_invites_core::{ListInvites, Operation};
    /// use openai_invites_mock::{Fault, Match};
    /// use serde_json::json;
    ///
    /// let fault = Fault::from_json(&json!({
    ///     "status": 503, "headers": {"retry-after": "1"}, "times": 2, "operation": "listInvites"
    /// }))?;
    /// assert_eq!(fault, Fault::status(503).header("retry-after", "1").times(2)
    ///     .matching(Match::Operation(ListInvites::META)));
    /// let ambiguous = Fault::from_json(&json!({"kind": "drop_connection", "apply_first": true}))?;
    /// assert_eq!(ambiguous, Fault::drop_connection().apply_first());
    /// assert!(Fault::from_json(&json!({"status": 503, "tims": 2})).is_err()); // typo: refused
    /// assert!(Fault::from_json(&json!({"status": 503, "operation": "list_invites"})).is_err());
    /// # Ok::<(), openai_invites_mock::ControlError>(())
    /// ```
    pub fn from_json(value: &Value) -> Result<Fault, ControlError> {
        let spec = FaultJson::deserialize(value).map_err(|e| ControlError::json(&e))?;
        let kind = match (&spec.kind, spec.status, spec.delay_ms) {
            (Some(kind), _, _) => kind.as_str(),
            (None, Some(_), _) => "status",
            (None, None, Some(_)) => "delay",
            (None, None, None) => {
                return Err(ControlError::invalid(
                    "kind",
                    "a fault needs a `kind` or a `status`",
                ));
            }
        };
        if kind != "status" && (spec.status.is_some() || spec.body.is_some() || spec.json.is_some())
        {
            return Err(ControlError::invalid(
                "kind",
                format!("`status`, `body` and `json` belong to a `status` fault, not `{kind}`"),
            ));
        }
        if kind != "oversized_body" && spec.bytes.is_some() {
            return Err(ControlError::invalid("bytes", "only for `oversized_body`"));
        }
        let mut fault = match kind {
            "status" => status_fault(&spec)?,
            "delay" => match spec.delay_ms {
                Some(_) => Fault::delay(Duration::ZERO),
                None => return Err(ControlError::invalid("delay_ms", "a `delay` needs it")),
            },
            "drop_connection" => Fault::drop_connection(),
            "truncated_body" => Fault::truncated_body(),
            "malformed_json" => Fault::malformed_json(),
            "oversized_body" => match spec.bytes {
                Some(bytes) => Fault::oversized_body(bytes),
                None => {
                    return Err(ControlError::invalid(
                        "bytes",
                        "an `oversized_body` needs it",
                    ));
                }
            },
            other => {
                return Err(ControlError::invalid(
                    "kind",
                    format!(
                        "unknown kind `{other}`; one of status, delay, drop_connection, \
                         truncated_body, malformed_json, oversized_body"
                    ),
                ));
            }
        };
        for (name, value) in header_pairs(spec.headers.as_ref())? {
            fault.headers.push((name, value));
        }
        if let Some(ms) = spec.delay_ms {
            fault = fault.after_delay(Duration::from_millis(ms));
        }
        match spec.times {
            Some(0) => return Err(ControlError::invalid("times", "must be at least 1")),
            Some(n) => fault = fault.times(n),
            None => {}
        }
        if spec.apply_first == Some(true) {
            fault = fault.apply_first();
        }
        Ok(fault.matching(matcher(&spec)?))
    }

    /// The fault in the JSON form [`from_json`](Self::from_json) reads; `times` is what is
    /// left of it.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        let kind = match &self.action {
            Action::Status(status) => {
                out.insert("status".into(), json!(status.as_u16()));
                if let Some(body) = &self.body {
                    out.insert("body".into(), json!(String::from_utf8_lossy(body)));
                }
                "status"
            }
            Action::Normal => "delay",
            Action::Drop => "drop_connection",
            Action::Truncated => "truncated_body",
            Action::Malformed => "malformed_json",
            Action::Oversized(bytes) => {
                out.insert("bytes".into(), json!(bytes));
                "oversized_body"
            }
        };
        out.insert("kind".into(), json!(kind));
        if !self.headers.is_empty() {
            let mut headers = Map::new();
            for (name, value) in &self.headers {
                let text = json!(String::from_utf8_lossy(value.as_bytes()));
                match headers.get_mut(name.as_str()) {
                    Some(Value::Array(list)) => list.push(text),
                    Some(one) => *one = json!([one.clone(), text]),
                    None => {
                        headers.insert(name.as_str().into(), text);
                    }
                }
            }
            out.insert("headers".into(), Value::Object(headers));
        }
        if let Some(delay) = self.delay {
            out.insert("delay_ms".into(), json!(delay.as_millis()));
        }
        out.insert("times".into(), json!(self.times));
        out.insert("apply_first".into(), json!(self.apply_first));
        match &self.matcher {
            Match::Any => {}
            Match::Operation(op) => {
                out.insert("operation".into(), json!(op.name));
            }
            Match::Route(method, path) => {
                out.insert("method".into(), json!(method.as_str()));
                out.insert("path".into(), json!(path));
            }
        }
        Value::Object(out)
    }
}

fn status_fault(spec: &FaultJson) -> Result<Fault, ControlError> {
    let Some(code) = spec.status else {
        return Err(ControlError::invalid("status", "a `status` fault needs it"));
    };
    let status = StatusCode::from_u16(code)
        .map_err(|_| ControlError::invalid("status", format!("{code} is not 100..=999")))?;
    let fault = Fault::status(status);
    match (&spec.body, &spec.json) {
        (Some(_), Some(_)) => Err(ControlError::invalid(
            "body",
            "give `body` or `json`, not both",
        )),
        (Some(body), None) => Ok(fault.body(body.clone())),
        (None, Some(value)) => Ok(fault.json(value.clone())),
        (None, None) => Ok(fault),
    }
}

fn header_pairs(
    headers: Option<&Map<String, Value>>,
) -> Result<Vec<(HeaderName, HeaderValue)>, ControlError> {
    let mut pairs = Vec::new();
    for (name, value) in headers.into_iter().flatten() {
        let field = format!("headers.{name}");
        let parsed = HeaderName::try_from(name.as_str())
            .map_err(|_| ControlError::invalid(&field, "not a header name"))?;
        let values = match value {
            Value::String(one) => vec![one.as_str()],
            Value::Array(list) => list
                .iter()
                .map(|v| v.as_str())
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| ControlError::invalid(&field, "a list of strings only"))?,
            _ => {
                return Err(ControlError::invalid(
                    &field,
                    "a string or a list of strings",
                ));
            }
        };
        for text in values {
            let value = HeaderValue::try_from(text)
                .map_err(|_| ControlError::invalid(&field, "not a header value"))?;
            pairs.push((parsed.clone(), value));
        }
    }
    Ok(pairs)
}

fn matcher(spec: &FaultJson) -> Result<Match, ControlError> {
    match (&spec.operation, &spec.method, &spec.path) {
        (None, None, None) => Ok(Match::Any),
        (Some(name), None, None) => Match::operation(name),
        (None, Some(method), Some(path)) => {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                .map_err(|_| ControlError::invalid("method", "not an HTTP method"))?;
            Ok(Match::route(method, path.clone()))
        }
        (None, _, _) => Err(ControlError::invalid(
            "path",
            "`method` and `path` go together",
        )),
        (Some(_), _, _) => Err(ControlError::invalid(
            "operation",
            "match by `operation` or by `method` and `path`, not both",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use openai_invites_core::{InviteUser, Operation};

    #[test]
    fn every_builder_round_trips() {
        let faults = [
            Fault::status(503),
            Fault::html(502, "<html>down</html>").times(3),
            Fault::rate_limited(1500).matching(Match::Operation(InviteUser::META)),
            Fault::status(500).json(json!({"error": {"message": "x"}})),
            Fault::delay(Duration::from_millis(40)),
            Fault::drop_connection()
                .apply_first()
                .after_delay(Duration::from_millis(5)),
            Fault::truncated_body().matching(Match::route(
                Method::GET,
                "/organization/invites/{invite_id}",
            )),
            Fault::malformed_json(),
            Fault::oversized_body(4096),
            Fault::status(200).header("x-a", "1").header("x-a", "2"),
        ];
        for mut fault in faults {
            let json = fault.to_json();
            let mut back = Fault::from_json(&json).unwrap();
            assert_eq!(back.to_json(), json);
            // JSON objects do not keep the order of different header names; a stable sort
            // keeps the order of a repeated one.
            back.headers
                .sort_by_key(|(name, _)| name.as_str().to_owned());
            fault
                .headers
                .sort_by_key(|(name, _)| name.as_str().to_owned());
            assert_eq!(back, fault, "{json}");
        }
    }

    #[test]
    fn refusals_name_the_field() {
        for (input, field) in [
            (json!({}), "kind"),
            (json!({"kind": "explode"}), "kind"),
            (json!({"kind": "drop_connection", "status": 500}), "kind"),
            (json!({"kind": "status"}), "status"),
            (json!({"status": 1000}), "status"),
            (json!({"status": 500, "body": "a", "json": {}}), "body"),
            (json!({"kind": "oversized_body"}), "bytes"),
            (json!({"kind": "malformed_json", "bytes": 3}), "bytes"),
            (json!({"kind": "delay"}), "delay_ms"),
            (json!({"status": 500, "times": 0}), "times"),
            (
                json!({"status": 500, "operation": "listUsers"}),
                "operation",
            ),
            (json!({"status": 500, "method": "GET"}), "path"),
            (
                json!({"status": 500, "operation": "inviteUser", "path": "/x"}),
                "operation",
            ),
            (
                json!({"status": 500, "method": "G T", "path": "/x"}),
                "method",
            ),
            (
                json!({"status": 500, "headers": {"bad name": "x"}}),
                "headers.bad name",
            ),
            (
                json!({"status": 500, "headers": {"x-a": "a\nb"}}),
                "headers.x-a",
            ),
            (json!({"status": 500, "headers": {"x-a": 5}}), "headers.x-a"),
        ] {
            match Fault::from_json(&input) {
                Err(ControlError::Invalid { field: f, .. }) => assert_eq!(f, field, "{input}"),
                other => panic!("{input}: {other:?}"),
            }
        }
        assert!(matches!(
            Fault::from_json(&json!({"status": "503"})),
            Err(ControlError::Json(_))
        ));
        assert!(matches!(
            Fault::from_json(&json!([1])),
            Err(ControlError::Json(_))
        ));
    }
}
