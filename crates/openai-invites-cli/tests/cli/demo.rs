//! `--demo` (no key, no network), the help texts and the completion scripts.

use snapbox::{assert_data_eq, file};

use crate::support::Cli;

#[test]
fn the_demo_needs_no_key_and_no_network() {
    let table = Cli::new().run("--demo list -o table");
    table.code(0);
    assert_data_eq!(table.stdout.clone(), file!["snapshots/demo.list.table.txt"]);
    assert!(table.stderr.starts_with("demo: "), "{}", table.stderr);
    let pending = Cli::new().run("--demo list --status pending");
    assert_eq!(pending.stdout.lines().count(), 5);
    let invite = Cli::new().run("--demo invite new@example.com --role reader");
    invite.code(0).stderr_has("created invite-");
    Cli::new()
        .run("--demo invite bo@example.com --role reader --dry-run")
        .code(0);
    Cli::new().run("--demo get invite-demo03").code(0);
    Cli::new().run("--demo delete invite-demo01 --yes").code(0);
    Cli::new().run("--demo delete invite-demo02 --yes").code(2); // accepted
    Cli::new()
        .run("--demo --base-url http://127.0.0.1:9/v1 list")
        .code(2);
}

#[test]
fn every_command_has_help_with_examples() {
    let top = Cli::new().run("--help");
    top.code(0);
    let needles = ["list", "get", "invite", "delete", "completions", "--demo"];
    for needle in needles
        .iter()
        .chain(&["OPENAI_ADMIN_KEY", "Exit codes:", "130"])
    {
        assert!(
            top.stdout.contains(needle),
            "--help lacks {needle}:\n{}",
            top.stdout
        );
    }
    for command in [
        "list",
        "get",
        "invite",
        "delete",
        "plan",
        "apply",
        "completions",
    ] {
        let help = Cli::new().run(&format!("{command} --help"));
        help.code(0);
        assert!(
            help.stdout.contains("Examples:"),
            "{command} --help:\n{}",
            help.stdout
        );
        let example = format!("openai-invites {command}");
        assert!(help.stdout.contains(&example), "{}", help.stdout);
    }
    let invite = Cli::new().run("invite --help");
    assert_data_eq!(invite.stdout, file!["snapshots/invite.help.txt"]);
}

#[test]
fn completion_scripts() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef openai-invites"),
        ("fish", "complete -c openai-invites"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = Cli::new().run(&format!("completions {shell}"));
        run.code(0);
        assert!(run.stdout.contains(marker), "{shell}:\n{}", run.stdout);
        let complete = run.stdout.contains("admin-key-file") && run.stdout.contains("delete");
        assert!(complete, "{shell}");
        assert_eq!(run.stderr, "");
    }
    Cli::new().run("completions tcsh").code(2);
}
