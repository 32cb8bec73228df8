//! Properties: applying a plan to the fake reaches the roster, and planning again afterwards
//! finds nothing to change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use openai_invites::{InviteProject, InviteRequest, InviteRole, InviteStatus, ProjectRole};
use openai_invites_core::provision::Provision;
use openai_invites_mock::{FakeInvites, Seed, SeedInvite};
use openai_invites_roster::{
    ActionKind, Applier, MaxRevoke, PlanOptions, Roster, RunStatus, email_key, plan, read_invites,
};
use proptest::prelude::*;
use support::{client, now};

const PEOPLE: usize = 8;

fn email(person: usize) -> String {
    // Some written in capitals: the roster and the service compare emails case-insensitively.
    if person % 3 == 0 {
        format!("Person-{person}@Example.com")
    } else {
        format!("person-{person}@example.com")
    }
}

fn role() -> impl Strategy<Value = InviteRole> {
    prop_oneof![Just(InviteRole::Reader), Just(InviteRole::Owner)]
}

/// `None`: the default project; else exactly these.
fn projects() -> impl Strategy<Value = Option<Vec<InviteProject>>> {
    prop_oneof![
        Just(None),
        Just(Some(vec![])),
        Just(Some(vec![InviteProject::new(
            "proj_a",
            ProjectRole::Member
        )])),
        Just(Some(vec![
            InviteProject::new("proj_b", ProjectRole::Owner),
            InviteProject::new("proj_a", ProjectRole::Member),
        ])),
    ]
}

/// What one person has in the organization: up to two past invites (accepted or expired)
/// and maybe one pending.
#[derive(Debug, Clone)]
struct Held {
    past: Vec<(InviteStatus, InviteRole)>,
    pending: Option<Terms>,
}

fn held() -> impl Strategy<Value = Held> {
    let past = prop::collection::vec(
        (
            prop_oneof![Just(InviteStatus::Accepted), Just(InviteStatus::Expired)],
            role(),
        ),
        0..=2,
    );
    (past, prop::option::of((role(), projects())))
        .prop_map(|(past, pending)| Held { past, pending })
}

fn seed(fake: &FakeInvites, organization: &[Held]) {
    let now = now();
    let mut invites = Vec::new();
    for (person, held) in organization.iter().enumerate() {
        for (at, (status, role)) in held.past.iter().enumerate() {
            invites.push(
                SeedInvite::new(email(person))
                    .status(status.clone())
                    .role(role.clone())
                    .created_at(now - 1000 - at as i64),
            );
        }
        if let Some((role, projects)) = &held.pending {
            let mut invite = SeedInvite::new(email(person).to_lowercase())
                .role(role.clone())
                .created_at(now - 10);
            if let Some(projects) = projects {
                invite = invite.projects(projects.clone());
            }
            invites.push(invite);
        }
    }
    fake.seed_invites(&Seed::new(invites).unwrap()).unwrap();
}

/// Someone's terms: a role, and projects (`None`: the default project).
type Terms = (InviteRole, Option<Vec<InviteProject>>);

/// The organization, the roster's terms per person (`None`: not on it), prune, replace.
type Case = (Vec<Held>, Vec<Option<Terms>>, bool, bool);

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(held(), PEOPLE),
        prop::collection::vec(prop::option::of((role(), projects())), PEOPLE),
        any::<bool>(),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn applying_reaches_the_roster_and_planning_again_changes_nothing(
        (organization, wanted, prune, replace_drifted) in case()
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let fake = FakeInvites::new();
            seed(&fake, &organization);
            let roster = Roster::from_requests(wanted.iter().enumerate().filter_map(|(person, terms)| {
                let (role, projects) = terms.clone()?;
                let mut request = InviteRequest::new(email(person), role);
                request.projects = projects;
                Some(request)
            }))
            .unwrap();
            let options = PlanOptions { prune, replace_drifted };
            let client = client(&fake);
            let first = plan(&roster, &read_invites(&client).await.unwrap(), options);
            let report = Applier::new(client.clone())
                .settle_delay(Duration::ZERO)
                .max_revoke(MaxRevoke::Percent(100))
                .apply(&first)
                .await
                .unwrap();
            prop_assert_eq!(report.status(), RunStatus::AsPlanned, "{:?}", report);

            let after = read_invites(&client).await.unwrap();
            let again = plan(&roster, &after, options);
            prop_assert_eq!(again.summary().changes(), 0, "{:?}", again.summary());
            // The roster is reached: each person accepted, or pending with the roster's terms
            // (or, left alone without replace_drifted, with the terms they had).
            for row in roster.rows() {
                match Provision::decide(&row.request, &after) {
                    Provision::AlreadyAccepted { .. } => {}
                    Provision::AlreadyPending { mismatch, .. } => {
                        prop_assert!(!mismatch.any() || !replace_drifted, "{:?}", row)
                    }
                    other => prop_assert!(false, "{:?}: {:?}", row, other),
                }
            }
            // One pending invite per person at most; none off the roster when pruning.
            for person in 0..PEOPLE {
                let key = email_key(&email(person));
                let pending = after
                    .iter()
                    .filter(|i| email_key(&i.email) == key && i.status == InviteStatus::Pending)
                    .count();
                prop_assert!(pending <= 1);
                let on_roster = roster.rows().iter().any(|r| email_key(&r.request.email) == key);
                if prune && !on_roster {
                    prop_assert_eq!(pending, 0);
                }
            }
            let drifted = again.actions.iter().filter(|a| a.kind == ActionKind::Drift).count();
            prop_assert!(!replace_drifted || drifted == 0);
            Ok(())
        })?;
    }
}
