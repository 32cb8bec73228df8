//! The fake's routes through the in-process face: every operation, every error path, the
//! three `projects` states, auth and caps. Every body is checked against the spec's schemas.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use http::{Method, StatusCode};
use openai_invites_core::{
    BaseUrl, DeleteInvite, InviteRequest, InviteRole, InviteUser, ListInvites, Operation,
    ProjectRole, RetrieveInvite,
};
use openai_invites_mock::{FakeInvites, INVITE_LIFETIME_SECS};
use serde_json::json;
use support::{INVITES, call, create, item};
use tower::ServiceExt;

#[tokio::test]
async fn create_retrieve_list_delete() {
    let fake = FakeInvites::new();
    let created = create(&fake, "ana@example.com").await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("invite-"));
    assert_eq!(created["status"], "pending");
    assert_eq!(created["object"], "organization.invite");
    assert_eq!(created["accepted_at"], json!(null));
    let created_at = created["created_at"].as_i64().unwrap();
    assert_eq!(
        created["expires_at"].as_i64().unwrap(),
        created_at + INVITE_LIFETIME_SECS
    );

    let got = call(Method::GET, &item(id)).send(&fake).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), created);

    let list = call(Method::GET, INVITES).send(&fake).await.json();
    assert_eq!(list["data"], json!([created]));
    assert_eq!(list["first_id"], id);
    assert_eq!(list["last_id"], id);
    assert_eq!(list["has_more"], false);

    let deleted = call(Method::DELETE, &item(id)).send(&fake).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.json(),
        json!({"object": "organization.invite.deleted", "id": id, "deleted": true})
    );
    assert!(fake.get(id).is_none());

    let again = call(Method::DELETE, &item(id)).send(&fake).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.error()["param"], "invite_id");
    assert_eq!(call(Method::GET, &item(id)).send(&fake).await.status, 404);
}

