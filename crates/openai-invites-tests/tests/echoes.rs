//! A server or proxy that echoes the request back never puts the admin key or proxy
//! credentials into an error: not its body, envelope, snippet, `Display` or `Debug`, whole,
//! encoded, partial or cut in half. Refused base URLs never print their userinfo. Hints where
//! users go wrong with keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use bytes::Bytes;
use openai_invites::core::{DecodeError, MAX_BODY_SNIPPET};
use openai_invites::layer::retry::AlreadyInvited;
use openai_invites::{
    BuildError, Client, ErrorKind, InviteRequest, InviteRole, ListInvites, Reconciled,
};
use openai_invites_mock::{FakeInvites, FakeServer, Seed, SeedInvite};
use support::proxy::{ProxyOptions, TestProxy};

const KEY: &str = "sk-admin-ECHOSECRET-0123456789abcdef";
/// What must not appear anywhere: a distinctive part of the key.
const SECRET: &str = "ECHOSECRET";

/// A client whose transport answers `status` with a body made from the request's
/// `Authorization` header by `body`.
fn echoing(status: u16, body: fn(&str) -> String) -> Client {
    let transport = tower::service_fn(move |request: http::Request<Bytes>| {
        let authorization = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let response = http::Response::builder()
            .status(status)
            .header("x-request-id", "req_echo")
            .body(Bytes::from(body(&authorization)))
            .unwrap();
        async move { Ok::<_, std::convert::Infallible>(response) }
    });
    Client::builder()
        .admin_key(KEY)
        .transport(transport)
        .disable_retries()
        .build()
        .unwrap()
}

fn assert_clean(texts: &[String]) {
    for text in texts {
        assert!(!text.contains(SECRET), "leaked: {text}");
    }
}

#[tokio::test]
async fn a_502_that_echoes_the_authorization_line_is_scrubbed() {
    let client = echoing(502, |auth| {
        format!(
            "<html><pre>GET /v1/organization/invites HTTP/1.1\r\nAuthorization: {auth}\r\n</pre></html>"
        )
    });
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    let body = err.api_error().unwrap().body.clone().unwrap();
    assert!(body.contains("Authorization: Bearer [redacted]"), "{body}");
    assert_clean(&[
        body,
        err.to_string(),
        format!("{err:?}"),
        format!("{err:#?}"),
    ]);
}

#[tokio::test]
async fn an_envelope_that_quotes_the_key_is_scrubbed() {
    let client = echoing(401, |auth| {
        let key = auth.trim_start_matches("Bearer ");
        format!(
            r#"{{"error":{{"message":"Incorrect API key provided: {key}.","type":"invalid_request_error","param":"{key}","code":"invalid_api_key"}}}}"#
        )
    });
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(
        api.message(),
        Some("Incorrect API key provided: [redacted].")
    );
    assert_eq!(
        api.error.as_ref().unwrap().param.as_deref(),
        Some("[redacted]")
    );
    assert_clean(&[err.to_string(), format!("{err:?}")]);
    // The key has the admin shape: no hint about the kind of key.
    assert!(!err.to_string().contains("hint"), "{err}");
}

#[tokio::test]
async fn a_200_that_does_not_decode_and_quotes_the_key_is_scrubbed() {
    let client = echoing(200, |auth| format!("not json; you sent {auth}"));
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let decode = err
        .get_ref()
        .unwrap()
        .downcast_ref::<DecodeError>()
        .unwrap();
    assert_eq!(decode.snippet, "not json; you sent Bearer [redacted]");
    assert_clean(&[err.to_string(), format!("{err:?}")]);
    // The request id once, though both the error and its decode error carry it.
    assert_eq!(err.to_string().matches("req_echo").count(), 1, "{err}");
}

#[tokio::test]
async fn a_success_whose_request_id_echoes_the_key_is_scrubbed_in_its_info() {
    let transport = tower::service_fn(|request: http::Request<Bytes>| {
        let authorization = request.headers()["authorization"].clone();
        let response = http::Response::builder()
            .header("x-request-id", authorization)
            .body(Bytes::from_static(
                br#"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#,
            ))
            .unwrap();
        async move { Ok::<_, std::convert::Infallible>(response) }
    });
    let client = Client::builder()
        .admin_key(KEY)
        .transport(transport)
        .build()
        .unwrap();
    let (_, info) = client
        .list_invites(ListInvites::new())
        .with_info()
        .await
        .unwrap();
    assert_eq!(info.request_id(), Some("Bearer [redacted]"));
    assert_clean(&[format!("{info:?}")]);
}

