//! State across requests and over time, through the in-process face: pagination, expiry,
//! the test hooks, the request log and the quota. Every body is checked against the spec.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use http::Method;
use openai_invites_core::{InviteRequest, InviteRole, InviteStatus};
use openai_invites_mock::{FakeInvites, INVITE_LIFETIME_SECS, ManualClock};
use serde_json::json;
use support::{INVITES, call, create, item};

#[tokio::test]
async fn expiry_follows_the_clock() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let fake = FakeInvites::builder().clock(clock.clone()).build();
    let invite = create(&fake, "a@example.com").await;
    let id = invite["id"].as_str().unwrap();
    assert_eq!(invite["created_at"], 1_700_000_000);
    assert_eq!(invite["expires_at"], 1_700_000_000 + INVITE_LIFETIME_SECS);
    clock.advance(Duration::from_secs(INVITE_LIFETIME_SECS as u64 - 1));
    assert_eq!(
        call(Method::GET, &item(id)).send(&fake).await.json()["status"],
        "pending"
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        call(Method::GET, &item(id)).send(&fake).await.json()["status"],
        "expired"
    );
    let list = call(Method::GET, INVITES).send(&fake).await.json();
    assert_eq!(list["data"][0]["status"], "expired");
    assert_eq!(fake.get(id).unwrap().status, InviteStatus::Expired);
}

