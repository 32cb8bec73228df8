//! `Summary`: how many of each kind, for the actions of a plan ([`PlanSummary`]) and for the
//! outcomes of an apply ([`Summary`] of [`Outcome`]s).
//!
//! ```
//! use openai_invites_roster::{ActionKind, PlanSummary};
//!
//! let summary: PlanSummary = [ActionKind::Invite, ActionKind::Keep, ActionKind::Invite]
//!     .into_iter()
//!     .collect();
//! assert_eq!(summary.count(ActionKind::Invite), 2);
//! assert_eq!(summary.changes(), 2);
//! assert_eq!(summary.to_string(), "2 invite, 1 keep");
//! ```

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

use crate::outcome::Outcome;
use crate::plan::ActionKind;

/// How many of each kind (an [`Outcome`] by default, or an [`ActionKind`]: [`PlanSummary`]).
/// Displays as `3 created, 1 reissued, 2 kept`: the kinds that occur, in their usual order;
/// `nothing to do` when none does.
#[derive(Debug, Clone)]
pub struct Summary<K = Outcome> {
    counts: HashMap<K, usize>,
}

impl<K: Hash + Eq> PartialEq for Summary<K> {
    fn eq(&self, other: &Self) -> bool {
        self.counts == other.counts
    }
}

impl<K: Hash + Eq> Eq for Summary<K> {}

/// How many actions of each kind a plan has.
pub type PlanSummary = Summary<ActionKind>;

impl<K> Default for Summary<K> {
    fn default() -> Self {
        Self {
            counts: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq> Summary<K> {
    /// How many of `kind`.
    pub fn count(&self, kind: K) -> usize {
        self.counts.get(&kind).copied().unwrap_or(0)
    }
}

impl<K: Hash + Eq> FromIterator<K> for Summary<K> {
    fn from_iter<I: IntoIterator<Item = K>>(kinds: I) -> Self {
        let mut summary = Self::default();
        for kind in kinds {
            *summary.counts.entry(kind).or_default() += 1;
        }
        summary
    }
}

impl Summary<ActionKind> {
    /// How many actions change something (invite, reissue, replace, revoke).
    pub fn changes(&self) -> usize {
        ActionKind::ALL
            .iter()
            .filter(|k| k.changes())
            .map(|k| self.count(*k))
            .sum()
    }
}

impl fmt::Display for Summary<ActionKind> {
    /// `2 invite, 1 reissue, 5 keep, 1 drift`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        show(self, &ActionKind::ALL, f)
    }
}

impl fmt::Display for Summary<Outcome> {
    /// `3 created, 1 reissued, 5 kept, 1 failed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        show(self, &Outcome::ALL, f)
    }
}

/// The kinds of `order` that occur, with their counts.
fn show<K: Hash + Eq + Copy + fmt::Display>(
    summary: &Summary<K>,
    order: &[K],
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let mut first = true;
    for &kind in order {
        let n = summary.count(kind);
        if n > 0 {
            write!(f, "{}{n} {kind}", if first { "" } else { ", " })?;
            first = false;
        }
    }
    if first {
        f.write_str("nothing to do")?;
    }
    Ok(())
}
