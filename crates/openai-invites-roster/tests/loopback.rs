//! Against the fake binary on loopback: a real socket, a seeded organization, ambiguous
//! creates scripted through the control API, requests counted from the fake's own log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use openai_invites::Client;
use openai_invites_mock::FakeProcess;
use openai_invites_roster::{
    Applier, Outcome, PlanOptions, Roster, RosterFormat, RunStatus, plan, read_invites,
};

const KEY: &str = "sk-admin-roster-loopback";

/// How many requests of the API the fake received, by method: (POST, DELETE, GET).
fn received(fake: &FakeProcess) -> (usize, usize, usize) {
    let log = fake.control("GET", "requests", None).unwrap();
    let data = log["data"].as_array().unwrap();
    let count = |method: &str| data.iter().filter(|r| r["method"] == method).count();
    (count("POST"), count("DELETE"), count("GET"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cohort_against_the_fake_binary_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    let mut invites: Vec<serde_json::Value> = (0..120)
        .map(|i| serde_json::json!({"email": format!("staff-{i}@example.org")}))
        .collect();
    invites.push(serde_json::json!({"email": "user-0@example.com", "status": "expired"}));
    invites.push(serde_json::json!({"email": "user-1@example.com", "role": "owner"}));
    invites.push(serde_json::json!({"email": "user-2@example.com", "status": "accepted"}));
    std::fs::write(&seed, serde_json::json!({ "invites": invites }).to_string()).unwrap();
    let fake = FakeProcess::start(&["--admin-key", KEY, "--seed", seed.to_str().unwrap()]).unwrap();
    // Two creates made, then their connections dropped.
    let fault = serde_json::json!({"kind": "drop_connection", "apply_first": true,
        "operation": "inviteUser", "times": 2});
    let queued = fake.control("POST", "faults", Some(&fault)).unwrap();
    assert_eq!(queued["queued"], 1, "{queued}");

    let client = Client::builder()
        .admin_key(KEY)
        .base_url(fake.base_url())
        .no_rate_limit()
        .build()
        .unwrap();
    let mut csv = String::from("email,role,projects\n");
    for i in 0..20 {
        csv.push_str(&format!("user-{i}@example.com,reader,\n"));
    }
    let roster = Roster::parse(&csv, RosterFormat::Csv).unwrap();
    let (plan_made, report) = Applier::new(client.clone())
        .settle_delay(Duration::from_millis(50))
        .sync(&roster, PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(
        plan_made.summary().to_string(),
        "17 invite, 1 reissue, 1 drift, 1 accepted"
    );
    assert_eq!(report.status(), RunStatus::AsPlanned, "{report:?}");
    assert_eq!(report.summary().count(Outcome::Created), 17);
    // 2 pages of 123; 18 creates and 1 delete; 2 pages of 140 settle both ambiguous creates.
    assert_eq!(received(&fake), (18, 1, 2 + 2));

    let again = plan(
        &roster,
        &read_invites(&client).await.unwrap(),
        PlanOptions::default(),
    );
    assert_eq!(again.summary().changes(), 0);
}
