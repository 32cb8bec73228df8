//! `Summary`: how many of each kind, for the actions of a plan (`PlanSummary`, shown in
//! `plan`) and for the outcomes of an apply (`Summary<Outcome>`, shown in `outcome`). Generic,
//! so that it names neither: each kind's module says how its summary displays.
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

/// How many of each kind: of an apply's outcomes, or of a plan's actions (`PlanSummary`).
/// Displays as `3 created, 1 reissued, 2 kept`: the kinds that occur, in their usual order;
/// `nothing to do` when none does.
#[derive(Debug, Clone)]
pub struct Summary<K> {
    counts: HashMap<K, usize>,
}

impl<K: Hash + Eq> PartialEq for Summary<K> {
    fn eq(&self, other: &Self) -> bool {
        self.counts == other.counts
    }
}

impl<K: Hash + Eq> Eq for Summary<K> {}

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

/// The kinds of `order` that occur, with their counts.
pub(crate) fn show<K: Hash + Eq + Copy + fmt::Display>(
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
