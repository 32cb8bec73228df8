//! The invites API's data: what is sent and what comes back.

mod compare;
mod delete;
mod email;
mod filter;
mod invite;
mod list;
mod object;
mod open_enum;
mod project;
mod request;
mod roles;

pub use compare::Mismatch;
pub use delete::InviteDeleteResponse;
pub use email::{email_key, is_plausible_email, same_email};
pub use filter::InviteFilter;
pub use invite::Invite;
pub use list::InviteListResponse;
pub use project::{InviteProject, ParseProjectError};
pub use request::InviteRequest;
pub use roles::{InviteRole, InviteStatus, ProjectRole};
