//! The `openai-invites-fake` binary: prints its base URL first, serves, stops when killed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use support::{BIN, start, start_with_file_limit};

/// The whole answer to `GET path` with `key`, read within 10 s.
fn get(authority: &str, path: &str, key: &str) -> String {
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {authority}\r\n\
         authorization: Bearer {key}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("no answer within 10 s");
    answer
}

#[test]
fn serves_on_a_free_port_and_prints_the_base_url() {
    let fake = start(&["--admin-key", "sk-admin-from-cli"]);
    let authority = fake.authority();
    assert!(authority.starts_with("127.0.0.1:"));
    let answer = get(
        authority,
        "/v1/organization/invites?limit=5",
        "sk-admin-from-cli",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""object":"list""#), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("x-request-id: req_"),
        "{answer}"
    );
}

/// With 64 descriptors (the binary uses about 12 of its own) and 100 idle connections held
/// open, a request is still answered: 503 `too_many_connections`, not a time-out.
#[test]
#[cfg(unix)]
fn a_request_behind_more_idle_connections_than_descriptors_is_answered_503() {
    let fake = start_with_file_limit(64, &[]);
    let authority = fake.authority();
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(authority).unwrap())
        .collect();
    let answer = get(authority, "/v1/organization/invites", "sk-admin-test");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("too_many_connections"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
    drop(idle);
}

#[test]
fn help_and_bad_arguments() {
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout).unwrap();
    for flag in [
        "--port",
        "--host",
        "--admin-key",
        "--control-token",
        "--seed",
        "--quota",
        "--max-connections",
        "--idle-timeout",
        "--header-read-timeout",
        "--body-read-timeout",
        "--max-body-bytes",
        "--max-logged-body-bytes",
        "--max-log-bytes",
        "--max-invites",
        "--help",
        "/__fake/",
    ] {
        assert!(
            text.contains(flag),
            "--help does not mention {flag}:\n{text}"
        );
    }
    let bad = Command::new(BIN)
        .args(["--port", "seventy"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("invalid value 'seventy'") && stderr.contains("--port"),
        "{stderr}"
    );
    let unknown = Command::new(BIN).arg("--verbose").output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}
