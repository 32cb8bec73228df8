//! `-v` / `-vv`: the library's tracing on stderr (the library never logs the key).
//!
//! ```ignore
//! logging::init(2, true); // -vv: every span and event, coloured
//! ```

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Nothing without `-v`; with `-v`, the client's events (retries, reconciliation) and a line
/// as each call and each attempt ends, with its status and duration; with `-vv`, everything
/// (the connection pool, hyper, the fake of `--demo`).
pub fn init(verbosity: u8, colors: bool) {
    let filter = match verbosity {
        0 => return,
        1 => Targets::new()
            .with_target("openai_invites", LevelFilter::DEBUG)
            .with_target("openai_invites_cli", LevelFilter::DEBUG),
        _ => Targets::new().with_default(LevelFilter::TRACE),
    };
    let format = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(colors)
        .with_target(true)
        .with_span_events(FmtSpan::CLOSE);
    // Fails only when a subscriber is already set, which nothing else here does.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(format)
        .try_init();
}
