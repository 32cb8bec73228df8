//! The plan: a pure function of the roster and one snapshot; saved, it is refused when any
//! invite it was decided from changed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use openai_invites::Invite;
use openai_invites_roster::{
    ActionKind, Drift, Plan, PlanFileError, PlanOptions, Roster, RosterFormat, plan,
    snapshot_fingerprint,
};

fn invite(id: &str, email: &str, role: &str, status: &str, created_at: i64) -> Invite {
    serde_json::from_value(serde_json::json!({"id": id, "email": email, "role": role,
        "status": status, "created_at": created_at,
        "projects": [{"id": "proj_a", "role": "member"}]}))
    .unwrap()
}

fn roster() -> Roster {
    Roster::parse(
        "email,role,projects\n\
         new@example.com,reader,\n\
         gone@example.com,reader,\n\
         same@example.com,reader,proj_a\n\
         other@example.com,owner,\n\
         member@example.com,reader,\n",
        RosterFormat::Csv,
    )
    .unwrap()
}

fn organization() -> Vec<Invite> {
    vec![
        invite("i-gone", "gone@example.com", "reader", "expired", 1),
        invite("i-same", "SAME@example.com", "reader", "pending", 2),
        invite("i-other", "other@example.com", "reader", "pending", 3),
        invite("i-member", "member@example.com", "owner", "accepted", 4),
        invite("i-stranger", "stranger@example.com", "reader", "pending", 5),
        invite("i-old", "old@example.com", "reader", "accepted", 6),
        invite("i-lapsed", "lapsed@example.com", "reader", "expired", 7),
    ]
}

fn kinds(plan: &Plan) -> Vec<(String, ActionKind, Option<String>)> {
    plan.actions
        .iter()
        .map(|a| (a.email.clone(), a.kind, a.invite_id.clone()))
        .collect()
}

fn row(email: &str, kind: ActionKind, id: Option<&str>) -> (String, ActionKind, Option<String>) {
    (email.to_owned(), kind, id.map(str::to_owned))
}

#[test]
fn each_email_gets_one_action_and_only_pending_strangers_are_revoked() {
    let options = PlanOptions {
        prune: true,
        replace_drifted: false,
    };
    let plan = plan(&roster(), &organization(), options);
    assert_eq!(
        kinds(&plan),
        [
            row("new@example.com", ActionKind::Invite, None),
            row("gone@example.com", ActionKind::Reissue, Some("i-gone")),
            row("same@example.com", ActionKind::Keep, Some("i-same")),
            row("other@example.com", ActionKind::Drift, Some("i-other")),
            // Accepted with another role: nothing the invites API can change.
            row("member@example.com", ActionKind::Accepted, Some("i-member")),
            // Accepted and expired strangers are never touched.
            row(
                "stranger@example.com",
                ActionKind::Revoke,
                Some("i-stranger")
            ),
        ]
    );
    assert_eq!(
        plan.actions[3].drift,
        Some(Drift {
            role: true,
            projects: false
        })
    );
    assert_eq!(plan.actions[0].line, Some(2));
    assert_eq!(plan.actions[5].line, None);
    let summary = plan.summary();
    assert_eq!(summary.changes(), 3);
    assert_eq!(
        summary.to_string(),
        "1 invite, 1 reissue, 1 revoke, 1 keep, 1 drift, 1 accepted"
    );
    assert_eq!(plan.snapshot.invites, 7);
    assert_eq!(plan.snapshot.pending, 3);
}

#[test]
fn drift_is_replaced_only_when_asked_and_nothing_is_revoked_without_prune() {
    let plan = plan(
        &roster(),
        &organization(),
        PlanOptions {
            prune: false,
            replace_drifted: true,
        },
    );
    let kinds: Vec<_> = plan.actions.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [
            ActionKind::Invite,
            ActionKind::Reissue,
            ActionKind::Keep,
            ActionKind::Replace,
            ActionKind::Accepted,
        ]
    );
    assert_eq!(plan.summary().changes(), 3);
}