#[tokio::test]
async fn core_operations_round_trip() {
    let fake = FakeInvites::new();
    let base = BaseUrl::parse("http://fake.invalid/v1").unwrap();
    let send = |mut request: http::Request<bytes::Bytes>| {
        let auth = format!("Bearer {}", fake.admin_key()).parse().unwrap();
        request.headers_mut().insert("authorization", auth);
        fake.service().oneshot(request)
    };
    let op = InviteUser::new(
        InviteRequest::new("cy@example.com", InviteRole::Owner)
            .with_project("project-xyz", ProjectRole::Owner),
    );
    let invite = InviteUser::decode(send(op.encode(&base).unwrap()).await.unwrap()).unwrap();
    assert_eq!(invite.role, InviteRole::Owner);
    let same = RetrieveInvite::decode(
        send(
            RetrieveInvite::new(invite.id.clone())
                .encode(&base)
                .unwrap(),
        )
        .await
        .unwrap(),
    )
    .unwrap();
    assert_eq!(same, invite);
    let page = ListInvites::decode(
        send(ListInvites::new().limit(1).encode(&base).unwrap())
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(page.data, vec![invite.clone()]);
    assert_eq!(page.next_cursor(), None);
    let deleted = DeleteInvite::decode(
        send(DeleteInvite::new(invite.id.clone()).encode(&base).unwrap())
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(deleted.deleted);
    let missing = RetrieveInvite::decode(
        send(RetrieveInvite::new("a/..").encode(&base).unwrap())
            .await
            .unwrap(),
    )
    .unwrap_err();
    assert_eq!(missing.status(), 404);
    assert!(missing.request_id().unwrap().starts_with("req_"));
}

#[tokio::test]
async fn three_projects_states_and_default_project() {
    let fake = FakeInvites::builder().default_project("proj_main").build();
    let absent = call(Method::POST, INVITES)
        .json(json!({"email": "a@example.com", "role": "reader"}))
        .send(&fake)
        .await
        .json();
    assert_eq!(
        absent["projects"],
        json!([{"id": "proj_main", "role": "member"}])
    );
    let empty = call(Method::POST, INVITES)
        .json(json!({"email": "b@example.com", "role": "reader", "projects": []}))
        .send(&fake)
        .await
        .json();
    assert_eq!(empty["projects"], json!([]));
    let list =
        json!([{"id": "project-xyz", "role": "member"}, {"id": "project-abc", "role": "owner"}]);
    let listed = call(Method::POST, INVITES)
        .json(json!({"email": "c@example.com", "role": "owner", "projects": list}))
        .send(&fake)
        .await
        .json();
    assert_eq!(listed["projects"], list);
}

#[tokio::test]
async fn validation_errors_name_the_param() {
    let fake = FakeInvites::new();
    for (body, param) in [
        (json!({"role": "reader"}), json!("email")),
        (
            json!({"email": "not-an-email", "role": "reader"}),
            json!("email"),
        ),
        (json!({"email": "a@example.com"}), json!("role")),
        (
            json!({"email": "a@example.com", "role": "admin"}),
            json!("role"),
        ),
        (
            json!({"email": "a@example.com", "role": "reader", "projects": "p"}),
            json!("projects"),
        ),
        (
            json!({"email": "a@example.com", "role": "reader", "projects": [{"id": "p", "role": "boss"}]}),
            json!("projects[0].role"),
        ),
        (json!([1, 2]), json!(null)),
    ] {
        let reply = call(Method::POST, INVITES)
            .json(body.clone())
            .send(&fake)
            .await;
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(reply.error()["type"], "invalid_request_error");
        assert_eq!(reply.error()["param"], param, "{body}");
    }
    let not_json = call(Method::POST, INVITES)
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send(&fake)
        .await;
    assert_eq!(not_json.status, 400);
    assert!(
        not_json.error()["message"]
            .as_str()
            .unwrap()
            .contains("could not parse the JSON")
    );
    let form = call(Method::POST, INVITES)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=a%40example.com&role=reader")
        .send(&fake)
        .await;
    assert_eq!(form.status, 400);
    assert!(
        form.error()["message"]
            .as_str()
            .unwrap()
            .contains("Content-Type")
    );
    assert!(fake.invites().is_empty());
}

#[tokio::test]
async fn duplicate_pending_email_is_a_conflict() {
    let fake = FakeInvites::new();
    let first = create(&fake, "Ana@Example.com").await;
    let dup = call(Method::POST, INVITES)
        .json(json!({"email": "ana@example.COM", "role": "owner"}))
        .send(&fake)
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.error()["code"], "invite_already_exists");
    assert_eq!(dup.error()["param"], "email");
    // Once the first is no longer pending, the address can be invited again.
    assert!(fake.expire(first["id"].as_str().unwrap()));
    create(&fake, "ana@example.com").await;
}

#[tokio::test]
async fn accepted_invites_cannot_be_deleted() {
    let fake = FakeInvites::new();
    let id = create(&fake, "a@example.com").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(fake.accept(&id));
    assert!(!fake.accept("invite-unknown"));
    let got = call(Method::GET, &item(&id)).send(&fake).await.json();
    assert_eq!(got["status"], "accepted");
    assert!(got["accepted_at"].is_i64());
    let refused = call(Method::DELETE, &item(&id)).send(&fake).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error()["type"], "invalid_request_error");
    assert_eq!(refused.error()["code"], "invite_already_accepted");
    assert!(fake.get(&id).is_some());
    // An expired invite can be deleted.
    let other = create(&fake, "b@example.com").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(fake.expire(&other));
    assert_eq!(
        call(Method::DELETE, &item(&other)).send(&fake).await.status,
        200
    );
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods() {
    let fake = FakeInvites::new();
    for path in [
        "/v1/organization/invitations",
        "/organization/invites",
        "/v1/organization/invites/a/b",
        "/v1/organization/invites/",
        "/",
    ] {
        let reply = call(Method::GET, path).send(&fake).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.error()["message"],
            format!("Invalid URL (GET {path})")
        );
    }
    for (method, path, allow) in [
        (Method::PUT, INVITES.to_owned(), "GET, POST"),
        (Method::DELETE, INVITES.to_owned(), "GET, POST"),
        (Method::POST, item("invite-x"), "GET, DELETE"),
        (Method::PATCH, item("invite-x"), "GET, DELETE"),
    ] {
        let reply = call(method.clone(), &path).send(&fake).await;
        assert_eq!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(reply.header("allow"), allow);
    }
}

