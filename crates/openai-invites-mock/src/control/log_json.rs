//! The request log as JSON, for `GET /__fake/requests`.

use http::HeaderMap;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use crate::fake::{Inner, lock};
use crate::log::RecordedRequest;

/// `{"object": "list", "total", "kept", "bytes", "data": [entry, ...]}`, oldest first.
pub(crate) fn log(inner: &Inner) -> Value {
    let log = lock(&inner.log);
    let entries = log.snapshot();
    json!({
        "object": "list",
        "total": log.total(),
        "kept": entries.len(),
        "bytes": log.bytes(),
        "data": entries.iter().map(|r| entry(r, inner.started)).collect::<Vec<_>>(),
    })
}

/// One entry; credentials and secrets were already redacted when it was recorded.
fn entry(r: &RecordedRequest, started: Instant) -> Value {
    let at = r.at.saturating_duration_since(started);
    json!({
        "method": r.method.as_str(),
        "path": r.path,
        "query": r.query,
        "operation": r.operation,
        "headers": headers(&r.headers),
        "body": String::from_utf8_lossy(&r.body),
        "json": r.json(),
        "body_len": r.body_len,
        "body_truncated": r.body_truncated,
        "fault": r.fault,
        "status": r.status.map(|s| s.as_u16()),
        "at_ms": at.as_millis(),
    })
}

/// `{"name": "value"}`; a repeated header's values joined with `, ` as HTTP allows.
fn headers(map: &HeaderMap) -> Value {
    let mut out = Map::new();
    for name in map.keys() {
        let values: Vec<String> = map
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        out.insert(name.as_str().to_owned(), Value::String(values.join(", ")));
    }
    Value::Object(out)
}
