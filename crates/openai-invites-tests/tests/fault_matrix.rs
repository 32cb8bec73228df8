//! The fault matrix: every scripted fault against every operation, with the retry policy's
//! defaults (`openai_invites::defaults`: the expectations are computed from them, so a changed
//! default regenerates the tables rather than breaking them). For each case it asserts how many
//! requests reached the server, the final result, the time waited, and for `inviteUser` that no
//! address is ever invited twice.
//!
//! In-process faults run under paused tokio time (seeded jitter, real default backoff, no real
//! waiting). Connection faults need real sockets, so they run in real time with a short backoff.
//! The table is printed (`cargo test -p openai-invites-tests --test fault_matrix --
//! --nocapture`) and must match `docs/fault-matrix.md` at the repository's root (regenerate it
//! with `UPDATE_FAULT_MATRIX=1`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fmt::Write as _;
use std::time::Duration;

use openai_invites::core::ops::OPERATIONS;
use openai_invites::core::reconcile::Reconciliation;
use openai_invites::{
    Client, ClientBuilder, Error, ErrorKind, InviteRequest, InviteRole, Jitter, ListInvites,
    OperationMeta, Reconciled, defaults,
};
use openai_invites_mock::{FakeInvites, FakeServer, Fault, Match};
use serde_json::json;
use tokio::time::Instant;

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
    /// Every request the fake received: attempts, and the reads of a reconciliation.
    requests: usize,
    attempts: u32,
    result: Expect,
    /// What reading the service found, when the call reconciled.
    reconciled: Option<Reconciled>,
    /// Bounds on the time the call took, in milliseconds.
    wait_ms: (u64, u64),
}

/// The attempts of a call that is retried until no retry is left.
const ATTEMPTS: usize = 1 + defaults::MAX_RETRIES as usize;
/// The attempt timeout the matrix sets (its delays outlast it), in ms.
const ATTEMPT_TIMEOUT: u64 = 10_000;
/// The settle delay before a reconciliation reads, in process, in ms.
const SETTLE: u64 = defaults::SETTLE_DELAY.as_millis() as u64;
/// Real time on sockets: bounds loose enough for a loaded machine.
const REAL: (u64, u64) = (0, 3000);

/// The backoffs before `retries` retries, in ms, at the ends of the jitter's (0.75, 1].
fn backoffs(retries: usize) -> (u64, u64) {
    let full: u64 = (0..retries as u32)
        .map(|n| {
            let delay = defaults::BACKOFF_BASE.saturating_mul(2u32.saturating_pow(n));
            delay.min(defaults::BACKOFF_CAP).as_millis() as u64
        })
        .sum();
    (full * 3 / 4, full)
}

/// Every default-backoff retry of a call that is never answered well.
fn all_backoffs() -> (u64, u64) {
    backoffs(ATTEMPTS - 1)
}

/// The short backoff of the socket cases, base and cap in ms.
const SHORT_BACKOFF: (u64, u64) = (20, 40);

/// Every short real-time retry: at least its jittered waits, plus generous slack for real I/O.
fn all_short_backoffs() -> (u64, u64) {
    let (base, cap) = SHORT_BACKOFF;
    let full: u64 = (0..ATTEMPTS as u32 - 1)
        .map(|n| (base << n.min(16)).min(cap))
        .sum();
    (full * 3 / 4, REAL.1)
}

fn plus((lo, hi): (u64, u64), ms: u64) -> (u64, u64) {
    (lo + ms, hi + ms)
}

fn ok(requests: usize, wait_ms: (u64, u64)) -> Case {
    Case {
        requests,
        attempts: requests as u32,
        result: Expect::Ok,
        reconciled: None,
        wait_ms,
    }
}

fn err(requests: usize, kind: ErrorKind, status: Option<u16>, wait_ms: (u64, u64)) -> Case {
    Case {
        requests,
        attempts: requests as u32,
        result: Expect::Err(kind, status),
        reconciled: None,
        wait_ms,
    }
}

fn api(requests: usize, status: u16, wait_ms: (u64, u64)) -> Case {
    err(requests, ErrorKind::Api, Some(status), wait_ms)
}

