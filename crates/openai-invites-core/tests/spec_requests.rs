//! Every request `encode` produces matches the spec: golden bytes, declared paths and
//! parameters, and a body that validates against `InviteRequest`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bytes::Bytes;
use openai_invites_core::*;
use serde_json::Value;

fn base() -> BaseUrl {
    BaseUrl::parse("https://api.openai.com/v1/").unwrap()
}

fn headers(request: &http::Request<Bytes>) -> Vec<(String, String)> {
    request
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect()
}

fn accept_only() -> Vec<(String, String)> {
    vec![("accept".into(), "application/json".into())]
}

#[test]
fn golden_list_invites() {
    let r = ListInvites::new().encode(&base()).unwrap();
    assert_eq!(
        (r.method().as_str(), r.uri().to_string()),
        (
            "GET",
            "https://api.openai.com/v1/organization/invites".into()
        )
    );
    assert_eq!(headers(&r), accept_only());
    assert!(r.body().is_empty());

    let r = ListInvites::new()
        .limit(100)
        .after("invite a&b=c")
        .encode(&base())
        .unwrap();
    assert_eq!(
        r.uri(),
        "https://api.openai.com/v1/organization/invites?limit=100&after=invite%20a%26b%3Dc"
    );
    let r = ListInvites::new()
        .after("invite-abc")
        .encode(&base())
        .unwrap();
    assert_eq!(
        r.uri(),
        "https://api.openai.com/v1/organization/invites?after=invite-abc"
    );
    assert_eq!(OperationMeta::of(&r), Some(&ListInvites::META));
}

#[test]
fn golden_invite_user_three_project_states() {
    let request = InviteRequest::new("ana@example.com", InviteRole::Reader);
    let cases = [
        (
            request.clone(),
            r#"{"email":"ana@example.com","role":"reader"}"#,
        ),
        (
            request.clone().without_projects(),
            r#"{"email":"ana@example.com","role":"reader","projects":[]}"#,
        ),
        (
            request
                .with_project("project-xyz", ProjectRole::Member)
                .with_project("project-abc", ProjectRole::Owner),
            r#"{"email":"ana@example.com","role":"reader","projects":[{"id":"project-xyz","role":"member"},{"id":"project-abc","role":"owner"}]}"#,
        ),
    ];
    for (request, body) in cases {
        let r = InviteUser::new(request).encode(&base()).unwrap();
        assert_eq!(r.method(), http::Method::POST);
        assert_eq!(r.uri(), "https://api.openai.com/v1/organization/invites");
        assert_eq!(
            headers(&r),
            vec![
                ("accept".into(), "application/json".into()),
                ("content-type".into(), "application/json".into())
            ]
        );
        assert_eq!(r.body().as_ref(), body.as_bytes());
        assert_eq!(OperationMeta::of(&r).unwrap().name, "inviteUser");
    }
}

#[test]
fn golden_retrieve_and_delete() {
    let r = RetrieveInvite::new("invite-abc").encode(&base()).unwrap();
    assert_eq!(
        (r.method().as_str(), r.uri().to_string()),
        (
            "GET",
            "https://api.openai.com/v1/organization/invites/invite-abc".into()
        )
    );
    assert_eq!(headers(&r), accept_only());
    assert!(r.body().is_empty());
    assert_eq!(OperationMeta::of(&r), Some(&RetrieveInvite::META));

    let r = DeleteInvite::new("invite-abc").encode(&base()).unwrap();
    assert_eq!(
        (r.method().as_str(), r.uri().to_string()),
        (
            "DELETE",
            "https://api.openai.com/v1/organization/invites/invite-abc".into()
        )
    );
    assert_eq!(headers(&r), accept_only());
    assert_eq!(OperationMeta::of(&r), Some(&DeleteInvite::META));
}

#[test]
fn the_operation_table_is_the_spec() {
    // The spec's operation ids are not consistent (`list-invites`, `inviteUser`); the table
    // uses the camelCase ones, so operations are compared by method and path.
    let spec = common::spec();
    let mut in_spec = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let route = (method.to_uppercase(), path.as_str());
            let meta = ops::OPERATIONS
                .iter()
                .find(|m| (m.method.to_string(), m.url_template) == route)
                .unwrap_or_else(|| panic!("{route:?} is not in OPERATIONS"));
            in_spec.push(meta.name);
        }
    }
    let table: Vec<_> = ops::OPERATIONS.iter().map(|m| m.name).collect();
    assert_eq!(in_spec.len(), table.len(), "{in_spec:?} / {table:?}");
}

