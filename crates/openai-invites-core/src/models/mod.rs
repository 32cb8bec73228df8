//! The invites API's data: what is sent and what comes back.

mod compare;
mod delete;
mod invite;
mod list;
mod object;
mod open_enum;
mod request;
mod roles;

pub use compare::Mismatch;
pub use delete::InviteDeleteResponse;
pub use invite::{Invite, InviteProject};
pub use list::InviteListResponse;
pub use request::InviteRequest;
pub use roles::{InviteRole, InviteStatus, ProjectRole};