#[tokio::test]
async fn ids_are_percent_decoded() {
    let fake = FakeInvites::new();
    let reply = call(Method::GET, "/v1/organization/invites/a%2Fb")
        .send(&fake)
        .await;
    assert_eq!(reply.status, 404);
    assert!(reply.error()["message"].as_str().unwrap().contains("'a/b'"));
    let invalid_utf8 = call(Method::GET, "/v1/organization/invites/%FF")
        .send(&fake)
        .await;
    assert_eq!(invalid_utf8.status, 404);
}

#[tokio::test]
async fn auth_failures() {
    let fake = FakeInvites::builder()
        .admin_key("sk-admin-0123456789abcdef")
        .build();
    let missing = call(Method::GET, INVITES)
        .unauthenticated()
        .send(&fake)
        .await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.error()["type"], "invalid_request_error");
    assert!(
        missing.error()["message"]
            .as_str()
            .unwrap()
            .starts_with("You didn't provide an API key")
    );
    assert_eq!(missing.error()["code"], json!(null));

    let wrong_key = "sk-admin-wrong-0123456789";
    let wrong = call(Method::POST, INVITES)
        .unauthenticated()
        .header("authorization", &format!("Bearer {wrong_key}"))
        .json(json!({"email": "a@example.com", "role": "reader"}))
        .send(&fake)
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.error()["code"], "invalid_api_key");
    let message = wrong.error()["message"].as_str().unwrap().to_owned();
    assert!(
        !message.contains(wrong_key) && !message.contains("wrong-0123"),
        "{message}"
    );
    assert!(!String::from_utf8_lossy(&wrong.body).contains(fake.admin_key()));
    assert!(
        fake.invites().is_empty(),
        "an unauthenticated create changed nothing"
    );

    // Auth comes before routing: an unknown path without a key is a 401.
    let unknown = call(Method::GET, "/v1/nope")
        .unauthenticated()
        .send(&fake)
        .await;
    assert_eq!(unknown.status, 401);
    let basic = call(Method::GET, INVITES)
        .unauthenticated()
        .header("authorization", "Basic dXNlcg==")
        .send(&fake)
        .await;
    assert_eq!(basic.status, 401);
}

#[tokio::test]
async fn body_cap_is_413() {
    let fake = FakeInvites::builder().max_body_bytes(64).build();
    let big = json!({"email": "a@example.com", "role": "reader", "pad": "x".repeat(100)});
    let reply = call(Method::POST, INVITES).json(big).send(&fake).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error()["code"], "request_too_large");
    assert!(fake.requests()[0].body.is_empty());
    let small = call(Method::POST, INVITES)
        .json(json!({"email": "a@example.com", "role": "reader"}))
        .send(&fake)
        .await;
    assert_eq!(small.status, 200);
}

#[tokio::test]
async fn store_cap_refuses_creates_but_not_seeds() {
    let fake = FakeInvites::builder().max_invites(3).build();
    for n in 0..3 {
        create(&fake, &format!("u{n}@example.com")).await;
    }
    let full = call(Method::POST, INVITES)
        .json(json!({"email": "x@example.com", "role": "reader"}))
        .send(&fake)
        .await;
    assert_eq!(full.status, 400);
    assert_eq!(full.error()["code"], "invite_limit_reached");
    assert_eq!(fake.invites().len(), 3);
    // Deleting makes room again.
    let id = fake.invites()[0].id.clone();
    call(Method::DELETE, &item(&id)).send(&fake).await;
    create(&fake, "x@example.com").await;
}

#[tokio::test]
async fn every_body_checked_so_far_conformed() {
    let fake = FakeInvites::new();
    create(&fake, "a@example.com").await;
    assert!(support::CONFORMANCE_CHECKS.load(std::sync::atomic::Ordering::Relaxed) >= 1);
    // The validators do reject a non-conforming body.
    let result = std::panic::catch_unwind(|| {
        support::assert_conforms(
            support::Schema::Invite,
            &json!({"object": "organization.invite", "id": "x"}),
        )
    });
    assert!(result.is_err());
}
