//! The fault matrix: every scripted fault against every operation, with the retry policy's
//! defaults. For each case it asserts how many requests reached the server, the final result,
//! the time waited, and for `inviteUser` that no address is ever invited twice.
//!
//! In-process faults run under paused tokio time (seeded jitter, real default backoff, no real
//! waiting). Connection faults need real sockets, so they run in real time with a short backoff.
//! The table is printed (`cargo test --test fault_matrix -- --nocapture`) and must match
//! `docs/fault-matrix.md` (regenerate it with `UPDATE_FAULT_MATRIX=1`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fmt::Write as _;
use std::time::Duration;

use openai_invites::{
    Client, ClientBuilder, Error, ErrorKind, InviteRequest, InviteRole, Jitter, ListInvites,
};
use openai_invites_mock::{FakeInvites, FakeServer, Fault};
use serde_json::json;
use tokio::time::Instant;

const OPERATIONS: [&str; 4] = [
    "listInvites",
    "inviteUser",
    "retrieveInvite",
    "deleteInvite",
];
const NEW_EMAIL: &str = "new@example.com";
/// More times than any case sends.
const FOREVER: usize = 100;

/// What a case must end with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Ok,
    Err(ErrorKind, Option<u16>),
}

/// One row of expectations for one operation.
#[derive(Debug, Clone, Copy)]
struct Case {
    requests: usize,
    attempts: u32,
    result: Expect,
    /// Bounds on the time the call took, in milliseconds.
    wait_ms: (u64, u64),
}

/// Two default-backoff retries: (0.75..=1) x (500 + 1000) ms.
const TWO_BACKOFFS: (u64, u64) = (1125, 1500);
/// Two short real-time retries: (0.75..=1) x (20 + 40) ms, plus generous slack for real I/O.
const TWO_SHORT_BACKOFFS: (u64, u64) = (45, 3000);

fn ok(requests: usize, wait_ms: (u64, u64)) -> Case {
    Case {
        requests,
        attempts: requests as u32,
        result: Expect::Ok,
        wait_ms,
    }
}

fn err(requests: usize, kind: ErrorKind, status: Option<u16>, wait_ms: (u64, u64)) -> Case {
    Case {
        requests,
        attempts: requests as u32,
        result: Expect::Err(kind, status),
        wait_ms,
    }
}

fn api(requests: usize, status: u16, wait_ms: (u64, u64)) -> Case {
    err(requests, ErrorKind::Api, Some(status), wait_ms)
}

/// Retried when idempotent (list, retrieve, delete), not for inviteUser.
fn ambiguous(status: u16) -> [Case; 2] {
    [api(3, status, TWO_BACKOFFS), api(1, status, (0, 0))]
}

/// Three 10 s attempts with two backoffs between them, or one for inviteUser.
fn attempt_timeouts() -> [Case; 2] {
    let (lo, hi) = TWO_BACKOFFS;
    [
        err(
            3,
            ErrorKind::AttemptTimeout,
            None,
            (30_000 + lo, 30_000 + hi),
        ),
        err(1, ErrorKind::AttemptTimeout, None, (10_000, 10_000)),
    ]
}

#[derive(Clone, Copy, PartialEq)]
enum Face {
    InProcess,
    Loopback,
    Refused,
}

struct Row {
    name: &'static str,
    face: Face,
    faults: fn() -> Vec<Fault>,
    /// [idempotent operations, inviteUser]; `delete` overrides for one row.
    cases: [Case; 2],
    delete: Option<Case>,
}

