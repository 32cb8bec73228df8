//! The `openai-invites-fake` binary: prints its base URL first, serves, stops when killed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_openai-invites-fake");

#[test]
fn serves_on_a_free_port_and_prints_the_base_url() {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--admin-key", "sk-admin-from-cli"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(30));
    let result = std::panic::catch_unwind(|| {
        let base = line.unwrap();
        let base = base.trim();
        let authority = base
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/v1"))
            .unwrap_or_else(|| panic!("unexpected first line {base:?}"));
        assert!(authority.starts_with("127.0.0.1:"));
        let mut stream = TcpStream::connect(authority).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET /v1/organization/invites?limit=5 HTTP/1.1\r\nhost: {authority}\r\n\
             authorization: Bearer sk-admin-from-cli\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains(r#""object":"list""#), "{answer}");
        assert!(
            answer.to_ascii_lowercase().contains("x-request-id: req_"),
            "{answer}"
        );
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
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
