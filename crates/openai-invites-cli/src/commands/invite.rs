//! `invite EMAIL --role ROLE`: the library's `ensure_invited` (never a second pending
//! invite), or with `--dry-run` what it would do, from one read of the invites.
//!
//! What was done goes to stderr (`created`, `found pending`, `found accepted`, `reissued`);
//! the invite it leaves in place goes to stdout.

use anstyle::AnsiColor;
use openai_invites::core::provision::Provision;
use openai_invites::{Ensured, Invite, InviteFilter, InviteRequest, Mismatch};

use crate::cli::InviteArgs;
use crate::exit::{Failure, Outcome};
use crate::output::records;

use super::Context;

pub async fn run(context: &mut Context<'_>, args: InviteArgs) -> Result<Outcome, Failure> {
    let request = request(&args);
    let client = context.client()?;
    let email = args.email.as_str();
    if args.dry_run {
        // The decision `ensure_invited` makes, from the same read: they cannot disagree.
        let mine = client
            .all_invites(InviteFilter::all().email(&request.email))
            .await
            .map_err(|e| Failure::call(email, e))?;
        let preview = Provision::decide(&request, &mine);
        return say_preview(context, &request, preview);
    }
    let ensured = client
        .ensure_invited(request.clone())
        .await
        .map_err(|e| Failure::call(email, e))?;
    let invite = &ensured.invite;
    let (label, text) = match &ensured.outcome {
        Ensured::Created => (
            "created",
            format!("{} for {email} ({})", invite.id, terms(&request)),
        ),
        Ensured::Reissued { expired } => (
            "reissued",
            format!(
                "{} for {email} ({}); the expired {expired} was deleted",
                invite.id,
                terms(&request)
            ),
        ),
        Ensured::AlreadyPending { .. } => (
            "found pending",
            format!("{} for {email}: nothing sent", invite.id),
        ),
        Ensured::AlreadyAccepted => (
            "found accepted",
            format!("{}: {email} already accepted; nothing sent", invite.id),
        ),
        other => ("done", format!("{} for {email}: {other:?}", invite.id)),
    };
    let color = match ensured.outcome.created() {
        true => AnsiColor::Green,
        false => AnsiColor::Cyan,
    };
    context.printer.status(label, color, &text);
    if let Ensured::AlreadyPending { mismatch } = &ensured.outcome {
        warn_mismatch(context, &request, invite, *mismatch);
    }
    let now = context.printer.now();
    context.printer.emit(records::one(invite, now))?;
    Ok(Outcome::success())
}

/// The request the flags describe: no `--project` means the default project.
fn request(args: &InviteArgs) -> InviteRequest {
    let request = InviteRequest::new(args.email.trim(), args.role.clone());
    if args.no_projects {
        request.without_projects()
    } else if args.project.is_empty() {
        request
    } else {
        request.with_projects(args.project.iter().cloned())
    }
}

/// `reader, default project` / `owner, no project` / `reader, projects p1:member`.
fn terms(request: &InviteRequest) -> String {
    let projects = match &request.projects {
        None => "default project".to_owned(),
        Some(list) if list.is_empty() => "no project".to_owned(),
        Some(list) => format!("projects {}", records::projects(list)),
    };
    format!("{}, {projects}", request.role)
}

fn say_preview(
    context: &mut Context<'_>,
    request: &InviteRequest,
    preview: Provision,
) -> Result<Outcome, Failure> {
    let email = request.email.as_str();
    let printer = &mut *context.printer;
    let existing = match preview {
        Provision::Create => {
            printer.status(
                "would create",
                AnsiColor::Green,
                &format!("an invite for {email} ({})", terms(request)),
            );
            None
        }
        Provision::Reissue { expired } => {
            let text = format!(
                "delete the expired {} and invite {email} again ({})",
                expired.id,
                terms(request)
            );
            printer.status("would reissue:", AnsiColor::Green, &text);
            Some(expired)
        }
        Provision::AlreadyPending { invite, mismatch } => {
            printer.status(
                "would do nothing:",
                AnsiColor::Cyan,
                &format!("{email} has the pending {}", invite.id),
            );
            warn_mismatch(context, request, &invite, mismatch);
            Some(invite)
        }
        Provision::AlreadyAccepted { invite } => {
            printer.status(
                "would do nothing:",
                AnsiColor::Cyan,
                &format!("{email} already accepted {}", invite.id),
            );
            Some(invite)
        }
    };
    context.printer.note("dry run: nothing was changed");
    if let Some(invite) = existing {
        let now = context.printer.now();
        context.printer.emit(records::one(&invite, now))?;
    }
    Ok(Outcome::success())
}

/// A pending invite with other terms is left alone: say how it differs and what to do.
fn warn_mismatch(
    context: &mut Context<'_>,
    request: &InviteRequest,
    invite: &Invite,
    mismatch: Mismatch,
) {
    if !mismatch.any() {
        return;
    }
    let mut differences = Vec::new();
    if mismatch.role {
        differences.push(format!("role {} (asked {})", invite.role, request.role));
    }
    if mismatch.projects {
        let asked = match request.projects.as_deref() {
            None => "default project".to_owned(),
            Some([]) => "none".to_owned(),
            Some(list) => records::projects(list),
        };
        let has = match records::projects(&invite.projects) {
            none if none.is_empty() => "none".to_owned(),
            has => has,
        };
        differences.push(format!("projects {has} (asked {asked})"));
    }
    context.printer.warning(&format!(
        "the pending invite has other terms: {}; it was left as it is (to change it: \
         openai-invites delete {}, then invite again)",
        differences.join(", "),
        invite.id
    ));
}
