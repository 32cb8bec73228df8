//! The key: read from the environment, a file or stdin, never from the command line, and
//! never printed, even by `-vv`, even when the service echoes it back. (Every run of the
//! support module also checks stdout and stderr for it.)

use serde_json::json;

use crate::roster::write;
use crate::support::{Fake, KEY, assert_no_key};

#[test]
fn the_key_from_a_file_or_stdin() {
    let fake = Fake::start();
    let dir = std::env::temp_dir().join(format!("openai-invites-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("admin-key");
    std::fs::write(&file, format!("{KEY}\n")).unwrap();
    let from_file = ["list", "--admin-key-file", file.to_str().unwrap()];
    fake.cli()
        .env_remove("OPENAI_ADMIN_KEY")
        .run_args(&from_file)
        .code(0);
    // The file wins over the variable.
    let stale = "sk-admin-stale-0123456789";
    fake.cli()
        .env("OPENAI_ADMIN_KEY", stale)
        .run_args(&from_file)
        .code(0);
    let mut piped = fake.cli();
    piped
        .env_remove("OPENAI_ADMIN_KEY")
        .stdin(&format!("{KEY}\n"));
    piped.run("list --admin-key-stdin").code(0);
    let mut empty = fake.cli();
    empty.env_remove("OPENAI_ADMIN_KEY").stdin("");
    empty
        .run("list --admin-key-stdin")
        .code(4)
        .stderr_has("standard input is empty");
    let missing = fake
        .cli()
        .run("list --admin-key-file /nonexistent/admin-key");
    missing.code(2).stderr_has("/nonexistent/admin-key");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_key_on_the_command_line_is_refused_and_not_repeated() {
    let fake = Fake::start();
    // The support module checks that the key is not echoed.
    fake.cli()
        .run(&format!("--admin-key {KEY} list"))
        .code(2)
        .stderr_has("OPENAI_ADMIN_KEY");
    fake.cli().run(&format!("list --admin-key={KEY}")).code(2);
    assert!(fake.requests().is_empty());
}

#[test]
fn a_service_that_echoes_the_key_does_not_make_us_print_it() {
    let fake = Fake::start();
    let echo = format!("you sent Authorization: Bearer {KEY}");
    let envelope = json!({"error": {"message": echo, "type": KEY, "param": KEY, "code": KEY}});
    let headers = json!({"x-request-id": KEY, "retry-after-ms": "1"});
    for fault in [
        // Every attempt the client makes, whatever its retry count.
        json!({"status": 500, "times": 100, "headers": headers, "json": envelope}),
        json!({"status": 401, "body": echo, "headers": {"x-request-id": format!("req_{KEY}")}}),
        json!({"status": 400, "json": {"error": {"message": echo, "type": "invalid_request_error"}}}),
        json!({"status": 200, "body": format!("{{\"broken\": \"{KEY}"), "operation": "retrieveInvite"}),
    ] {
        for verbosity in ["-v", "-vv"] {
            fake.control("DELETE", "faults", None);
            fake.fault(fault.clone());
            let run = fake.cli().run(&format!("get invite-ana {verbosity}"));
            assert_ne!(run.code, 0, "{}", run.stderr);
            run.stderr_has("error: invite-ana: retrieveInvite");
        }
    }
}

#[test]
fn traces_of_every_command_hold_no_key() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let roster = write(
        &dir,
        "cohort.csv",
        "email,role\nana@example.com,owner\ncy@example.com,reader\nroster@example.com,reader\n",
    );
    let (roster, plan, journal, report) = (
        roster.display().to_string(),
        dir.path().join("plan.json").display().to_string(),
        dir.path().join("journal.jsonl").display().to_string(),
        dir.path().join("report.csv").display().to_string(),
    );
    for line in [
        "list -vv".to_owned(),
        "get invite-ana -vv".to_owned(),
        "invite new@example.com --role reader -vv".to_owned(),
        "invite cy@example.com --role reader --dry-run -vv".to_owned(),
        "delete invite-dee --yes -vv".to_owned(),
        format!("plan {roster} --out {plan} -vv"),
        format!("apply {plan} --yes --journal {journal} --report {report} -vv"),
    ] {
        fake.cli().run(&line).code(0).stderr_has("TRACE");
    }
    // Nor do the files they wrote.
    for file in [&plan, &journal, &report] {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(!text.is_empty(), "{file}");
        assert_no_key(&text, "", &file);
    }
    let calls = fake.cli().run("list -v");
    calls.stderr_has("invites.call").stderr_has("close");
    assert!(!calls.stderr.contains("TRACE"), "{}", calls.stderr);
}