#[test]
fn invalid_input_is_refused_before_sending() {
    for limit in [0u8, 101, 255] {
        let err = ListInvites::new().limit(limit).encode(&base()).unwrap_err();
        assert!(
            matches!(err, EncodeError::InvalidField { field: "limit", .. }),
            "{err}"
        );
        assert!(err.to_string().contains("between 1 and 100"));
    }
    assert!(ListInvites::new().limit(1).encode(&base()).is_ok());
    let err = RetrieveInvite::new("").encode(&base()).unwrap_err();
    assert!(matches!(
        err,
        EncodeError::InvalidField {
            field: "invite_id",
            ..
        }
    ));
    let err = DeleteInvite::new("").encode(&base()).unwrap_err();
    assert!(matches!(
        err,
        EncodeError::InvalidField {
            field: "invite_id",
            ..
        }
    ));
    for email in ["", "   "] {
        let err = InviteUser::new(InviteRequest::new(email, InviteRole::Owner))
            .encode(&base())
            .unwrap_err();
        assert!(
            matches!(err, EncodeError::InvalidField { field: "email", .. }),
            "{err}"
        );
    }
}

/// The spec's path item for a concrete request path, and the operation under the method.
fn spec_operation<'s>(
    spec: &'s Value,
    base: &BaseUrl,
    request: &http::Request<Bytes>,
) -> &'s Value {
    let base_path = http::Uri::try_from(base.as_str())
        .unwrap()
        .path()
        .to_owned();
    let path = request.uri().path().strip_prefix(&base_path).unwrap();
    let method = request.method().as_str().to_ascii_lowercase();
    for (template, item) in spec["paths"].as_object().unwrap() {
        let t: Vec<&str> = template.split('/').collect();
        let p: Vec<&str> = path.split('/').collect();
        let matches =
            t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p);
        if matches {
            if let Some(op) = item.get(&method) {
                return op;
            }
        }
    }
    panic!("{method} {path} is not in the spec");
}

fn check_against_spec(request: &http::Request<Bytes>) {
    let spec = common::spec();
    let base = base();
    let op = spec_operation(&spec, &base, request);
    let declared: Vec<&str> = op["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter(|p| p["in"] == "query")
                .map(|p| p["name"].as_str().unwrap())
                .collect()
        })
        .unwrap_or_default();
    if let Some(query) = request.uri().query() {
        for pair in query.split('&') {
            let name = pair.split('=').next().unwrap();
            assert!(
                declared.contains(&name),
                "query parameter {name} is not declared"
            );
        }
    }
    let meta = OperationMeta::of(request).unwrap();
    let template = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, item)| {
            std::ptr::eq(
                item.get(request.method().as_str().to_ascii_lowercase())
                    .unwrap_or(&Value::Null),
                op,
            )
        })
        .map(|(t, _)| t.as_str())
        .unwrap();
    assert_eq!(meta.url_template, template);
    if op.get("requestBody").is_some() {
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        let errors: Vec<String> = common::validator("InviteRequest")
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    } else {
        assert!(request.body().is_empty());
    }
}

#[test]
fn every_encoded_request_matches_the_spec() {
    let requests = [
        ListInvites::new().encode(&base()).unwrap(),
        ListInvites::new()
            .limit(20)
            .after("invite-abc")
            .encode(&base())
            .unwrap(),
        InviteUser::new(InviteRequest::new("a@example.com", InviteRole::Owner))
            .encode(&base())
            .unwrap(),
        InviteUser::new(InviteRequest::new("a@example.com", InviteRole::Reader).without_projects())
            .encode(&base())
            .unwrap(),
        InviteUser::new(
            InviteRequest::new("a@example.com", InviteRole::Reader)
                .with_project("p", ProjectRole::Owner),
        )
        .encode(&base())
        .unwrap(),
        RetrieveInvite::new("invite-abc").encode(&base()).unwrap(),
        RetrieveInvite::new("a/b?c#d").encode(&base()).unwrap(),
        DeleteInvite::new("..").encode(&base()).unwrap(),
    ];
    for request in &requests {
        check_against_spec(request);
    }
}
