//! The key: read from the environment, a file or stdin, never from the command line, and
//! never printed, even by `-vv`, even when the service echoes it back. (Every run of the
//! support module also checks stdout and stderr for it.)

use serde_json::json;

use crate::support::{Fake, KEY};

#[test]
fn the_key_from_a_file_or_stdin() {
    let fake = Fake::start();
    let dir = std::env::temp_dir().join(format!("openai-invites-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("admin-key");
    std::fs::write(&file, format!("{KEY}\n")).unwrap();
    let path = file.to_str().unwrap();
    fake.cli()
        .env_remove("OPENAI_ADMIN_KEY")
        .run(&["list", "--admin-key-file", path])
        .code(0);
    // The file wins over the variable.
    fake.cli()
        .env("OPENAI_ADMIN_KEY", "sk-admin-stale-0123456789")
        .run(&["--admin-key-file", path, "list"])
        .code(0);
    fake.cli()
        .env_remove("OPENAI_ADMIN_KEY")
        .stdin(&format!("{KEY}\n"))
        .run(&["list", "--admin-key-stdin"])
        .code(0);
    let empty = fake
        .cli()
        .env_remove("OPENAI_ADMIN_KEY")
        .stdin("")
        .run(&["list", "--admin-key-stdin"]);
    empty.code(4);
    assert!(
        empty.stderr.contains("standard input is empty"),
        "{}",
        empty.stderr
    );
    let missing = fake
        .cli()
        .run(&["list", "--admin-key-file", "/nonexistent/admin-key"]);
    missing.code(2);
    assert!(
        missing.stderr.contains("/nonexistent/admin-key"),
        "{}",
        missing.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_key_on_the_command_line_is_refused_and_not_repeated() {
    let fake = Fake::start();
    for args in [
        &["--admin-key", KEY, "list"][..],
        &["list", &format!("--admin-key={KEY}")],
    ] {
        let run = fake.cli().run(args); // the support module checks the key is not echoed
        run.code(2);
        assert!(run.stderr.contains("OPENAI_ADMIN_KEY"), "{}", run.stderr);
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn a_service_that_echoes_the_key_does_not_make_us_print_it() {
    let fake = Fake::start();
    let echo = format!("you sent Authorization: Bearer {KEY}");
    for fault in [
        json!({"status": 500, "times": 3, "headers": {"x-request-id": KEY, "retry-after-ms": "1"},
               "json": {"error": {"message": echo, "type": KEY, "param": KEY, "code": KEY}}}),
        json!({"status": 401, "body": echo, "headers": {"x-request-id": format!("req_{KEY}")}}),
        json!({"status": 400, "json": {"error": {"message": echo, "type": "invalid_request_error"}}}),
        json!({"status": 200, "body": format!("{{\"broken\": \"{KEY}"), "operation": "retrieveInvite"}),
    ] {
        for verbosity in ["-v", "-vv"] {
            fake.control("DELETE", "faults", None);
            fake.fault(fault.clone());
            let run = fake.cli().run(&["get", "invite-ana", verbosity]);
            assert_ne!(run.code, 0, "{}", run.stderr);
            assert!(
                run.stderr.contains("error: invite-ana: retrieveInvite"),
                "{}",
                run.stderr
            );
        }
    }
}

#[test]
fn traces_of_every_command_hold_no_key() {
    let fake = Fake::start();
    for args in [
        &["list", "-vv"][..],
        &["get", "invite-ana", "-vv"],
        &["invite", "new@example.com", "--role", "reader", "-vv"],
        &[
            "invite",
            "cy@example.com",
            "--role",
            "reader",
            "--dry-run",
            "-vv",
        ],
        &["delete", "invite-dee", "--yes", "-vv"],
    ] {
        let run = fake.cli().run(args);
        run.code(0);
        assert!(run.stderr.contains("TRACE"), "{}", run.stderr);
    }
    let calls = fake.cli().run(&["list", "-v"]);
    assert!(
        calls.stderr.contains("invites.call") && calls.stderr.contains("close"),
        "{}",
        calls.stderr
    );
    assert!(!calls.stderr.contains("TRACE"), "{}", calls.stderr);
}
