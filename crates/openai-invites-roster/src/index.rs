//! The organization's invites by email (as the service matches emails) and by id: what the
//! planner and the engine look people up in.

use std::collections::HashMap;

use openai_invites_core::Invite;

use crate::email::email_key;

/// One snapshot, indexed.
pub(crate) struct InviteIndex<'a> {
    by_email: HashMap<String, Vec<&'a Invite>>,
    by_id: HashMap<&'a str, &'a Invite>,
}

impl<'a> InviteIndex<'a> {
    pub(crate) fn new(invites: &'a [Invite]) -> Self {
        let mut by_email: HashMap<String, Vec<&Invite>> = HashMap::new();
        for invite in invites {
            by_email
                .entry(email_key(&invite.email))
                .or_default()
                .push(invite);
        }
        let by_id = invites.iter().map(|i| (i.id.as_str(), i)).collect();
        Self { by_email, by_id }
    }

    /// The invites of `email`, whatever its case.
    pub(crate) fn of_email(&self, email: &str) -> impl Iterator<Item = &'a Invite> + '_ {
        self.by_email
            .get(&email_key(email))
            .into_iter()
            .flatten()
            .copied()
    }

    /// The invite with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&'a Invite> {
        self.by_id.get(id).copied()
    }
}