#[tokio::test]
async fn encoded_bare_and_partial_echoes_are_scrubbed() {
    let client = echoing(500, |auth| {
        let key = auth.trim_start_matches("Bearer ");
        let encoded = key.replace('-', "%2D");
        let partial = &key[12..30];
        format!("bare={key}\nencoded={encoded}\npartial={partial}\n")
    });
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    let body = err.api_error().unwrap().body.clone().unwrap();
    assert_eq!(
        body,
        "bare=[redacted]\nencoded=[redacted]\npartial=[redacted]\n"
    );
    assert_clean(&[err.to_string()]);
}

#[tokio::test]
async fn a_body_cut_inside_the_key_leaves_no_piece_of_it() {
    // The body snippet is cut at MAX_BODY_SNIPPET bytes: put the cut at every place in the key.
    for kept in 4..KEY.len() {
        let filler = "x".repeat(MAX_BODY_SNIPPET - "Bearer ".len() - kept);
        let body = format!("{filler}Bearer {KEY} and more");
        let transport = tower::service_fn(move |_request: http::Request<Bytes>| {
            let response = http::Response::builder()
                .status(503)
                .body(Bytes::from(body.clone()))
                .unwrap();
            async move { Ok::<_, std::convert::Infallible>(response) }
        });
        let client = Client::builder()
            .admin_key(KEY)
            .transport(transport)
            .disable_retries()
            .build()
            .unwrap();
        let err = client.list_invites(ListInvites::new()).await.unwrap_err();
        let snippet = err.api_error().unwrap().body.clone().unwrap();
        assert!(
            snippet.ends_with("Bearer [redacted]"),
            "{kept}: ...{}",
            &snippet[snippet.len() - 40..]
        );
        assert!(!snippet.contains(&KEY[..kept]), "{kept}");
    }
}

#[tokio::test]
async fn a_proxy_that_echoes_its_credentials_is_scrubbed() {
    let fake = FakeServer::start().await.unwrap();
    let proxy = TestProxy::start(ProxyOptions {
        echo: true,
        ..ProxyOptions::default()
    })
    .await;
    let client = support::loopback_builder(&fake)
        .proxy(&proxy.url_with("ana:ECHOSECRET-proxy-pw"))
        .disable_retries()
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    let body = err.api_error().unwrap().body.clone().unwrap();
    // The proxy did get the header (in absolute form, it is the proxy's to read)...
    assert!(proxy.log().authorizations[0].is_some());
    // ...but its echo is scrubbed: the base64 of `ana:ECHOSECRET-proxy-pw` is gone.
    assert!(body.contains("Basic [redacted]"), "{body}");
    assert!(!body.contains("YW5hOkVDSE9TRUNSRVQ"), "{body}");
    assert_clean(&[body, err.to_string(), format!("{err:?}")]);
}

#[test]
fn a_base_url_with_the_key_as_userinfo_is_refused_without_printing_it() {
    for url in [
        format!("https://{KEY}@api.openai.com/v1"),
        format!("https://user:{KEY}@api.openai.com/v1"),
    ] {
        let err = Client::builder()
            .admin_key(KEY)
            .base_url(&url)
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::BaseUrl(_)), "{err}");
        assert!(
            err.to_string().contains("[redacted]@api.openai.com"),
            "{err}"
        );
        assert_clean(&[err.to_string(), format!("{err:?}")]);
    }
    // The key pasted where the URL goes: refused, and scrubbed too.
    let err = Client::builder()
        .admin_key(KEY)
        .base_url(KEY)
        .build()
        .unwrap_err();
    assert_clean(&[err.to_string(), format!("{err:?}")]);
    let builder = Client::builder()
        .admin_key(KEY)
        .base_url(&format!("https://{KEY}@h/v1"));
    assert_clean(&[format!("{builder:?}")]);
}

#[tokio::test]
async fn a_401_for_a_key_that_is_not_an_admin_key_says_one_is_needed() {
    let fake = FakeServer::start().await.unwrap();
    let client = Client::builder()
        .admin_key("sk-proj-abcdef0123456789")
        .base_url(&fake.base_url())
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let text = err.to_string();
    assert!(
        text.contains("does not look like an admin key (sk-admin-...)"),
        "{text}"
    );
    assert!(!text.contains("abcdef0123456789"), "{text}");
    // An admin-shaped key that is wrong gets no such hint.
    let client = Client::builder()
        .admin_key("sk-admin-wrong-0123456789")
        .base_url(&fake.base_url())
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert!(!err.to_string().contains("hint"), "{err}");
}

