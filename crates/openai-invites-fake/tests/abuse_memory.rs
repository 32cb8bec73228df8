//! Memory under garbage, measured on the `openai-invites-fake` process (RSS from /proc): a
//! flood of 1 MiB POSTs grows it by far less than it sends, and a normal request still answers.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use openai_invites_mock::FakeProcess;

const KEY: &str = "sk-admin-memory-test";
const MIB: usize = 1024 * 1024;
/// The bound the issue sets for 400 unauthenticated 1 MiB POSTs.
const MAX_GROWTH_KIB: u64 = 32 * 1024;

/// The binary, killed when dropped.
struct Fake(FakeProcess);

impl Fake {
    fn start(extra: &[&str]) -> Self {
        let args: Vec<&str> = ["--admin-key", KEY].iter().chain(extra).copied().collect();
        Self(support::start(&args))
    }

    /// Resident memory in KiB, from /proc/PID/status.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// One request on a fresh connection; the status and the body.
    fn send(&self, method: &str, path: &str, auth: bool, body: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(self.0.authority()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let auth = if auth {
            format!("authorization: Bearer {KEY}\r\n")
        } else {
            String::new()
        };
        let head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\n{auth}content-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n",
            self.0.authority(),
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        // The server may answer and close before reading a body it will not use.
        let _ = stream.write_all(body);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    /// `count` POSTs of `size` bytes from four threads, while this thread checks that a normal
    /// request still answers.
    fn flood(&self, count: usize, size: usize, auth: bool, expect: u16) {
        let body = vec![b'x'; size];
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..count / 4 {
                        let (status, _) =
                            self.send("POST", "/v1/organization/invites", auth, &body);
                        assert_eq!(status, expect);
                    }
                });
            }
            std::thread::sleep(Duration::from_millis(200));
            let (status, _) = self.send("GET", "/v1/organization/invites?limit=1", true, b"");
            assert_eq!(status, 200, "a normal request failed during the flood");
        });
    }

    fn log(&self) -> serde_json::Value {
        let (status, body) = self.send("GET", "/__fake/requests", false, b"");
        assert_eq!(status, 200);
        serde_json::from_str(&body).unwrap()
    }
}

#[test]
fn four_hundred_unauthenticated_megabyte_posts_keep_no_body() {
    let fake = Fake::start(&[]);
    fake.flood(8, MIB, false, 401); // warm the allocator up
    let before = fake.rss_kib();
    fake.flood(400, MIB, false, 401);
    let after = fake.rss_kib();
    let growth = after.saturating_sub(before);
    eprintln!("RSS {before} KiB -> {after} KiB after 400 x 1 MiB unauthenticated: +{growth} KiB");
    assert!(growth < MAX_GROWTH_KIB, "grew {growth} KiB");
    let log = fake.log();
    assert_eq!(log["total"], 408 + 2);
    assert!(
        log["bytes"].as_u64().unwrap() < MIB as u64,
        "{}",
        log["bytes"]
    );
}

#[test]
fn authenticated_megabyte_posts_stay_within_the_log_cap() {
    let fake = Fake::start(&["--max-log-bytes", "4194304"]);
    fake.flood(8, MIB, true, 400);
    let before = fake.rss_kib();
    fake.flood(200, MIB, true, 400);
    let after = fake.rss_kib();
    let growth = after.saturating_sub(before);
    eprintln!("RSS {before} KiB -> {after} KiB after 200 x 1 MiB authenticated: +{growth} KiB");
    assert!(growth < MAX_GROWTH_KIB, "grew {growth} KiB");
    let log = fake.log();
    assert!(
        log["bytes"].as_u64().unwrap() <= 4 * MIB as u64,
        "{}",
        log["bytes"]
    );
    let kept = log["data"].as_array().unwrap();
    assert!(
        kept.len() < 100,
        "the oldest were forgotten: {}",
        kept.len()
    );
    let last = kept.iter().rev().find(|e| e["method"] == "POST").unwrap();
    assert_eq!(
        last["body"].as_str().unwrap().len(),
        64 * 1024,
        "cut at 64 KiB"
    );
    assert_eq!(last["body_truncated"], true);
}