/// `case`, after `attempts` attempts and reconciliations that found `found`: the reads add to
/// the requests.
fn reconciled(case: Case, attempts: u32, reads: usize, found: Reconciled) -> Case {
    Case {
        requests: attempts as usize + reads,
        attempts,
        reconciled: Some(found),
        ..case
    }
}

/// The reads that find nothing after a create answered `status`: two, a settle delay apart,
/// after a gateway's or a timeout's answer (the origin may still be at work), else one.
fn reads_finding_nothing(status: u16) -> usize {
    match status {
        408 | 502 | 503 | 504 => 2,
        _ => 1,
    }
}

/// An ambiguous status every time: the idempotent operations are retried; each `inviteUser`
/// attempt is reconciled (settle delays and reads: not created), then sent again.
fn ambiguous(status: u16) -> [Case; 2] {
    let reads = ATTEMPTS * reads_finding_nothing(status);
    [
        api(ATTEMPTS, status, all_backoffs()),
        reconciled(
            api(0, status, plus(all_backoffs(), reads as u64 * SETTLE)),
            ATTEMPTS as u32,
            reads,
            Reconciled::NotCreated,
        ),
    ]
}

/// An ambiguous answer to a request the service acted on: `inviteUser` finds its invite.
fn acted(status: u16) -> [Case; 2] {
    [
        api(ATTEMPTS, status, all_backoffs()),
        reconciled(ok(0, (SETTLE, SETTLE)), 1, 1, Reconciled::Created),
    ]
}

/// A 2xx whose body does not decode, once, from a fake that did not act: a 2xx says the
/// service created the invite, and a list that does not show it (read twice, in case it lags)
/// cannot prove otherwise, so `inviteUser` never sends it again: the outcome stays unknown,
/// and the error says why.
fn undecodable() -> [Case; 2] {
    [
        err(1, ErrorKind::Decode, Some(200), (0, 0)),
        reconciled(
            err(0, ErrorKind::Decode, Some(200), (2 * SETTLE, 2 * SETTLE)),
            1,
            2,
            Reconciled::Failed,
        ),
    ]
}

/// A 2xx whose body does not decode, from a request the service acted on.
fn undecodable_acted() -> [Case; 2] {
    [
        err(1, ErrorKind::Decode, Some(200), (0, 0)),
        reconciled(ok(0, (SETTLE, SETTLE)), 1, 1, Reconciled::Created),
    ]
}

/// Every attempt times out, with backoffs between them; `inviteUser` reconciles after each,
/// reading twice (the service may still be at work after a timeout) before it sends again.
fn attempt_timeouts() -> [Case; 2] {
    let timeouts = ATTEMPTS as u64 * ATTEMPT_TIMEOUT;
    let idempotent = err(
        ATTEMPTS,
        ErrorKind::AttemptTimeout,
        None,
        plus(all_backoffs(), timeouts),
    );
    let reads = 2 * ATTEMPTS;
    let create = err(
        0,
        ErrorKind::AttemptTimeout,
        None,
        plus(all_backoffs(), timeouts + reads as u64 * SETTLE),
    );
    [
        idempotent,
        reconciled(create, ATTEMPTS as u32, reads, Reconciled::NotCreated),
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
    /// Whether the faults hit every request (the reads of a reconciliation too), rather than
    /// only the operation under test.
    every_request: bool,
    /// [idempotent operations, inviteUser]; `delete` overrides for one row.
    cases: [Case; 2],
    delete: Option<Case>,
}

fn row(name: &'static str, faults: fn() -> Vec<Fault>, cases: [Case; 2]) -> Row {
    Row {
        name,
        face: Face::InProcess,
        faults,
        every_request: false,
        cases,
        delete: None,
    }
}

fn quota_envelope() -> serde_json::Value {
    json!({"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota",
                     "param": null, "code": "insufficient_quota"}})
}