#[test]
fn the_plan_is_pure_and_the_fingerprint_ignores_list_order() {
    let mut shuffled = organization();
    shuffled.reverse();
    let a = plan(&roster(), &organization(), PlanOptions::default());
    let b = plan(&roster(), &organization(), PlanOptions::default());
    assert_eq!(a, b);
    assert_eq!(
        snapshot_fingerprint(&shuffled),
        snapshot_fingerprint(&organization())
    );
    assert!(a.snapshot.fingerprint.starts_with("sha256:"));
    assert_eq!(a.snapshot.fingerprint.len(), 7 + 64);
    let mut changed = organization();
    changed[0].role = openai_invites::InviteRole::Owner;
    assert_ne!(snapshot_fingerprint(&changed), a.snapshot.fingerprint);
}

#[test]
fn a_saved_plan_round_trips_and_refuses_another_format() {
    let saved = plan(&roster(), &organization(), PlanOptions::default());
    let text = saved.to_json();
    assert_eq!(Plan::from_json(&text).unwrap(), saved);
    let future = text.replacen("\"format\": 1", "\"format\": 2", 1);
    assert!(matches!(
        Plan::from_json(&future),
        Err(PlanFileError::Format { found: 2 })
    ));
    assert!(matches!(Plan::from_json("[]"), Err(PlanFileError::Json(_))));
}

#[test]
fn any_change_to_the_invites_a_plan_was_decided_from_makes_it_stale() {
    let options = PlanOptions {
        prune: true,
        replace_drifted: false,
    };
    let saved = plan(&roster(), &organization(), options);
    let stale = |now: &[Invite]| -> Vec<String> {
        let mut emails: Vec<String> = saved
            .stale_actions(now)
            .iter()
            .map(|a| a.email.clone())
            .collect();
        emails.extend(saved.unplanned_invites(now).map(|i| i.email.clone()));
        emails
    };
    assert!(stale(&organization()).is_empty());

    // An invite the plan only keeps, changed or deleted: the plan was decided from it.
    let mut now = organization();
    now[1].role = openai_invites::InviteRole::Owner; // same@: keep
    assert_eq!(stale(&now), ["same@example.com"]);
    let mut now = organization();
    now.retain(|i| i.id != "i-same");
    assert_eq!(stale(&now), ["same@example.com"]);
    // An accepted invite deleted, a drifted one accepted: the same.
    let mut now = organization();
    now.retain(|i| i.id != "i-member");
    now.iter_mut()
        .filter(|i| i.id == "i-other")
        .for_each(|i| i.status = openai_invites::InviteStatus::Accepted);
    assert_eq!(stale(&now), ["other@example.com", "member@example.com"]);

    // With prune, a new pending invite off the roster: planning now would revoke it.
    let mut now = organization();
    now.push(invite("i-late", "late@example.com", "reader", "pending", 9));
    assert_eq!(stale(&now), ["late@example.com"]);
    // Not so an accepted one (never revoked), nor without prune.
    let mut now = organization();
    now.push(invite(
        "i-late",
        "late@example.com",
        "reader",
        "accepted",
        9,
    ));
    assert!(stale(&now).is_empty());
    let unpruned = plan(&roster(), &organization(), PlanOptions::default());
    let mut now = organization();
    now.push(invite("i-late", "late@example.com", "reader", "pending", 9));
    assert!(unpruned.unplanned_invites(&now).next().is_none());
    assert!(unpruned.stale_actions(&now).is_empty());

    // Someone invited new@ meanwhile; gone@'s expired invite was deleted; the stranger
    // accepted: each of those actions is stale.
    let mut now = organization();
    now.push(invite("i-new", "new@example.com", "reader", "pending", 9));
    now.retain(|i| i.id != "i-gone");
    now.iter_mut()
        .filter(|i| i.id == "i-stranger")
        .for_each(|i| i.status = openai_invites::InviteStatus::Accepted);
    assert_eq!(
        stale(&now),
        [
            "new@example.com",
            "gone@example.com",
            "stranger@example.com"
        ]
    );
}