/// A transport for creates that echo the key: a create is answered by `create` (from the
/// request's `Authorization`), and the reads of the reconciliation that follows by `read`.
fn reconciling(
    create: fn(&str) -> http::Response<Bytes>,
    read: impl Fn(http::Request<Bytes>) -> BoxFuture + Clone + Send + Sync + 'static,
) -> Client {
    let transport = tower::service_fn(move |request: http::Request<Bytes>| {
        let authorization = request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_owned();
        match request.method() {
            &http::Method::POST => {
                let response = create(&authorization);
                Box::pin(async move { Ok(response) }) as BoxFuture
            }
            _ => read(request),
        }
    });
    Client::builder()
        .admin_key(KEY)
        .transport(transport)
        .build()
        .unwrap()
}

type BoxFuture = std::pin::Pin<
    Box<dyn Future<Output = Result<http::Response<Bytes>, openai_invites::BoxError>> + Send>,
>;

fn quoting(status: u16, body: String, authorization: &str) -> http::Response<Bytes> {
    let key = authorization.trim_start_matches("Bearer ");
    http::Response::builder()
        .status(status)
        .header("x-request-id", format!("req_{key}"))
        .body(Bytes::from(body))
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn reads_of_a_reconciliation_that_quote_the_key_are_scrubbed_in_errors_and_traces() {
    let client = reconciling(
        |auth| quoting(502, format!("Authorization: {auth}"), auth),
        |request| {
            let auth = request.headers()["authorization"]
                .to_str()
                .unwrap()
                .to_owned();
            let response = quoting(200, format!("not json; you sent {auth}"), &auth);
            Box::pin(async move { Ok(response) })
        },
    );
    let (recorder, _guard) = support::recorder::record();
    let err = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap_err();
    assert_eq!(err.reconciled(), Some(Reconciled::Failed));
    assert!(err.is_outcome_unknown());
    let text = err.to_string();
    assert!(
        text.contains("reading the invites could not tell"),
        "{text}"
    );
    assert_clean(&[text, format!("{err:?}"), recorder.dump()]);
    // The request ids were recorded on the attempt spans, scrubbed.
    let ids: Vec<_> = recorder
        .spans_named("invites.attempt")
        .into_iter()
        .filter_map(|s| s.fields.get("openai.request_id").cloned())
        .collect();
    assert!(!ids.is_empty(), "{}", recorder.dump());
    assert!(ids.iter().all(|id| id == "req_[redacted]"), "{ids:?}");
}

#[tokio::test(start_paused = true)]
async fn a_409_that_quotes_the_key_is_scrubbed_inside_already_invited() {
    let fake = FakeInvites::new();
    let an_hour_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - 3600;
    let seed = Seed::new([SeedInvite::new("ana@example.com").created_at(an_hour_ago)]).unwrap();
    let pending = fake.seed_invites(&seed).unwrap().remove(0);
    let key = fake.admin_key().to_owned();
    let client = reconciling(
        |auth| {
            let body = format!(
                r#"{{"error":{{"message":"already invited; you sent {auth}","type":"invalid_request_error","param":null,"code":"invite_already_exists"}}}}"#
            );
            quoting(409, body, auth)
        },
        move |mut request| {
            // The reads go to the fake, with its own key.
            let bearer = format!("Bearer {key}").parse().unwrap();
            request.headers_mut().insert("authorization", bearer);
            let answer = tower::ServiceExt::oneshot(fake.service(), request);
            Box::pin(async move { answer.await.map_err(Into::into) })
        },
    );
    let err = client
        .invite_user(InviteRequest::new("ana@example.com", InviteRole::Reader))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyInvited);
    assert_eq!(
        err.invite().map(|i| i.id.as_str()),
        Some(pending.id.as_str())
    );
    let message = err.api_error().unwrap().message().unwrap().to_owned();
    assert_eq!(message, "already invited; you sent Bearer [redacted]");
    let already = err
        .get_ref()
        .unwrap()
        .downcast_ref::<AlreadyInvited>()
        .unwrap();
    assert_clean(&[
        message,
        err.to_string(),
        format!("{err:?}"),
        format!("{already:?}"),
        err.request_id().unwrap().to_owned(),
    ]);
}