fn rows() -> Vec<Row> {
    vec![
        row(
            "429 retry-after-ms: 100",
            || vec![Fault::rate_limited(100)],
            [ok(2, (100, 100)), ok(2, (100, 100))],
        ),
        row(
            "429 insufficient_quota",
            || vec![Fault::status(429).json(quota_envelope())],
            [api(1, 429, (0, 0)), api(1, 429, (0, 0))],
        ),
        row(
            "429 retry-after: 3600",
            || vec![Fault::status(429).header("retry-after", "3600")],
            [api(1, 429, (0, 0)), api(1, 429, (0, 0))],
        ),
        row(
            "500",
            || vec![Fault::status(500).times(FOREVER)],
            ambiguous(500),
        ),
        row(
            "500 after the server acted",
            || vec![Fault::status(500).apply_first().times(FOREVER)],
            acted(500),
        ),
        row(
            "502 with an HTML body",
            || vec![Fault::html(502, "<html><h1>502 Bad Gateway</h1></html>").times(FOREVER)],
            ambiguous(502),
        ),
        row(
            "502 with an HTML body after the server acted",
            || {
                vec![
                    Fault::html(502, "<html><h1>502 Bad Gateway</h1></html>")
                        .apply_first()
                        .times(FOREVER),
                ]
            },
            acted(502),
        ),
        row(
            "503 until the last attempt, then success",
            || vec![Fault::status(503).times(ATTEMPTS - 1)],
            [
                ok(ATTEMPTS, all_backoffs()),
                reconciled(
                    ok(
                        0,
                        plus(
                            all_backoffs(),
                            ((ATTEMPTS - 1) * reads_finding_nothing(503)) as u64 * SETTLE,
                        ),
                    ),
                    ATTEMPTS as u32,
                    (ATTEMPTS - 1) * reads_finding_nothing(503),
                    Reconciled::NotCreated,
                ),
            ],
        ),
        row(
            "408",
            || vec![Fault::status(408).times(FOREVER)],
            ambiguous(408),
        ),
        row(
            "408 after the server acted",
            || vec![Fault::status(408).apply_first().times(FOREVER)],
            acted(408),
        ),
        row(
            "409",
            || vec![Fault::status(409).times(FOREVER)],
            ambiguous(409),
        ),
        row(
            "409 after the server acted",
            || vec![Fault::status(409).apply_first().times(FOREVER)],
            acted(409),
        ),
        row(
            "500 x-should-retry: false",
            || {
                vec![
                    Fault::status(500)
                        .header("x-should-retry", "false")
                        .times(FOREVER),
                ]
            },
            [
                api(1, 500, (0, 0)),
                reconciled(api(0, 500, (SETTLE, SETTLE)), 1, 1, Reconciled::NotCreated),
            ],
        ),
        row(
            "400 x-should-retry: true",
            || {
                vec![
                    Fault::status(400)
                        .header("x-should-retry", "true")
                        .times(FOREVER),
                ]
            },
            [
                api(ATTEMPTS, 400, all_backoffs()),
                api(ATTEMPTS, 400, all_backoffs()),
            ],
        ),
        row(
            "attempt timeout (10 s)",
            || vec![Fault::delay(Duration::from_secs(30)).times(FOREVER)],
            attempt_timeouts(),
        ),
        row(
            "attempt timeout (10 s) after the server acted",
            || {
                vec![
                    Fault::delay(Duration::from_secs(30))
                        .apply_first()
                        .times(FOREVER),
                ]
            },
            [
                attempt_timeouts()[0],
                reconciled(
                    ok(0, plus((ATTEMPT_TIMEOUT, ATTEMPT_TIMEOUT), SETTLE)),
                    1,
                    1,
                    Reconciled::Created,
                ),
            ],
        ),
        row(
            "truncated 200 body",
            || vec![Fault::truncated_body()],
            undecodable(),
        ),
        row(
            "truncated 200 body after the server acted",
            || vec![Fault::truncated_body().apply_first()],
            undecodable_acted(),
        ),
        row(
            "malformed JSON 200 body",
            || vec![Fault::malformed_json()],
            undecodable(),
        ),
        row(
            "malformed JSON 200 body after the server acted",
            || vec![Fault::malformed_json().apply_first()],
            undecodable_acted(),
        ),
        Row {
            // The service cannot be read: the reconciliation's read fails too, so the outcome
            // of the create stays unknown, and the error says why.
            every_request: true,
            ..row(
                "500 on every request, reads included",
                || vec![Fault::status(500).times(FOREVER)],
                [
                    api(ATTEMPTS, 500, all_backoffs()),
                    // After the settle delay, the read is retried as any read is.
                    reconciled(
                        api(0, 500, plus(all_backoffs(), SETTLE)),
                        1,
                        ATTEMPTS,
                        Reconciled::Failed,
                    ),
                ],
            )
        },
        Row {
            face: Face::Loopback,
            // The first DELETE took effect; the retry's 404 means it is done.
            delete: Some(reconciled(ok(0, REAL), 2, 0, Reconciled::Deleted)),
            ..row(
                "connection dropped after the server acted",
                || vec![Fault::drop_connection().apply_first()],
                [
                    ok(2, REAL),
                    reconciled(ok(0, REAL), 1, 1, Reconciled::Created),
                ],
            )
        },
        Row {
            face: Face::Loopback,
            ..row(
                "connection dropped",
                || vec![Fault::drop_connection()],
                [
                    ok(2, REAL),
                    reconciled(ok(0, REAL), 2, 2, Reconciled::NotCreated),
                ],
            )
        },
        Row {
            face: Face::Refused,
            ..row(
                "connection refused",
                Vec::new,
                [
                    Case {
                        attempts: ATTEMPTS as u32,
                        ..err(0, ErrorKind::Connect, None, all_short_backoffs())
                    },
                    Case {
                        attempts: ATTEMPTS as u32,
                        ..err(0, ErrorKind::Connect, None, all_short_backoffs())
                    },
                ],
            )
        },
    ]
}

