//! A typed, middleware-based client for the OpenAI organization invites admin API.
//!
//! For now this crate re-exports the models and operations of [`openai_invites_core`].

pub use openai_invites_core::*;
