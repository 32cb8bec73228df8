//! The client, built from the [`Config`]: the key from its source, the rest from the flags
//! over what the library reads from the environment (`ClientBuilder::from_env`).
//!
//! ```ignore
//! let client = connect::client(&config)?; // Failure::NoKey names the variable and --demo
//! ```

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use openai_invites::{BuildError, Client, ClientBuilder};

use crate::config::{ClientSettings, Config, KeySource};
use crate::demo;
use crate::exit::Failure;

/// Added to the library's `User-Agent`.
const USER_AGENT: &str = concat!("openai-invites-cli/", env!("CARGO_PKG_VERSION"));

/// Builds the client the config describes.
pub fn client(config: &Config) -> Result<Client, Failure> {
    let builder = match &config.key {
        KeySource::Demo => {
            // The demo's own base URL stands: nothing may reach a real service.
            let settings = ClientSettings {
                base_url: None,
                ..config.client.clone()
            };
            return apply(demo::builder(config.now), &settings)?
                .build()
                .map_err(|e| Failure::Other(format!("the demo could not start: {e}")));
        }
        KeySource::Environment => Client::builder().from_env(),
        KeySource::File(path) => Client::builder().from_env().admin_key(key_from_file(path)?),
        KeySource::Stdin => Client::builder().from_env().admin_key(key_from_stdin()?),
    };
    apply(builder, &config.client)?.build().map_err(refusal)
}

/// The settings every client gets, the demo's too.
pub fn apply(
    mut builder: ClientBuilder,
    settings: &ClientSettings,
) -> Result<ClientBuilder, Failure> {
    builder = builder.user_agent(USER_AGENT);
    if let Some(url) = &settings.base_url {
        builder = builder.base_url(url);
    }
    if let Some(org) = &settings.organization {
        builder = builder.organization(org);
    }
    if let Some(project) = &settings.project {
        builder = builder.project(project);
    }
    if let Some(timeout) = settings.total_timeout {
        builder = builder.total_timeout(timeout);
    }
    if let Some(retries) = settings.max_retries {
        builder = builder.max_retries(retries);
    }
    // A limit shared on Redis takes the rate given, or the library's default.
    if settings.rate.is_some() || settings.shared.is_some() {
        let rate = settings.rate.unwrap_or_default();
        builder = rate.install(builder, settings.shared.as_ref())?;
    }
    Ok(builder)
}

/// A `build()` error as the command line reports it (the library never prints the key).
fn refusal(error: BuildError) -> Failure {
    if error.is_missing_admin_key() {
        let api_key = matches!(error, BuildError::ApiKeyNotRead);
        let mut text = String::from(
            "no admin key: set OPENAI_ADMIN_KEY (an organization admin key, sk-admin-...) or \
             use --admin-key-file PATH or --admin-key-stdin; to try the tool without one: --demo",
        );
        if api_key {
            text.push_str(
                " (OPENAI_API_KEY is set but deliberately not read: a project key cannot \
                 manage invites)",
            );
        }
        return Failure::NoKey(text);
    }
    Failure::Refused(format!("cannot configure the client: {error}"))
}

fn key_from_file(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Refused(format!("--admin-key-file {}: {e}", path.display())))?;
    first_line(&text).ok_or_else(|| {
        Failure::NoKey(format!(
            "--admin-key-file {}: the file is empty",
            path.display()
        ))
    })
}

fn key_from_stdin() -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        // Typing it would echo it on the screen.
        return Err(Failure::Refused(
            "--admin-key-stdin reads a pipe, not a terminal: e.g. \
             `pass show openai/admin | openai-invites --admin-key-stdin list`"
                .to_owned(),
        ));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::Refused(format!("--admin-key-stdin: {e}")))?;
    first_line(&line)
        .ok_or_else(|| Failure::NoKey("--admin-key-stdin: standard input is empty".to_owned()))
}

/// The first line, trimmed; `None` when there is nothing.
fn first_line(text: &str) -> Option<String> {
    text.lines()
        .next()
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_the_first_line_trimmed() {
        assert_eq!(
            first_line("  sk-admin-abc \nrest\n").as_deref(),
            Some("sk-admin-abc")
        );
        assert_eq!(first_line("sk-admin-abc").as_deref(), Some("sk-admin-abc"));
        assert_eq!(first_line("\n"), None);
        assert_eq!(first_line(""), None);
    }

    #[test]
    fn a_missing_key_names_the_variable_and_the_demo() {
        let failure = refusal(BuildError::MissingAdminKey);
        let text = failure.to_string();
        assert!(matches!(failure, Failure::NoKey(_)));
        assert!(
            text.contains("OPENAI_ADMIN_KEY") && text.contains("--demo"),
            "{text}"
        );
        assert!(
            refusal(BuildError::ApiKeyNotRead)
                .to_string()
                .contains("OPENAI_API_KEY")
        );
    }

    #[test]
    fn an_unreadable_key_file_names_the_file() {
        let failure = key_from_file(Path::new("/nonexistent/key")).unwrap_err();
        assert!(
            failure.to_string().contains("/nonexistent/key"),
            "{failure}"
        );
    }
}