fn expected(row: &Row, operation: &OperationMeta) -> Case {
    if !operation.idempotent {
        row.cases[1]
    } else if operation.reconcile == Reconciliation::NotFoundMeansDeleted {
        row.delete.unwrap_or(row.cases[0])
    } else {
        row.cases[0]
    }
}

async fn call(client: &Client, operation: &OperationMeta, existing: &str) -> Result<(), Error> {
    match operation.name {
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
        .attempt_timeout(Duration::from_millis(ATTEMPT_TIMEOUT));
    if face == Face::InProcess {
        builder
    } else {
        let (base, cap) = SHORT_BACKOFF;
        builder
            .retry_backoff(Duration::from_millis(base), Duration::from_millis(cap))
            .reconcile_settle_delay(Duration::from_millis(base))
    }
}

/// The operation a fault is scoped to.
fn scope(operation: &OperationMeta) -> Match {
    Match::Operation(operation.clone())
}

/// What a case keeps alive while it runs.
#[allow(dead_code)]
enum Held {
    Server(FakeServer),
    Socket(tokio::net::TcpSocket),
}

/// Runs one case; returns (requests received, result, waited).
async fn run(
    row: &Row,
    operation: &OperationMeta,
) -> (usize, Result<(), Error>, Duration, FakeInvites) {
    let fake = FakeInvites::new();
    let existing = fake
        .seed(InviteRequest::new(
            "existing@example.com",
            InviteRole::Owner,
        ))
        .id;
    for fault in (row.faults)() {
        let fault = if row.every_request {
            fault
        } else {
            fault.matching(scope(operation))
        };
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
            (client, Some(Held::Server(server)))
        }
        Face::Refused => {
            // A socket bound but never listening: connections to its port are refused, and no
            // other process can take the port while the case runs.
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
            let port = socket.local_addr().unwrap().port();
            let client = configure(Client::builder(), row.face)
                .admin_key(fake.admin_key())
                .base_url(&format!("http://127.0.0.1:{port}/v1"))
                .build()
                .unwrap();
            (client, Some(Held::Socket(socket)))
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

/// For `inviteUser`: one invite for the address when the call succeeded, none when it says the
/// create did not happen, never two; "unknown" only when the service could not be read or
/// answered 2xx without listing the invite.
fn check_the_store(fake: &FakeInvites, result: &Result<(), Error>, case: &Case, context: &str) {
    let same = fake
        .invites()
        .iter()
        .filter(|i| i.email == NEW_EMAIL)
        .count();
    assert!(same <= 1, "{same} invites for one address: {context}");
    match result {
        Ok(()) => assert_eq!(same, 1, "a successful create made one invite: {context}"),
        Err(e) => {
            assert_eq!(e.reconciled(), case.reconciled, "reconciled: {context}");
            match e.reconciled() {
                Some(Reconciled::NotCreated) => {
                    assert_eq!(same, 0, "{context}");
                    assert!(!e.is_outcome_unknown(), "{context}");
                    assert!(e.to_string().contains("it was not created"), "{e}");
                }
                Some(Reconciled::Failed) => {
                    assert!(e.is_outcome_unknown(), "{context}");
                    assert!(e.to_string().contains("could not tell"), "{e}");
                }
                _ => assert!(!e.is_outcome_unknown(), "{context}"),
            }
        }
    }
}

async fn check_row(row: &Row, table: &mut String) {
    for operation in OPERATIONS {
        let case = expected(row, operation);
        let (requests, result, waited, fake) = run(row, operation).await;
        let context = format!("{} / {}: {result:?}", row.name, operation.name);
        assert_eq!(requests, case.requests, "requests: {context}");
        assert_eq!(outcome(&result), case.result, "result: {context}");
        if let Err(e) = &result {
            assert_eq!(e.attempts(), case.attempts, "attempts: {context}");
        }
        let ms = waited.as_millis() as u64;
        assert!(
            (case.wait_ms.0..=case.wait_ms.1).contains(&ms),
            "waited {ms} ms, expected {:?}: {context}",
            case.wait_ms
        );
        if !operation.idempotent {
            check_the_store(&fake, &result, &case, &context);
        }
        let face = match row.face {
            Face::InProcess => "in process, paused time",
            Face::Loopback => "loopback, real time",
            Face::Refused => "nothing listening, real time",
        };
        writeln!(
            table,
            "| {} | {face} | `{}` | {} | {} | {} | {} |",
            row.name,
            operation.name,
            case.requests,
            describe(case.result),
            case.reconciled.map_or("", Reconciled::as_str),
            wait_text(case.wait_ms)
        )
        .unwrap();
    }
}

const HEADER: &str = "| fault | face | operation | requests received | result | reconciled | time taken |\n|---|---|---|---|---|---|---|\n";

/// The settings a table was made with, above it: the defaults, from their constants.
fn settings(face: Face) -> String {
    let (backoff, settle) = match face {
        Face::InProcess => (
            format!(
                "{:?} doubling to {:?}",
                defaults::BACKOFF_BASE,
                defaults::BACKOFF_CAP
            ),
            format!("{:?}", defaults::SETTLE_DELAY),
        ),
        _ => {
            let (base, cap) = SHORT_BACKOFF;
            (format!("{base}ms doubling to {cap}ms"), format!("{base}ms"))
        }
    };
    format!(
        "Settings: `max_retries` {} ({ATTEMPTS} attempts); backoff {backoff}, jitter factor in \
         (0.75, 1]; hints honoured up to {:?}; settle delay {settle}; attempt timeout {:?}.\n\n",
        defaults::MAX_RETRIES,
        defaults::MAX_RETRY_AFTER,
        Duration::from_millis(ATTEMPT_TIMEOUT),
    )
}

#[tokio::test(start_paused = true)]
async fn fault_matrix_in_process() {
    let mut table = settings(Face::InProcess) + HEADER;
    for row in rows().iter().filter(|r| r.face == Face::InProcess) {
        check_row(row, &mut table).await;
    }
    println!("{table}");
    compare_with_docs("in-process", &table);
}

#[tokio::test]
async fn fault_matrix_over_sockets() {
    let mut table = settings(Face::Loopback) + HEADER;
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
    let client = support::in_process_builder(&fake)
        .max_retries(2)
        .build()
        .unwrap();
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
        .reconcile_invites(false)
        .build()
        .unwrap();
    client
        .invite_user(InviteRequest::new(NEW_EMAIL, InviteRole::Reader))
        .await
        .unwrap();
    assert_eq!(fake.request_count(), 2, "sent again blindly, as asked");
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
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/fault-matrix.md");
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
        "docs/fault-matrix.md is out of date: run UPDATE_FAULT_MATRIX=1 cargo test -p openai-invites-tests --test fault_matrix"
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
        .max_retries(2)
        .retry_non_idempotent(true)
        .reconcile_invites(false)
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
        .retry_backoff(Duration::from_millis(500), Duration::from_secs(8))
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