fn quota_envelope() -> serde_json::Value {
    json!({"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota",
                     "param": null, "code": "insufficient_quota"}})
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "429 retry-after-ms: 100",
            face: Face::InProcess,
            faults: || vec![Fault::rate_limited(100)],
            cases: [ok(2, (100, 100)), ok(2, (100, 100))],
            delete: None,
        },
        Row {
            name: "429 insufficient_quota",
            face: Face::InProcess,
            faults: || vec![Fault::status(429).json(quota_envelope())],
            cases: [api(1, 429, (0, 0)), api(1, 429, (0, 0))],
            delete: None,
        },
        Row {
            name: "429 retry-after: 3600",
            face: Face::InProcess,
            faults: || vec![Fault::status(429).header("retry-after", "3600")],
            cases: [api(1, 429, (0, 0)), api(1, 429, (0, 0))],
            delete: None,
        },
        Row {
            name: "500",
            face: Face::InProcess,
            faults: || vec![Fault::status(500).times(FOREVER)],
            cases: ambiguous(500),
            delete: None,
        },
        Row {
            name: "502 with an HTML body",
            face: Face::InProcess,
            faults: || {
                vec![Fault::html(502, "<html><h1>502 Bad Gateway</h1></html>").times(FOREVER)]
            },
            cases: ambiguous(502),
            delete: None,
        },
        Row {
            name: "503 twice, then success",
            face: Face::InProcess,
            faults: || vec![Fault::status(503).times(2)],
            cases: [ok(3, TWO_BACKOFFS), api(1, 503, (0, 0))],
            delete: None,
        },
        Row {
            name: "408",
            face: Face::InProcess,
            faults: || vec![Fault::status(408).times(FOREVER)],
            cases: ambiguous(408),
            delete: None,
        },
        Row {
            name: "409",
            face: Face::InProcess,
            faults: || vec![Fault::status(409).times(FOREVER)],
            cases: ambiguous(409),
            delete: None,
        },
        Row {
            name: "500 x-should-retry: false",
            face: Face::InProcess,
            faults: || {
                vec![
                    Fault::status(500)
                        .header("x-should-retry", "false")
                        .times(FOREVER),
                ]
            },
            cases: [api(1, 500, (0, 0)), api(1, 500, (0, 0))],
            delete: None,
        },
        Row {
            name: "400 x-should-retry: true",
            face: Face::InProcess,
            faults: || {
                vec![
                    Fault::status(400)
                        .header("x-should-retry", "true")
                        .times(FOREVER),
                ]
            },
            cases: [api(3, 400, TWO_BACKOFFS), api(3, 400, TWO_BACKOFFS)],
            delete: None,
        },
        Row {
            name: "attempt timeout (10 s)",
            face: Face::InProcess,
            faults: || vec![Fault::delay(Duration::from_secs(30)).times(FOREVER)],
            cases: attempt_timeouts(),
            delete: None,
        },
        Row {
            name: "attempt timeout (10 s) after the server acted",
            face: Face::InProcess,
            faults: || {
                vec![
                    Fault::delay(Duration::from_secs(30))
                        .apply_first()
                        .times(FOREVER),
                ]
            },
            cases: attempt_timeouts(),
            delete: None,
        },
        Row {
            name: "connection dropped after the server acted",
            face: Face::Loopback,
            faults: || vec![Fault::drop_connection().apply_first()],
            cases: [
                ok(2, (15, 3000)),
                err(1, ErrorKind::Transport, None, (0, 3000)),
            ],
            // The first DELETE took effect; the retry finds nothing left to delete.
            delete: Some(api(2, 404, (15, 3000))),
        },
        Row {
            name: "connection refused",
            face: Face::Refused,
            faults: Vec::new,
            cases: [
                Case {
                    requests: 0,
                    attempts: 3,
                    result: Expect::Err(ErrorKind::Connect, None),
                    wait_ms: TWO_SHORT_BACKOFFS,
                },
                Case {
                    requests: 0,
                    attempts: 3,
                    result: Expect::Err(ErrorKind::Connect, None),
                    wait_ms: TWO_SHORT_BACKOFFS,
                },
            ],
            delete: None,
        },
    ]
}

fn expected(row: &Row, operation: &str) -> Case {
    match operation {
        "inviteUser" => row.cases[1],
        "deleteInvite" => row.delete.unwrap_or(row.cases[0]),
        _ => row.cases[0],
    }
}

async fn call(client: &Client, operation: &str, existing: &str) -> Result<(), Error> {
    match operation {
        "listInvites" => client.list_invites(ListInvites::new()).await.map(drop),
        "inviteUser" => client
            .invite_user(InviteRequest::new(NEW_EMAIL, InviteRole::Reader))
            .await
            .map(drop),
        "retrieveInvite" => client.retrieve_invite(existing).await.map(drop),
        "deleteInvite" => client.delete_invite(existing).await.map(drop),
        other => unreachable!("{other}"),
    }
}

