//! The soak's findings: every call's report checked against the fake's store.

use std::collections::{BTreeMap, HashMap};

use openai_invites_mock::FakeInvites;

use super::outcome::{Outcome, reason};
use super::{Settings, call_of};

/// What the soak found.
#[derive(Default)]
pub struct Report {
    calls: usize,
    requests: usize,
    faults: BTreeMap<&'static str, usize>,
    /// Calls per operation, and how many of them were reported unknown.
    per_operation: BTreeMap<&'static str, (usize, usize)>,
    unknown: usize,
    unknown_made: usize,
    pub misreported: usize,
    /// Creates that returned a concurrent call's invite for the same email (documented: an
    /// invite for the email made since the call began counts as the call's).
    took_concurrent: usize,
    /// Why unknown outcomes stayed unknown, by operation: how many, and how many of them (for
    /// creates) had taken effect.
    reasons: BTreeMap<(&'static str, String), (usize, usize)>,
    examples: Vec<String>,
}

impl Report {
    /// Checks each call's outcome against the store: the soak's deletes take only invites a
    /// create returned as its own, so an invite a call made and did not report is still there.
    pub fn check(
        fake: &FakeInvites,
        faults: BTreeMap<&'static str, usize>,
        outcomes: &[(usize, Outcome)],
    ) -> Self {
        let mut report = Report {
            calls: outcomes.len(),
            requests: fake.request_count(),
            faults,
            ..Report::default()
        };
        // Which call made each invite in the store, by its marker project.
        let mut made: HashMap<usize, Vec<String>> = HashMap::new();
        let mut maker: HashMap<String, usize> = HashMap::new();
        for invite in fake.invites() {
            if let Some(call) = invite.projects.first().and_then(|p| call_of(&p.id)) {
                made.entry(call).or_default().push(invite.id.clone());
                maker.insert(invite.id, call);
            }
        }
        for (call, outcome) in outcomes {
            let counted = report.per_operation.entry(outcome.operation()).or_default();
            counted.0 += 1;
            if outcome.unknown() {
                counted.1 += 1;
                report.unknown += 1;
                if let Outcome::Other(operation, Some(e)) = outcome {
                    report.reasons.entry((operation, reason(e))).or_default().0 += 1;
                }
            }
            let mine = made.get(call).map(Vec::as_slice).unwrap_or_default();
            if mine.len() > 1 {
                report.misreport(format!("call {call} made {mine:?}"));
            }
            let Outcome::Create(result) = outcome else {
                continue;
            };
            match result {
                Err(e) if e.is_outcome_unknown() => {
                    let counted = report.reasons.entry(("inviteUser", reason(e))).or_default();
                    counted.0 += 1;
                    if !mine.is_empty() {
                        counted.1 += 1;
                        report.unknown_made += 1;
                    }
                }
                Err(e) if !mine.is_empty() => {
                    report.misreport(format!("call {call} made {mine:?} and reported: {e}"))
                }
                Err(_) => {}
                Ok(id) if !mine.is_empty() && !mine.contains(id) => {
                    report.misreport(format!("call {call} made {mine:?} and returned {id}"))
                }
                Ok(id) if mine.is_empty() && maker.get(id).is_some_and(|by| by != call) => {
                    report.took_concurrent += 1
                }
                Ok(_) => {}
            }
        }
        report
    }

    fn misreport(&mut self, what: String) {
        self.misreported += 1;
        if self.examples.len() < 10 {
            self.examples.push(what);
        }
    }

    pub fn print(&self, settings: &Settings) {
        println!(
            "soak: {} calls, {} at once, {} % of requests faulted, seed {}, {} addresses",
            self.calls,
            settings.concurrency,
            settings.fault_percent,
            settings.seed,
            settings.emails
        );
        let faults: usize = self.faults.values().sum();
        println!("requests {}, faults {faults}", self.requests);
        for (kind, n) in &self.faults {
            println!("  fault {kind}: {n}");
        }
        for (operation, (calls, unknown)) in &self.per_operation {
            println!("  {operation}: {calls} calls, {unknown} unknown");
        }
        println!("unknown total {}", self.unknown);
        println!("unknown but made {}", self.unknown_made);
        println!("misreported {}", self.misreported);
        println!(
            "returned a concurrent call's invite {}",
            self.took_concurrent
        );
        for ((operation, reason), (n, made)) in &self.reasons {
            println!("  unknown {operation} x{n} ({made} made): {reason}");
        }
        for example in &self.examples {
            println!("  misreported: {example}");
        }
    }
}
