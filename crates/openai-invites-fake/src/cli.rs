//! The command line, parsed by clap: every flag and its default, as `--help` shows them.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use openai_invites_core::headers::parse_go_duration;
use openai_invites_mock::{
    DEFAULT_ADMIN_KEY, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_INVITES,
    DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_LOGGED_BODY_BYTES, RequestQuota, ServerConfig,
};

/// The shortest control token accepted: shorter ones are guessable and cannot be scrubbed.
const MIN_TOKEN_LEN: usize = 16;

/// A fake OpenAI organization invites API, for tests in any language.
///
/// Prints its base URL (e.g. http://127.0.0.1:8080/v1) as the first line of stdout, then
/// serves until Ctrl-C or SIGTERM. The control API under /__fake/ seeds invites, accepts or
/// expires them, scripts faults, reads the request log, sets the quota and resets the fake.
#[derive(Debug, Parser)]
#[command(name = "openai-invites-fake", version)]
#[command(after_help = "\
Control API: GET $FAKE/__fake/ lists the routes, e.g.
  curl -X POST $FAKE/__fake/faults -d '{\"status\": 503, \"times\": 2, \"operation\": \"listInvites\"}'
Described in full at https://docs.rs/openai-invites-mock/latest/openai_invites_mock/control/")]
pub(crate) struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// Address to bind. Anything but loopback requires --control-token.
    #[arg(long, default_value_t = ServerConfig::default().host)]
    pub(crate) host: IpAddr,
    /// Admin key clients must send as `Authorization: Bearer KEY`.
    #[arg(long, value_name = "KEY", default_value = DEFAULT_ADMIN_KEY, value_parser = non_empty)]
    pub(crate) admin_key: String,
    /// Token every control request must carry in x-fake-control-token (at least 16
    /// characters). None by default: fine on loopback, needed for a shared fake.
    #[arg(long, value_name = "TOKEN", value_parser = control_token)]
    pub(crate) control_token: Option<String>,
    /// Invites to start with, and to return to on POST /__fake/reset: a JSON file,
    /// {"invites": [{"id": "invite-1", "email": "ana@example.com", "status": "accepted"}, ...]}.
    // The help text quotes JSON; rustdoc would read its brackets as links.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(long, value_name = "FILE")]
    pub(crate) seed: Option<PathBuf>,
    /// Server-side request quota, N authenticated requests per PERIOD (e.g. 100/1m, 5/1s);
    /// over it, 429 with retry hints. Off by default.
    #[arg(long, value_name = "N/PERIOD")]
    pub(crate) quota: Option<RequestQuota>,
    /// Most connections served at once (lowered to fit the open-file limit); one more is
    /// answered 503 and closed.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub(crate) max_connections: usize,
    /// Close a connection that has had no request in flight for this long.
    #[arg(long, value_name = "DURATION", default_value_t = Wait(DEFAULT_IDLE_TIMEOUT), value_parser = duration)]
    pub(crate) idle_timeout: Wait,
    /// Close an HTTP/1 connection whose next request head is not complete this long after its
    /// first byte or the previous answer.
    #[arg(long, value_name = "DURATION", default_value_t = Wait(DEFAULT_HEADER_READ_TIMEOUT), value_parser = duration)]
    pub(crate) header_read_timeout: Wait,
    /// Answer 408 and close when a request body takes longer than this.
    #[arg(long, value_name = "DURATION", default_value_t = Wait(DEFAULT_BODY_READ_TIMEOUT), value_parser = duration)]
    pub(crate) body_read_timeout: Wait,
    /// Largest request body accepted, in bytes; larger is 413.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub(crate) max_body_bytes: usize,
    /// Most of one request body the request log keeps, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LOGGED_BODY_BYTES)]
    pub(crate) max_logged_body_bytes: usize,
    /// Most the whole request log holds, in bytes; the oldest entries go first.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LOG_BYTES)]
    pub(crate) max_log_bytes: usize,
    /// Most invites the store holds; creating more is refused.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_INVITES)]
    pub(crate) max_invites: usize,
}

fn non_empty(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(text.to_owned())
    }
}

fn control_token(text: &str) -> Result<String, String> {
    if text.len() < MIN_TOKEN_LEN || text.contains(char::is_whitespace) {
        Err(format!(
            "must be at least {MIN_TOKEN_LEN} characters, without spaces"
        ))
    } else {
        Ok(text.to_owned())
    }
}

/// A timeout flag's value: more than zero; shown as `30s` or `500ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Wait(pub(crate) Duration);

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.subsec_millis() {
            0 => write!(f, "{}s", self.0.as_secs()),
            _ => write!(f, "{}ms", self.0.as_millis()),
        }
    }
}

/// A Go-style duration: `30s`, `500ms`, `1m30s`; more than zero.
fn duration(text: &str) -> Result<Wait, String> {
    parse_go_duration(text)
        .filter(|d| !d.is_zero())
        .map(Wait)
        .ok_or_else(|| format!("`{text}` is not a duration such as 30s, 500ms or 1m30s"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(list: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("openai-invites-fake").chain(list.iter().copied()))
    }

    #[test]
    fn the_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn defaults_are_the_library_defaults() {
        let a = parse(&[]).unwrap();
        assert_eq!((a.port, a.admin_key.as_str()), (0, DEFAULT_ADMIN_KEY));
        assert!(a.host.is_loopback());
        assert_eq!(a.idle_timeout.0, DEFAULT_IDLE_TIMEOUT);
        assert_eq!(a.header_read_timeout.0, DEFAULT_HEADER_READ_TIMEOUT);
        assert_eq!(a.body_read_timeout.0, DEFAULT_BODY_READ_TIMEOUT);
        assert_eq!(Wait(Duration::from_millis(1500)).to_string(), "1500ms");
        assert_eq!(a.max_connections, DEFAULT_MAX_CONNECTIONS);
        assert_eq!((a.quota, a.seed, a.control_token), (None, None, None));
    }

    #[test]
    fn flags() {
        let a = parse(&[
            "--port=8080",
            "--admin-key",
            "k=v",
            "--quota",
            "5/1s",
            "--idle-timeout",
            "250ms",
            "--control-token",
            "0123456789abcdef",
            "--seed",
            "seed.json",
        ])
        .unwrap();
        assert_eq!((a.port, a.admin_key.as_str()), (8080, "k=v"));
        assert_eq!(a.quota, Some(RequestQuota::new(5, Duration::from_secs(1))));
        assert_eq!(a.idle_timeout, Wait(Duration::from_millis(250)));
        assert_eq!(a.control_token.as_deref(), Some("0123456789abcdef"));
        assert_eq!(a.seed, Some(PathBuf::from("seed.json")));
        for bad in [
            &["--port", "70000"][..],
            &["--port"],
            &["--admin-key", ""],
            &["--quota", "5"],
            &["--idle-timeout", "0s"],
            &["--control-token", "short"],
            &["--host", "localhost"],
            &["extra"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