fn configure(builder: ClientBuilder, face: Face) -> ClientBuilder {
    let builder = builder
        .retry_jitter(Jitter::seeded(42))
        .attempt_timeout(Duration::from_secs(10));
    if face == Face::InProcess {
        builder
    } else {
        builder.retry_backoff(Duration::from_millis(20), Duration::from_millis(40))
    }
}

/// Runs one case; returns (requests received, result, waited).
async fn run(row: &Row, operation: &str) -> (usize, Result<(), Error>, Duration, FakeInvites) {
    let fake = FakeInvites::new();
    let existing = fake
        .seed(InviteRequest::new(
            "existing@example.com",
            InviteRole::Owner,
        ))
        .id;
    for fault in (row.faults)() {
        fake.push_fault(fault);
    }
    let (client, server) = match row.face {
        Face::InProcess => {
            let client = configure(Client::builder(), row.face)
                .admin_key(fake.admin_key())
                .transport(fake.service())
                .build()
                .unwrap();
            (client, None)
        }
        Face::Loopback => {
            let server = FakeServer::serve(fake.clone()).await.unwrap();
            let client = configure(Client::builder(), row.face)
                .admin_key(fake.admin_key())
                .base_url(&server.base_url())
                .build()
                .unwrap();
            (client, Some(server))
        }
        Face::Refused => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            drop(listener);
            let client = configure(Client::builder(), row.face)
                .admin_key(fake.admin_key())
                .base_url(&format!("http://127.0.0.1:{port}/v1"))
                .build()
                .unwrap();
            (client, None)
        }
    };
    let started = Instant::now();
    let result = call(&client, operation, &existing).await;
    let waited = started.elapsed();
    drop(server);
    (fake.request_count(), result, waited, fake)
}

fn describe(expect: Expect) -> String {
    match expect {
        Expect::Ok => "ok".to_owned(),
        Expect::Err(kind, Some(status)) => format!("{kind:?} {status}"),
        Expect::Err(kind, None) => format!("{kind:?}"),
    }
}

fn outcome(result: &Result<(), Error>) -> Expect {
    match result {
        Ok(()) => Expect::Ok,
        Err(e) => Expect::Err(e.kind(), e.status().map(|s| s.as_u16())),
    }
}

fn wait_text((lo, hi): (u64, u64)) -> String {
    if lo == hi {
        format!("{lo} ms")
    } else {
        format!("{lo}..{hi} ms")
    }
}

async fn check_row(row: &Row, table: &mut String) {
    for operation in OPERATIONS {
        let case = expected(row, operation);
        let (requests, result, waited, fake) = run(row, operation).await;
        let context = format!("{} / {operation}: {result:?}", row.name);
        assert_eq!(requests, case.requests, "requests: {context}");
        assert_eq!(outcome(&result), case.result, "result: {context}");
        if let Err(e) = &result {
            assert_eq!(e.attempts(), case.attempts, "attempts: {context}");
            let ambiguous = e
                .status()
                .is_none_or(|s| s.is_server_error() || s == 408 || s == 409);
            if operation == "inviteUser" && requests > 0 && ambiguous {
                assert!(e.is_outcome_unknown(), "{context}");
                assert!(e.to_string().contains("outcome is unknown"), "{context}");
            }
        }
        let ms = waited.as_millis() as u64;
        assert!(
            (case.wait_ms.0..=case.wait_ms.1).contains(&ms),
            "waited {ms} ms, expected {:?}: {context}",
            case.wait_ms
        );
        if operation == "inviteUser" {
            let same = fake
                .invites()
                .iter()
                .filter(|i| i.email == NEW_EMAIL)
                .count();
            assert!(same <= 1, "{same} invites for one address: {context}");
        }
        let face = match row.face {
            Face::InProcess => "in process, paused time",
            Face::Loopback => "loopback, real time",
            Face::Refused => "nothing listening, real time",
        };
        writeln!(
            table,
            "| {} | {face} | `{operation}` | {} | {} | {} |",
            row.name,
            case.requests,
            describe(case.result),
            wait_text(case.wait_ms)
        )
        .unwrap();
    }
}

const HEADER: &str = "| fault | face | operation | requests received | result | time taken |\n|---|---|---|---|---|---|\n";

#[tokio::test(start_paused = true)]
async fn fault_matrix_in_process() {
    let mut table = String::from(HEADER);
    for row in rows().iter().filter(|r| r.face == Face::InProcess) {
        check_row(row, &mut table).await;
    }
    println!("{table}");
    compare_with_docs("in-process", &table);
}

