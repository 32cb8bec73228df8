//! Record and replay: secrets never stored, exchanges replayed in order, misses fail loudly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use http::Method;
use openai_invites_mock::{
    Cassette, CassetteError, FakeError, FakeInvites, Fault, RecordLayer, ReplayError,
};
use serde_json::{Value, json};
use tower::{Layer, Service, ServiceExt};

const KEY: &str = "sk-admin-RECORDED-0123456789";
const ORG: &str = "org-SECRETORG42";
const PROJECT: &str = "proj_SECRETPROJ42";
const INVITES: &str = "/v1/organization/invites";

/// A request as the client's stack hands it to its transport: credentials on, plus a cookie
/// and the key in a header nobody expects.
fn request(method: Method, uri: &str, body: Option<Value>) -> http::Request<Bytes> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("http://127.0.0.1:9{uri}"))
        .header("authorization", format!("Bearer {KEY}"))
        .header("openai-organization", ORG)
        .header("openai-project", PROJECT)
        .header("cookie", "session=COOKIESECRET99")
        .header("x-api-key", KEY)
        .header("accept", "application/json");
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    builder
        .body(body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string())))
        .unwrap()
}

fn json_of(response: &http::Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("openai-invites-{name}-{}.json", std::process::id()))
}

#[tokio::test]
async fn records_without_secrets_and_replays_in_order() {
    let fake = FakeInvites::builder().admin_key(KEY).build();
    let cassette = Cassette::new();
    let mut recording = RecordLayer::new(&cassette).layer(fake.service());
    let mut live = Vec::new();
    // The same list twice, with a create in between: replay must give both answers in order.
    for (method, uri, body) in [
        (Method::GET, format!("{INVITES}?limit=5"), None),
        (
            Method::POST,
            INVITES.to_owned(),
            Some(json!({"email": "ana@example.com", "role": "reader", "note": KEY})),
        ),
        (Method::GET, format!("{INVITES}?limit=5"), None),
    ] {
        let response = recording
            .ready()
            .await
            .unwrap()
            .call(request(method, &uri, body))
            .await
            .unwrap();
        live.push(response);
    }
    assert_eq!(cassette.len(), 3);

    let path = temp_path("cassette-secrets");
    cassette.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    for secret in [
        KEY,
        ORG,
        PROJECT,
        "COOKIESECRET99",
        "authorization",
        "cookie",
        "x-api-key",
    ] {
        assert!(
            !text.to_lowercase().contains(&secret.to_lowercase()),
            "{secret} in {text}"
        );
    }
    let file: Value = serde_json::from_str(&text).unwrap();
    let first = &file["exchanges"][0];
    assert_eq!(first["request"]["path"], INVITES);
    assert_eq!(first["request"]["query"], "limit=5");
    assert_eq!(
        first["request"]["headers"],
        json!({"accept": "application/json"})
    );
    assert!(first["response"]["headers"]["x-request-id"].is_string());
    assert_eq!(
        file["exchanges"][1]["request"]["json"]["note"], "[redacted]",
        "the key inside a body is scrubbed"
    );

    let mut replayer = Cassette::from_json(&text).unwrap().replayer();
    let empty = replayer
        .call(request(Method::GET, &format!("{INVITES}?limit=5"), None))
        .await
        .unwrap();
    assert_eq!(json_of(&empty), json_of(&live[0]));
    assert!(json_of(&empty)["data"].as_array().unwrap().is_empty());
    // The body matches as JSON (other key order, other spacing), the key in it scrubbed the
    // same way as when recording.
    let body = format!(r#"{{ "note": "{KEY}", "role": "reader",  "email": "ana@example.com" }}"#);
    let mut create = request(Method::POST, INVITES, None);
    *create.body_mut() = Bytes::from(body);
    let created = replayer.call(create).await.unwrap();
    assert_eq!(created.status(), 200);
    assert_eq!(json_of(&created), json_of(&live[1]));
    assert_eq!(
        created.headers()["x-request-id"],
        live[1].headers()["x-request-id"]
    );
    let listed = replayer
        .call(request(Method::GET, &format!("{INVITES}?limit=5"), None))
        .await
        .unwrap();
    assert_eq!(json_of(&listed)["data"][0]["email"], "ana@example.com");
}

#[tokio::test]
async fn a_miss_fails_loudly_and_never_leaks_the_key() {
    let fake = FakeInvites::builder().admin_key(KEY).build();
    let cassette = Cassette::new();
    RecordLayer::new(&cassette)
        .layer(fake.service())
        .oneshot(request(
            Method::GET,
            &format!("{INVITES}?limit=2&after=x"),
            None,
        ))
        .await
        .unwrap();
    let replayer = cassette.replayer();

    // The query matches in any order.
    let reordered = request(Method::GET, &format!("{INVITES}?after=x&limit=2"), None);
    assert_eq!(
        replayer.clone().oneshot(reordered).await.unwrap().status(),
        400
    );

    let other = request(Method::GET, &format!("{INVITES}?limit=3&key={KEY}"), None);
    let miss = replayer.clone().oneshot(other).await.unwrap_err();
    let ReplayError::Miss {
        held, same_route, ..
    } = &miss
    else {
        panic!("{miss:?}")
    };
    assert_eq!((*held, same_route.len()), (1, 1));
    let message = miss.to_string();
    assert!(
        message.contains("GET /v1/organization/invites?limit=3"),
        "{message}"
    );
    assert!(
        message.contains("limit=2&after=x"),
        "names what it holds: {message}"
    );
    assert!(!message.contains(KEY), "{message}");

    let again = request(Method::GET, &format!("{INVITES}?limit=2&after=x"), None);
    let exhausted = replayer.clone().oneshot(again).await.unwrap_err();
    assert!(
        matches!(exhausted, ReplayError::Exhausted { times: 1, .. }),
        "{exhausted:?}"
    );
    assert_eq!(cassette.unplayed(), 0);
    cassette.rewind();
    assert_eq!(cassette.unplayed(), 1);
}

#[tokio::test]
async fn masked_emails_still_match_on_replay() {
    let fake = FakeInvites::builder().admin_key(KEY).build();
    let cassette = Cassette::new();
    let create = || {
        request(
            Method::POST,
            INVITES,
            Some(json!({"email": "Ana.Real@Example.com", "role": "owner"})),
        )
    };
    let recording = RecordLayer::new(&cassette)
        .mask_emails()
        .layer(fake.service());
    recording.clone().oneshot(create()).await.unwrap();
    // The duplicate answer echoes the address in its message: masked too.
    let duplicate = recording.oneshot(create()).await.unwrap();
    assert_eq!(duplicate.status(), 409);
    let text = cassette.to_json();
    assert!(!text.to_lowercase().contains("ana.real"), "{text}");
    assert!(text.contains("@example.invalid"), "{text}");
    assert!(text.contains(r#""emails_masked": true"#), "{text}");

    let replayer = Cassette::from_json(&text).unwrap().replayer();
    let first = replayer.clone().oneshot(create()).await.unwrap();
    assert_eq!(first.status(), 200);
    assert!(
        json_of(&first)["email"]
            .as_str()
            .unwrap()
            .ends_with("@example.invalid")
    );
    assert_eq!(replayer.oneshot(create()).await.unwrap().status(), 409);
}

#[tokio::test]
async fn transport_failures_are_recorded_and_replayed_as_failures() {
    let fake = FakeInvites::builder().admin_key(KEY).build();
    fake.push_fault(Fault::drop_connection());
    let cassette = Cassette::new();
    let recorded = RecordLayer::new(&cassette)
        .layer(fake.service())
        .oneshot(request(Method::GET, INVITES, None))
        .await
        .unwrap_err();
    assert_eq!(recorded, FakeError::ConnectionDropped);
    let replayed = cassette
        .replayer()
        .oneshot(request(Method::GET, INVITES, None))
        .await
        .unwrap_err();
    let ReplayError::Recorded { message, .. } = replayed else {
        panic!("{replayed:?}")
    };
    assert!(message.contains("dropped the connection"), "{message}");
}

#[test]
fn files_that_are_not_cassettes_are_refused() {
    for text in [
        "",
        "{}",
        r#"{"format": "openai-invites-cassette", "version": 2, "exchanges": []}"#,
        r#"{"format": "vcr", "version": 1, "exchanges": []}"#,
        r#"{"format": "openai-invites-cassette", "version": 1, "exchanges": [], "extra": 1}"#,
    ] {
        assert!(
            matches!(Cassette::from_json(text), Err(CassetteError::Format(_))),
            "{text}"
        );
    }
    let missing = Cassette::load("/nonexistent/cassette.json").unwrap_err();
    assert!(matches!(missing, CassetteError::Io { .. }));
    let empty = Cassette::from_json(
        r#"{"format": "openai-invites-cassette", "version": 1, "exchanges": []}"#,
    )
    .unwrap();
    assert!(empty.is_empty());
}
