//! The global flags as one plain, checked value: where the key comes from, the client's
//! settings, the output format, "now".
//!
//! ```ignore
//! let config = Config::from_args(&cli.global)?; // a Failure says what is wrong
//! assert_eq!(config.key, KeySource::Environment);
//! ```

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::cli::Global;
use crate::exit::Failure;
use crate::output::Format;
use crate::rate::{AUTO_NOT_SHARED, Rate};
use crate::shared_limit::{ENV_REDIS_URL, SharedLimit};

/// Hidden, for tests: "now" in unix seconds, so relative times ("3 days ago") and the demo's
/// sample invites are the same on every run.
pub const ENV_NOW: &str = "OPENAI_INVITES_NOW";

/// Where the admin key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `OPENAI_ADMIN_KEY`, read by the library.
    Environment,
    /// The first line of a file.
    File(PathBuf),
    /// The first line of standard input.
    Stdin,
    /// No key: the demo's fake.
    Demo,
}

/// Settings of the client, each `None` for the library's default.
#[derive(Debug, Clone, Default)]
pub struct ClientSettings {
    pub base_url: Option<String>,
    pub organization: Option<String>,
    pub project: Option<String>,
    pub total_timeout: Option<Duration>,
    pub max_retries: Option<u32>,
    pub rate: Option<Rate>,
    /// `--redis-url`: the rate limit kept on Redis.
    pub shared: Option<SharedLimit>,
}

/// Everything the global flags say.
#[derive(Debug, Clone)]
pub struct Config {
    pub key: KeySource,
    pub client: ClientSettings,
    /// `None`: the default for where stdout goes.
    pub format: Option<Format>,
    pub verbosity: u8,
    /// Unix seconds.
    pub now: i64,
}

impl Config {
    /// Checks the global flags, and reads [`ENV_NOW`].
    pub fn from_args(global: &Global) -> Result<Self, Failure> {
        Self::from_args_with(global, |name| std::env::var(name).ok())
    }

    fn from_args_with(
        global: &Global,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Failure> {
        if global.admin_key.is_some() {
            return Err(Failure::Refused(
                "--admin-key is not accepted: a key on the command line stays in the shell's \
                 history and shows in `ps`; set OPENAI_ADMIN_KEY, or use --admin-key-file PATH \
                 or --admin-key-stdin"
                    .to_owned(),
            ));
        }
        let key = if global.demo {
            KeySource::Demo
        } else if let Some(path) = &global.admin_key_file {
            KeySource::File(path.clone())
        } else if global.admin_key_stdin {
            KeySource::Stdin
        } else {
            KeySource::Environment
        };
        let shared = global
            .redis_url
            .clone()
            .or_else(|| var(ENV_REDIS_URL).filter(|url| !url.trim().is_empty()))
            .map(|url| SharedLimit::new(url, global.redis_name.clone()));
        if shared.is_some() && global.rate == Some(Rate::Auto) {
            return Err(Failure::Refused(AUTO_NOT_SHARED.to_owned()));
        }
        let now = match var(ENV_NOW) {
            Some(text) => text.trim().parse::<i64>().map_err(|_| {
                Failure::Refused(format!("{ENV_NOW} must be unix seconds, not `{text}`"))
            })?,
            None => system_now(),
        };
        Ok(Self {
            key,
            client: ClientSettings {
                base_url: global.base_url.clone(),
                organization: global.org.clone(),
                project: global.openai_project.clone(),
                total_timeout: global.timeout,
                max_retries: global.max_retries,
                rate: global.rate,
                shared,
            },
            format: global.output,
            verbosity: global.verbose,
            now,
        })
    }
}

fn system_now() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::Cli;

    fn config(args: &[&str], now: Option<&str>) -> Result<Config, Failure> {
        let cli =
            Cli::try_parse_from(std::iter::once("openai-invites").chain(args.iter().copied()))
                .unwrap();
        Config::from_args_with(&cli.global, |name| match name {
            ENV_NOW => now.map(str::to_owned),
            _ => None,
        })
    }

    #[test]
    fn the_key_source() {
        assert_eq!(config(&["list"], None).unwrap().key, KeySource::Environment);
        assert_eq!(
            config(&["--demo", "list"], None).unwrap().key,
            KeySource::Demo
        );
        assert_eq!(
            config(&["list", "--admin-key-stdin"], None).unwrap().key,
            KeySource::Stdin
        );
        assert_eq!(
            config(&["--admin-key-file", "/k", "list"], None)
                .unwrap()
                .key,
            KeySource::File("/k".into())
        );
    }

    #[test]
    fn a_key_on_the_command_line_is_refused_without_repeating_it() {
        for args in [
            &["--admin-key", "sk-admin-SECRET", "list"][..],
            &["--admin-key=sk-admin-SECRET", "list"],
            &["list", "--admin-key"],
        ] {
            let failure = config(args, None).unwrap_err();
            let text = failure.to_string();
            assert!(matches!(failure, Failure::Refused(_)), "{text}");
            assert!(
                text.contains("OPENAI_ADMIN_KEY") && !text.contains("SECRET"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_limit_shared_on_redis_needs_a_fixed_rate() {
        let shared = config(&["list", "--redis-url", "redis://127.0.0.1:6379"], None).unwrap();
        assert!(shared.client.shared.is_some());
        assert!(config(&["list"], None).unwrap().client.shared.is_none());
        let auto = config(
            &[
                "apply",
                "x.csv",
                "--rate",
                "auto",
                "--redis-url",
                "redis://h",
            ],
            None,
        );
        let text = auto.unwrap_err().to_string();
        assert!(text.contains("--rate auto"), "{text}");
    }

    #[test]
    fn now_is_injectable() {
        assert_eq!(
            config(&["list"], Some("1700000000")).unwrap().now,
            1_700_000_000
        );
        assert!(config(&["list"], Some("yesterday")).is_err());
        assert!(config(&["list"], None).unwrap().now > 1_700_000_000);
    }
}
