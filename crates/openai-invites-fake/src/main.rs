//! `openai-invites-fake`: the fake invites API as a process, for tests in any language.
//!
//! Prints its base URL (`http://127.0.0.1:PORT/v1`) as the first line of stdout, then serves
//! until Ctrl-C (or SIGTERM). `--help` lists every flag; the control API is described in the
//! library's `control` module.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use openai_invites_mock::{FakeInvites, FakeServer, Seed, ServerConfig};

use cli::Args;

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.host.is_loopback() && args.control_token.is_none() {
        eprintln!(
            "error: --host {} is not loopback: anyone who can reach it could rewrite the fake, \
             so --control-token is required",
            args.host
        );
        return ExitCode::from(2);
    }
    let seed = match &args.seed {
        None => Seed::default(),
        Some(path) => match Seed::from_file(path) {
            Ok(seed) => seed,
            Err(e) => {
                eprintln!("error: --seed {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
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
    runtime.block_on(serve(args, seed))
}

async fn serve(args: Args, seed: Seed) -> ExitCode {
    let mut fake = FakeInvites::builder()
        .admin_key(args.admin_key)
        .seed(seed)
        .max_body_bytes(args.max_body_bytes)
        .max_logged_body_bytes(args.max_logged_body_bytes)
        .max_log_bytes(args.max_log_bytes)
        .max_invites(args.max_invites);
    if let Some(quota) = args.quota {
        fake = fake.quota(quota.requests, quota.per);
    }
    if let Some(token) = args.control_token {
        fake = fake.control_token(token);
    }
    let mut config = ServerConfig::default();
    config.host = args.host;
    config.port = args.port;
    config.idle_timeout = args.idle_timeout.0;
    config.header_read_timeout = args.header_read_timeout.0;
    config.body_read_timeout = args.body_read_timeout.0;
    config.max_connections = args.max_connections;
    let server = match FakeServer::serve_with(fake.build(), config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "error: could not listen on {}:{}: {e}",
                args.host, args.port
            );
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
        "openai-invites-fake: serving on {} (at most {} connections), control API at {}/; \
         Ctrl-C to stop",
        server.base_url(),
        server.max_connections(),
        server.control_url()
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