#[tokio::test]
async fn fault_matrix_over_sockets() {
    let mut table = String::from(HEADER);
    for row in rows().iter().filter(|r| r.face != Face::InProcess) {
        check_row(row, &mut table).await;
    }
    println!("{table}");
    compare_with_docs("sockets", &table);
}

#[tokio::test(start_paused = true)]
async fn a_hint_beyond_the_cap_is_returned_not_waited_for() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(429).header("retry-after", "3600"));
    let client = support::in_process_builder(&fake).build().unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("asked to wait"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn retries_carry_the_stainless_retry_count() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503).times(2));
    let client = support::in_process_builder(&fake).build().unwrap();
    client.list_invites(ListInvites::new()).await.unwrap();
    let counts: Vec<Option<String>> = fake
        .requests()
        .iter()
        .map(|r| r.header("x-stainless-retry-count").map(str::to_owned))
        .collect();
    assert_eq!(counts, [None, Some("1".into()), Some("2".into())]);
}

#[tokio::test(start_paused = true)]
async fn opting_in_re_sends_invites_after_ambiguous_failures() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503));
    let client = support::in_process_builder(&fake)
        .retry_non_idempotent(true)
        .build()
        .unwrap();
    client
        .invite_user(InviteRequest::new(NEW_EMAIL, InviteRole::Reader))
        .await
        .unwrap();
    assert_eq!(fake.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn retries_never_wait_past_the_total_deadline() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::rate_limited(5_000));
    let client = support::in_process_builder(&fake)
        .total_timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "gave up at once instead of sleeping"
    );
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn disabled_retries_send_once() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(503).times(2));
    let client = support::in_process_builder(&fake)
        .disable_retries()
        .build()
        .unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert_eq!((err.attempts(), fake.request_count()), (1, 1));
}

/// The committed table in docs/ must be what the tests assert.
fn compare_with_docs(section: &str, table: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fault-matrix.md");
    let begin = format!("<!-- begin {section} -->\n");
    let end = format!("<!-- end {section} -->");
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    let current = doc
        .split_once(&begin)
        .and_then(|(_, rest)| rest.split_once(&end))
        .map(|(inside, _)| inside.to_owned());
    if std::env::var_os("UPDATE_FAULT_MATRIX").is_some() {
        let updated = match current {
            Some(old) => doc.replacen(
                &format!("{begin}{old}{end}"),
                &format!("{begin}{table}{end}"),
                1,
            ),
            None => format!("{doc}\n{begin}{table}{end}\n"),
        };
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert_eq!(
        current.as_deref(),
        Some(table),
        "docs/fault-matrix.md is out of date: run UPDATE_FAULT_MATRIX=1 cargo test --test fault_matrix"
    );
}

#[tokio::test(start_paused = true)]
async fn errors_say_why_they_were_not_retried() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(429).json(quota_envelope()));
    let client = support::in_process_builder(&fake).build().unwrap();
    let err = client.list_invites(ListInvites::new()).await.unwrap_err();
    assert!(
        err.to_string().contains("not retried: out of quota"),
        "{err}"
    );
    assert!(!err.is_outcome_unknown());

    // Opted in to re-sending invites: after three 503s the message must not claim the call
    // was held back for idempotency.
    fake.push_fault(Fault::status(503).times(FOREVER));
    let client = support::in_process_builder(&fake)
        .retry_non_idempotent(true)
        .build()
        .unwrap();
    let err = client
        .invite_user(InviteRequest::new(NEW_EMAIL, InviteRole::Reader))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert_eq!(err.attempts(), 3);
    assert!(
        text.contains("outcome is unknown") && text.contains("no retries left"),
        "{text}"
    );
    assert!(!text.contains("not idempotent"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn a_zero_hint_falls_back_to_backoff() {
    let fake = FakeInvites::new();
    fake.push_fault(Fault::status(429).header("retry-after", "0"));
    let client = support::in_process_builder(&fake)
        .retry_jitter(Jitter::seeded(3))
        .build()
        .unwrap();
    let started = Instant::now();
    client.list_invites(ListInvites::new()).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(375) && waited <= Duration::from_millis(500),
        "{waited:?}"
    );
}
