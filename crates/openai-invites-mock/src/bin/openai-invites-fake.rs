//! `openai-invites-fake`: the fake invites API as a process, for tests in any language.
//!
//! Prints its base URL (`http://127.0.0.1:PORT/v1`) as the first line of stdout, then serves
//! until Ctrl-C (or SIGTERM).

use std::io::Write;
use std::process::ExitCode;

use openai_invites_mock::{DEFAULT_ADMIN_KEY, FakeInvites, FakeServer};

const USAGE: &str = "\
openai-invites-fake: a fake OpenAI organization invites API on 127.0.0.1

USAGE:
    openai-invites-fake [--port PORT] [--admin-key KEY]

OPTIONS:
    --port PORT        port to listen on, 0 picks a free one (default 0)
    --admin-key KEY    admin key clients must send as `Authorization: Bearer KEY`
                       (default sk-admin-test)
    -h, --help         print this help

The first line of stdout is the base URL, e.g. http://127.0.0.1:8080/v1.";

#[derive(Debug)]
struct Args {
    port: u16,
    admin_key: String,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        port: 0,
        admin_key: DEFAULT_ADMIN_KEY.to_owned(),
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                let text = value("--port")?;
                parsed.port = text.parse().map_err(|_| format!("invalid port `{text}`"))?;
            }
            "--admin-key" => {
                parsed.admin_key = value("--admin-key")?;
                if parsed.admin_key.is_empty() {
                    return Err("--admin-key must not be empty".to_owned());
                }
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Some(parsed))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> ExitCode {
    let fake = FakeInvites::builder().admin_key(args.admin_key).build();
    let server = match FakeServer::serve_on(fake, args.port).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: could not listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", server.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    eprintln!(
        "openai-invites-fake: serving on {}; Ctrl-C to stop",
        server.base_url()
    );
    interrupted().await;
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM on Unix (what process managers and test harnesses send).
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Args>, String> {
        parse(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn flags() {
        let a = args(&[]).unwrap().unwrap();
        assert_eq!((a.port, a.admin_key.as_str()), (0, DEFAULT_ADMIN_KEY));
        let a = args(&["--port", "8080", "--admin-key", "sk-x"])
            .unwrap()
            .unwrap();
        assert_eq!((a.port, a.admin_key.as_str()), (8080, "sk-x"));
        let a = args(&["--port=9", "--admin-key=k=v"]).unwrap().unwrap();
        assert_eq!((a.port, a.admin_key.as_str()), (9, "k=v"));
        assert!(args(&["-h"]).unwrap().is_none());
        assert!(args(&["--port"]).unwrap_err().contains("needs a value"));
        assert!(args(&["--port", "70000"]).is_err());
        assert!(args(&["--admin-key", ""]).is_err());
        assert!(args(&["extra"]).unwrap_err().contains("unknown"));
    }
}
