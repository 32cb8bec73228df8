//! One test per exit code class, each against the fake binary with a scripted fault.

use serde_json::json;

use crate::support::{Cli, Fake, KEY};

/// The one line the error is printed on names what failed, the status and the request id.
fn assert_error_line(stderr: &str, what: &str, status: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let line = lines[0];
    assert!(line.starts_with(&format!("error: {what}: ")), "{line}");
    assert!(line.contains(status), "{line}");
    assert!(line.contains("[request id req_"), "{line}");
}

#[test]
fn success_is_0_and_failure_1_for_a_404() {
    let fake = Fake::start();
    fake.cli().run("get invite-ana").code(0);
    let missing = fake.cli().run("get invite-nope");
    missing.code(1);
    assert_error_line(&missing.stderr, "invite-nope", "404 Not Found");
    assert_eq!(missing.stdout, "");
}

#[test]
fn a_refused_key_is_4() {
    let fake = Fake::start();
    let wrong = "sk-admin-wrong-0123456789";
    let run = fake.cli().env("OPENAI_ADMIN_KEY", wrong).run("list");
    run.code(4)
        .stderr_has("401 Unauthorized")
        .stderr_has("hint: the key was refused");
    assert!(!run.stderr.contains(wrong), "{}", run.stderr);
    fake.fault(json!({"status": 403}));
    fake.cli()
        .run("get invite-ana")
        .code(4)
        .stderr_has("403 Forbidden");
}

#[test]
fn no_key_is_4_and_says_what_to_set() {
    let run = Cli::new().run("list");
    run.code(4).stderr_has("--demo");
    assert!(
        run.stderr
            .starts_with("error: no admin key: set OPENAI_ADMIN_KEY"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);
    let api_key_only = Cli::new().env("OPENAI_API_KEY", "sk-proj-abc").run("list");
    api_key_only
        .code(4)
        .stderr_has("OPENAI_API_KEY is set but deliberately not read");
}

#[test]
fn a_503_then_success_is_0() {
    let fake = Fake::start();
    let hint = json!({"retry-after-ms": "10"});
    fake.fault(json!({"status": 503, "operation": "listInvites", "headers": hint}));
    let run = fake.cli().run("list");
    run.code(0);
    assert_eq!(run.stdout.lines().count(), 5);
    assert_eq!(fake.requests(), ["GET listInvites"; 2]);
}

#[test]
fn an_ambiguous_create_is_reconciled_not_sent_twice() {
    let fake = Fake::start();
    // The create is made, then the connection drops before the answer.
    fake.fault(json!({"kind": "drop_connection", "apply_first": true, "operation": "inviteUser"}));
    let run = fake.cli().run("invite amb@example.com --role reader");
    run.code(0);
    assert!(run.stderr.starts_with("created invite-"), "{}", run.stderr);
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.starts_with("POST"))
            .count(),
        1
    );
    let held = fake
        .invites()
        .into_iter()
        .filter(|i| i["email"] == "amb@example.com")
        .count();
    assert_eq!(held, 1);
}

#[test]
fn an_unknown_outcome_is_5() {
    let fake = Fake::start();
    // A delete answered 503 every time: it may have happened.
    let hint = json!({"retry-after-ms": "10"});
    fake.fault(json!({"status": 503, "operation": "deleteInvite", "times": 10, "headers": hint}));
    let run = fake.cli().run("delete invite-ana --yes");
    run.code(5).stderr_has("the outcome is unknown");
    assert_error_line(&run.stderr, "invite-ana", "503 Service Unavailable");
    // A create cut short while the service holds it, with no time left to read the invites.
    let slow = json!({"kind": "drop_connection", "apply_first": true, "delay_ms": 3000,
                      "operation": "inviteUser"});
    fake.fault(slow);
    let create = fake
        .cli()
        .run("invite slow@example.com --role reader --timeout 1s");
    create.code(5).stderr_has("the outcome is unknown");
}

#[test]
fn partial_is_3() {
    let fake = Fake::start();
    fake.cli()
        .run("delete invite-ana invite-nope --yes")
        .code(3);
}

#[test]
fn bad_usage_is_2() {
    Cli::new()
        .run("list --status gone")
        .code(2)
        .stderr_has("invalid value 'gone'");
    Cli::new().run("frobnicate").code(2);
    Cli::new().run("invite a@example.com").code(2); // --role is required
    // Input the library refuses before sending anything.
    let fake = Fake::start();
    fake.cli()
        .run_args(&["get", ""])
        .code(2)
        .stderr_has("nothing was sent");
    assert!(fake.requests().is_empty());
    let help = Cli::new().run("--help");
    help.code(0);
    assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);
}

#[test]
fn no_service_is_1() {
    // Nothing listens on the discard port of loopback.
    let run = Cli::new()
        .env("OPENAI_ADMIN_KEY", KEY)
        .env("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
        .run("get invite-ana --max-retries 0");
    run.code(1).stderr_has("127.0.0.1:9");
    assert!(
        run.stderr.starts_with("error: invite-ana: retrieveInvite:"),
        "{}",
        run.stderr
    );
}
