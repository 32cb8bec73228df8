//! The cassette file: recorded exchanges as JSON, and how a request is matched to one.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::scrub::{CREDENTIAL_HEADERS, Credentials, mask_emails};

/// The `format` field every cassette file carries.
pub(crate) const FORMAT: &str = "openai-invites-cassette";
/// The `version` this crate writes and reads.
pub(crate) const VERSION: u32 = 1;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Tape {
    pub(crate) format: String,
    pub(crate) version: u32,
    /// Whether emails were masked when recording (replay then masks requests the same way).
    #[serde(default)]
    pub(crate) emails_masked: bool,
    pub(crate) exchanges: Vec<Exchange>,
    /// Which exchanges were replayed already (not stored).
    #[serde(skip)]
    pub(crate) replayed: Vec<bool>,
}

impl Default for Tape {
    fn default() -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            emails_masked: false,
            exchanges: Vec::new(),
            replayed: Vec::new(),
        }
    }
}

/// One request and what came back: a response, or the transport's error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Exchange {
    pub(crate) request: Sent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response: Option<Answer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
}

/// A request as kept: path and query only (the host differs between recording and replay).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Sent {
    pub(crate) method: String,
    pub(crate) path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) query: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) headers: BTreeMap<String, String>,
    /// The body, when it is JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) json: Option<Value>,
    /// The body, when it is not JSON (as text, invalid UTF-8 replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
}

/// A response as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) json: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
}

/// How a recorder (or a replayer, to match) turns live traffic into what a cassette keeps.
#[derive(Debug, Clone)]
pub(crate) struct Cleaner {
    pub(crate) credentials: Credentials,
    pub(crate) mask_emails: bool,
    pub(crate) allowed: Vec<String>,
}

impl Cleaner {
    pub(crate) fn text(&self, text: &str) -> String {
        let scrubbed = self.credentials.scrub(text);
        if self.mask_emails {
            mask_emails(&scrubbed).into_owned()
        } else {
            scrubbed.into_owned()
        }
    }

    fn headers(&self, headers: &HeaderMap) -> BTreeMap<String, String> {
        let mut kept = BTreeMap::new();
        for (name, value) in headers {
            let name = name.as_str();
            if CREDENTIAL_HEADERS.contains(&name) || !self.allowed.iter().any(|a| a == name) {
                continue;
            }
            let value = self.text(&String::from_utf8_lossy(value.as_bytes()));
            kept.entry(name.to_owned())
                .and_modify(|v: &mut String| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        kept
    }

    /// `(json, text)`: JSON bodies are kept as JSON with every string cleaned.
    fn body(&self, body: &[u8]) -> (Option<Value>, Option<String>) {
        if body.is_empty() {
            return (None, None);
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(mut value) => {
                self.clean_json(&mut value);
                (Some(value), None)
            }
            Err(_) => (None, Some(self.text(&String::from_utf8_lossy(body)))),
        }
    }

    fn clean_json(&self, value: &mut Value) {
        match value {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.clean_json(v)),
            Value::Object(fields) => fields.values_mut().for_each(|v| self.clean_json(v)),
            _ => {}
        }
    }

    pub(crate) fn sent(&self, request: &http::Request<Bytes>) -> Sent {
        let (json, text) = self.body(request.body());
        Sent {
            method: request.method().as_str().to_owned(),
            path: self.text(request.uri().path()),
            query: request.uri().query().map(|q| self.text(q)),
            headers: self.headers(request.headers()),
            json,
            text,
        }
    }

    pub(crate) fn answer(&self, response: &http::Response<Bytes>) -> Answer {
        let (json, text) = self.body(response.body());
        Answer {
            status: response.status().as_u16(),
            headers: self.headers(response.headers()),
            json,
            text,
        }
    }
}

impl Sent {
    /// Whether a live request (cleaned the same way) is this one: method, path, query (in any
    /// order) and body (JSON compared as values, so key order and spacing do not matter).
    pub(crate) fn matches(&self, live: &Sent) -> bool {
        self.method == live.method
            && self.path == live.path
            && query_pairs(self.query.as_deref()) == query_pairs(live.query.as_deref())
            && self.json == live.json
            && self.text == live.text
    }

    /// `POST /v1/organization/invites {"email":…}`, bounded, for error messages.
    pub(crate) fn describe(&self) -> String {
        let mut out = format!("{} {}", self.method, self.path);
        if let Some(query) = &self.query {
            out.push('?');
            out.push_str(query);
        }
        let body = match (&self.json, &self.text) {
            (Some(json), _) => json.to_string(),
            (None, Some(text)) => text.clone(),
            (None, None) => String::new(),
        };
        if !body.is_empty() {
            out.push(' ');
            out.extend(body.chars().take(200));
            if body.chars().count() > 200 {
                out.push('…');
            }
        }
        out
    }
}

impl Answer {
    pub(crate) fn to_response(&self) -> Result<http::Response<Bytes>, String> {
        let body = match (&self.json, &self.text) {
            (Some(json), _) => Bytes::from(json.to_string()),
            (None, Some(text)) => Bytes::from(text.clone()),
            (None, None) => Bytes::new(),
        };
        let mut builder = http::Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder.body(body).map_err(|e| e.to_string())
    }
}

fn query_pairs(query: Option<&str>) -> Vec<(&str, &str)> {
    let mut pairs: Vec<(&str, &str)> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    pairs.sort_unstable();
    pairs
}
