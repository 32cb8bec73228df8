//! Many tasks creating and deleting at once leave the store consistent: nothing lost,
//! nothing duplicated, every answer accounted for.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use http::Method;
use openai_invites_mock::{FakeInvites, FakeServer};
use serde_json::json;
use support::{INVITES, call, item, wire};

const TASKS: usize = 8;
const PER_TASK: usize = 24; // even: half are deleted

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_and_deletes_in_process() {
    let fake = FakeInvites::new();
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let fake = fake.clone();
        tasks.push(tokio::spawn(async move {
            let mut kept = Vec::new();
            for n in 0..PER_TASK {
                let reply = call(Method::POST, INVITES)
                    .json(json!({"email": format!("t{t}-n{n}@example.com"), "role": "reader"}))
                    .send(&fake)
                    .await;
                assert_eq!(reply.status, 200);
                let id = reply.json()["id"].as_str().unwrap().to_owned();
                // Delete every other invite right away.
                if n % 2 == 0 {
                    assert_eq!(
                        call(Method::DELETE, &item(&id)).send(&fake).await.status,
                        200
                    );
                } else {
                    kept.push(id);
                }
            }
            kept
        }));
    }
    // Everyone races for the same address too: exactly one pending invite may win.
    let racers: Vec<_> = (0..TASKS)
        .map(|_| {
            let fake = fake.clone();
            tokio::spawn(async move {
                call(Method::POST, INVITES)
                    .json(json!({"email": "same@example.com", "role": "reader"}))
                    .send(&fake)
                    .await
                    .status
                    .as_u16()
            })
        })
        .collect();
    let mut kept = HashSet::new();
    for task in tasks {
        for id in task.await.unwrap() {
            assert!(kept.insert(id), "an id was handed out twice");
        }
    }
    let mut statuses = Vec::new();
    for racer in racers {
        statuses.push(racer.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), TASKS - 1);

    let stored: Vec<String> = fake.invites().into_iter().map(|i| i.id).collect();
    assert_eq!(stored.len(), TASKS * PER_TASK / 2 + 1);
    let stored_set: HashSet<String> = stored.iter().cloned().collect();
    assert_eq!(stored_set.len(), stored.len(), "no duplicates");
    assert!(kept.is_subset(&stored_set), "no lost invites");
    assert_eq!(fake.request_count(), TASKS * PER_TASK * 3 / 2 + TASKS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_on_loopback() {
    let server = FakeServer::start().await.unwrap();
    let fake = server.fake().clone();
    let addr = server.addr();
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let fake = fake.clone();
            tokio::spawn(async move {
                for n in 0..5 {
                    let request = call(Method::POST, INVITES)
                        .json(json!({"email": format!("w{t}-{n}@example.com"), "role": "owner"}))
                        .build(&fake);
                    assert_eq!(
                        wire::http1(addr, request).await.unwrap().conforms().status,
                        200
                    );
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let ids: HashSet<String> = fake.invites().into_iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), TASKS * 5);
    server.shutdown().await;
}
