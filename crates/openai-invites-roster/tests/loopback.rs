//! Against the fake binary on loopback: a real socket, a seeded organization, ambiguous
//! creates scripted through the control API, requests counted from the fake's own log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use openai_invites::Client;
use openai_invites_roster::{
    Applier, Outcome, PlanOptions, Roster, RosterFormat, RunStatus, plan, read_invites,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "sk-admin-roster-loopback";

/// `openai-invites-fake`, built beside this test (cargo builds it for the workspace's tests;
/// when this crate's tests run alone it is built here).
fn fake_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .to_owned();
    let bin = profile_dir.join(format!(
        "openai-invites-fake{}",
        std::env::consts::EXE_SUFFIX
    ));
    if !bin.exists() {
        let mut build = Command::new(env!("CARGO"));
        build.args([
            "build",
            "-q",
            "-p",
            "openai-invites-fake",
            "--bin",
            "openai-invites-fake",
        ]);
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        assert!(
            build.status().unwrap().success(),
            "could not build the fake"
        );
    }
    bin
}

/// The fake, killed when dropped.
struct Fake {
    child: Child,
    base: String,
    authority: String,
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Fake {
    fn start(seed: &std::path::Path) -> Self {
        let mut child = Command::new(fake_binary())
            .args(["--port", "0", "--admin-key", KEY, "--seed"])
            .arg(seed)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line.trim().to_owned();
        let authority = base
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/v1"))
            .unwrap_or_else(|| panic!("unexpected first line {base:?}"))
            .to_owned();
        Self {
            child,
            base,
            authority,
        }
    }

    /// A control API call; the answer's JSON body.
    async fn control(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let mut stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .unwrap();
        let head = format!(
            "{method} /__fake/{path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            self.authority,
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        let (_, body) = answer.split_once("\r\n\r\n").unwrap();
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
    }

    /// How many requests of the API the fake received, by method.
    async fn received(&self) -> (usize, usize, usize) {
        let log = self.control("GET", "requests", "").await;
        let data = log["data"].as_array().unwrap();
        let count = |method: &str| data.iter().filter(|r| r["method"] == method).count();
        (count("POST"), count("DELETE"), count("GET"))
    }
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
    let fake = Fake::start(&seed);
    // Two creates made, then their connections dropped.
    let queued = fake
        .control(
            "POST",
            "faults",
            r#"{"kind": "drop_connection", "apply_first": true, "operation": "inviteUser", "times": 2}"#,
        )
        .await;
    assert_eq!(queued["queued"], 1, "{queued}");

    let client = Client::builder()
        .admin_key(KEY)
        .base_url(&fake.base)
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
        "17 invite, 1 reissue, 0 replace, 0 revoke, 0 keep, 1 drift, 1 accepted"
    );
    assert_eq!(report.status(), RunStatus::AsPlanned, "{report:?}");
    assert_eq!(report.summary().count(Outcome::Created), 17);
    // 2 pages of 123; 18 creates and 1 delete; 2 pages of 140 settle both ambiguous creates.
    assert_eq!(fake.received().await, (18, 1, 2 + 2));

    let again = plan(
        &roster,
        &read_invites(&client).await.unwrap(),
        PlanOptions::default(),
    );
    assert_eq!(again.summary().changes(), 0);
}
