//! Emails as the service matches them, as keys: one person, however the address is written.
//! The rules are the core's, so the roster, the client and the test kit cannot drift apart.

pub use openai_invites_core::email_key;
pub(crate) use openai_invites_core::is_plausible_email as is_plausible;