#[tokio::test]
async fn pagination_walks_every_invite_once_newest_first() {
    let fake = FakeInvites::new();
    let mut created = Vec::new();
    for n in 0..23 {
        created.push(
            create(&fake, &format!("user{n}@example.com")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    created.reverse(); // newest first
    for limit in [1usize, 5, 7, 23, 100] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut uri = format!("{INVITES}?limit={limit}");
            if let Some(cursor) = &after {
                uri.push_str(&format!("&after={cursor}"));
            }
            let page = call(Method::GET, &uri).send(&fake).await.json();
            let ids: Vec<String> = page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect();
            assert!(ids.len() <= limit);
            assert_eq!(page["first_id"].as_str(), ids.first().map(String::as_str));
            assert_eq!(page["last_id"].as_str(), ids.last().map(String::as_str));
            seen.extend(ids);
            if page["has_more"] != true {
                break;
            }
            after = page["last_id"].as_str().map(str::to_owned);
        }
        assert_eq!(seen, created, "limit {limit}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 23);
    }
    // Default page size is 20.
    let page = call(Method::GET, INVITES).send(&fake).await.json();
    assert_eq!(page["data"].as_array().unwrap().len(), 20);
    assert_eq!(page["has_more"], true);
    // Past the end: an empty page with null ids.
    let last = created.last().unwrap();
    let empty = call(Method::GET, &format!("{INVITES}?after={last}"))
        .send(&fake)
        .await
        .json();
    assert_eq!(
        empty,
        json!({"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false})
    );
}

#[tokio::test]
async fn deleting_while_paging_keeps_the_cursor() {
    let fake = FakeInvites::new();
    for n in 0..6 {
        create(&fake, &format!("u{n}@example.com")).await;
    }
    let mut deleted = 0;
    let mut after: Option<String> = None;
    loop {
        let uri = match &after {
            None => format!("{INVITES}?limit=2"),
            Some(cursor) => format!("{INVITES}?limit=2&after={cursor}"),
        };
        let page = call(Method::GET, &uri).send(&fake).await.json();
        for invite in page["data"].as_array().unwrap() {
            let reply = call(Method::DELETE, &item(invite["id"].as_str().unwrap()))
                .send(&fake)
                .await;
            assert_eq!(reply.status, 200);
            deleted += 1;
        }
        if page["has_more"] != true {
            break;
        }
        after = page["last_id"].as_str().map(str::to_owned);
    }
    assert_eq!(deleted, 6);
    assert!(fake.invites().is_empty());
}

#[tokio::test]
async fn list_parameters_are_checked() {
    let fake = FakeInvites::new();
    for bad in ["0", "101", "-1", "ten", "", "2.5"] {
        let reply = call(Method::GET, &format!("{INVITES}?limit={bad}"))
            .send(&fake)
            .await;
        assert_eq!(reply.status, 400, "limit={bad}");
        assert_eq!(reply.error()["param"], "limit");
    }
    for good in ["1", "100"] {
        assert_eq!(
            call(Method::GET, &format!("{INVITES}?limit={good}"))
                .send(&fake)
                .await
                .status,
            200
        );
    }
    let unknown = call(Method::GET, &format!("{INVITES}?after=invite-nope"))
        .send(&fake)
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.error()["param"], "after");
    // An empty cursor is ignored; unknown parameters too.
    assert_eq!(
        call(Method::GET, &format!("{INVITES}?after=&foo=bar"))
            .send(&fake)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn hooks() {
    let fake = FakeInvites::new();
    let seeded =
        fake.seed(InviteRequest::new("seed@example.com", InviteRole::Owner).without_projects());
    assert!(seeded.projects.is_empty());
    assert_eq!(fake.request_count(), 0, "seeding is not a request");
    let listed = call(Method::GET, INVITES).send(&fake).await.json();
    assert_eq!(listed["data"][0]["id"], seeded.id.as_str());
    let second = fake.seed(InviteRequest::new("two@example.com", InviteRole::Reader));
    assert_eq!(
        fake.invites()
            .iter()
            .map(|i| i.id.clone())
            .collect::<Vec<_>>(),
        [second.id.clone(), seeded.id.clone()]
    );
    assert!(fake.expire(&second.id));
    assert!(!fake.expire("invite-nope"));
    assert_eq!(fake.get(&second.id).unwrap().status, InviteStatus::Expired);
    fake.clear();
    assert!(fake.invites().is_empty());
    assert_eq!(fake.request_count(), 1, "clear keeps the log");
    fake.clear_requests();
    assert_eq!(fake.request_count(), 0);
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn request_log_contents() {
    let fake = FakeInvites::new();
    let created = create(&fake, "ana@example.com").await;
    let id = created["id"].as_str().unwrap();
    call(Method::GET, &format!("{INVITES}?limit=2&after={id}"))
        .send(&fake)
        .await;
    call(Method::DELETE, &item(id))
        .header("openai-organization", "org-1")
        .send(&fake)
        .await;
    call(Method::GET, "/v1/else").send(&fake).await;
    let log = fake.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(fake.request_count(), 4);
    assert_eq!(log[0].method, Method::POST);
    assert_eq!(log[0].path, INVITES);
    assert_eq!(log[0].operation, Some("inviteUser"));
    assert_eq!(
        log[0].json().unwrap(),
        json!({"email": "ana@example.com", "role": "reader"})
    );
    assert_eq!(log[0].header("content-type"), Some("application/json"));
    assert_eq!(
        log[0].header("authorization"),
        Some("Bearer sk-a...[redacted]")
    );
    assert!(
        log.iter()
            .all(|r| !format!("{:?}", r.headers).contains("sk-admin-test"))
    );
    assert_eq!(log[1].operation, Some("listInvites"));
    assert_eq!(
        log[1].query.as_deref(),
        Some(format!("limit=2&after={id}").as_str())
    );
    assert_eq!(log[2].operation, Some("deleteInvite"));
    assert_eq!(log[2].header("openai-organization"), Some("org-1"));
    assert_eq!(log[3].operation, None);
    assert!(log.iter().all(|r| r.fault.is_none()));
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at));
}

#[tokio::test(start_paused = true)]
async fn quota_answers_429_with_hints() {
    let fake = FakeInvites::builder()
        .quota(2, Duration::from_secs(60))
        .build();
    let first = call(Method::GET, INVITES).send(&fake).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-ratelimit-limit-requests"), "2");
    assert_eq!(first.header("x-ratelimit-remaining-requests"), "1");
    assert_eq!(first.header("x-ratelimit-reset-requests"), "1m0s");
    tokio::time::advance(Duration::from_secs(15)).await;
    assert_eq!(
        call(Method::GET, INVITES)
            .send(&fake)
            .await
            .header("x-ratelimit-remaining-requests"),
        "0"
    );
    let limited = call(Method::GET, INVITES).send(&fake).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.error()["code"], "rate_limit_exceeded");
    assert_eq!(limited.header("retry-after-ms"), "45000");
    assert_eq!(limited.header("retry-after"), "45");
    assert_eq!(limited.header("x-ratelimit-reset-requests"), "45s");
    assert_eq!(limited.header("x-ratelimit-remaining-requests"), "0");
    // Unauthenticated requests do not use the quota.
    assert_eq!(
        call(Method::GET, INVITES)
            .unauthenticated()
            .send(&fake)
            .await
            .status,
        401
    );
    tokio::time::advance(Duration::from_secs(45)).await;
    assert_eq!(call(Method::GET, INVITES).send(&fake).await.status, 200);
}
