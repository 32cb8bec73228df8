//! What a person sees, in a real pseudo-terminal: the table and its colours (and `NO_COLOR`),
//! the progress count, the delete prompt, Ctrl-C.

use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};
use serde_json::json;

use crate::support::{BIN, Fake, KEY, NOW, assert_no_key};

/// The command line in a terminal of its own, pointed at `fake`.
pub(crate) fn spawn(fake: &Fake, line: &str, env: &[(&str, &str)]) -> PtySession {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("TERM", "xterm-256color")
        .env("OPENAI_INVITES_NOW", NOW.to_string())
        .env("OPENAI_BASE_URL", &fake.base_url)
        .env("OPENAI_ADMIN_KEY", KEY)
        .envs(env.iter().copied())
        .args(line.split_whitespace());
    spawn_command(command, Some(30_000)).unwrap()
}

/// Everything the terminal showed until the program exited, and its exit code.
pub(crate) fn finish(mut session: PtySession) -> (String, i32) {
    let screen = session.exp_eof().unwrap().replace("\r\n", "\n");
    let code = match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}\n{screen}"),
    };
    assert_no_key(&screen, "", &"terminal");
    (screen, code)
}

#[test]
fn a_table_with_colours_on_a_terminal() {
    let fake = Fake::start();
    let (screen, code) = finish(spawn(&fake, "list", &[]));
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("\u{1b}[1mID\u{1b}[0m"),
        "bold header:\n{screen}"
    );
    assert!(
        screen.contains("\u{1b}[33mpending\u{1b}[0m"),
        "yellow pending:\n{screen}"
    );
    let plain = anstream::adapter::strip_str(&screen).to_string();
    assert!(
        plain.contains("invite-dee  dee@example.com  reader  pending"),
        "{plain}"
    );
    assert!(plain.contains("6 days ago      in 1 day"), "{plain}");
}

#[test]
fn no_color_turns_colours_off_and_clicolor_force_on() {
    let fake = Fake::start();
    let (screen, code) = finish(spawn(&fake, "list", &[("NO_COLOR", "1")]));
    assert_eq!(code, 0);
    assert!(screen.starts_with("ID "), "{screen}");
    assert!(!screen.contains('\u{1b}'), "{screen}");
    // Piped, a table has colours only when forced.
    let forced = fake.cli().env("CLICOLOR_FORCE", "1").run("list -o table");
    assert!(forced.stdout.contains("\u{1b}[1mID"), "{}", forced.stdout);
}

#[test]
fn progress_while_pages_come_in() {
    let fake = Fake::empty();
    let many: Vec<_> = (0..250)
        .map(|n| json!({"email": format!("u{n:03}@example.com")}))
        .collect();
    fake.seed(json!(many));
    let (screen, code) = finish(spawn(&fake, "list -o jsonl", &[]));
    assert_eq!(code, 0);
    assert!(
        screen.contains("100 invites read...") && screen.contains("200 invites read..."),
        "{screen}"
    );
    // The progress line is cleared before the data.
    let data: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("organization.invite"))
        .collect();
    assert_eq!(data.len(), 250);
    // Piped, no progress.
    let piped = fake.cli().run("list");
    assert!(!piped.stderr.contains("invites read"), "{}", piped.stderr);
}

#[test]
fn delete_asks_first_showing_what_goes() {
    let fake = Fake::start();
    let mut session = spawn(&fake, "delete invite-ana invite-dee", &[]);
    let shown = session.exp_string("Delete these 2 invites? [y/N]").unwrap();
    let shown = anstream::adapter::strip_str(&shown)
        .to_string()
        .replace("\r\n", "\n");
    assert!(
        shown.contains("invite-ana  ana@example.com  owner   pending"),
        "{shown}"
    );
    assert!(
        shown.contains("invite-dee  dee@example.com  reader  pending"),
        "{shown}"
    );
    session.send_line("y").unwrap();
    let (screen, code) = finish(session);
    assert_eq!(code, 0, "{screen}");
    let plain = anstream::adapter::strip_str(&screen).to_string();
    assert!(
        plain.contains("invite-ana  ana@example.com  yes"),
        "{plain}"
    );
    let held: Vec<_> = fake
        .invites()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(held, ["invite-eli", "invite-cy", "invite-bo"]);
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.starts_with("DELETE"))
            .count(),
        2
    );
}

#[test]
fn delete_declined_deletes_nothing() {
    let fake = Fake::start();
    let mut session = spawn(&fake, "delete --email ana@example.com", &[]);
    session.exp_string("Delete this invite? [y/N]").unwrap();
    session.send_line("").unwrap();
    let (screen, code) = finish(session);
    assert_eq!(code, 2, "{screen}");
    assert!(
        screen.contains("not confirmed: nothing deleted"),
        "{screen}"
    );
    assert_eq!(fake.invites().len(), 5);
    assert!(fake.requests().iter().all(|r| r.starts_with("GET")));
}

#[test]
fn ctrl_c_stops_with_130() {
    let fake = Fake::start();
    fake.fault(json!({"kind": "delay", "delay_ms": 20_000, "operation": "listInvites"}));
    let mut session = spawn(&fake, "list", &[]);
    // Wait until the request is at the fake, then press Ctrl-C.
    let start = Instant::now();
    while fake.requests().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the request never came"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    session.send_control('c').unwrap();
    let (screen, code) = finish(session);
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains("interrupted"), "{screen}");
}

#[test]
fn ctrl_c_at_the_prompt_stops_at_once() {
    let fake = Fake::start();
    let mut session = spawn(&fake, "delete invite-ana", &[]);
    session.exp_string("Delete this invite? [y/N]").unwrap();
    session.send_control('c').unwrap();
    let (screen, code) = finish(session);
    assert_eq!(code, 130, "{screen}");
    assert_eq!(fake.invites().len(), 5);
}

#[test]
fn the_key_is_not_read_from_a_terminal() {
    let fake = Fake::start();
    let (screen, code) = finish(spawn(&fake, "list --admin-key-stdin", &[]));
    assert_eq!(code, 2, "{screen}");
    assert!(screen.contains("reads a pipe, not a terminal"), "{screen}");
}
