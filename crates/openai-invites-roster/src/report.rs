//! The report file: one CSV row per roster row and per revoked invite.

use std::io::Write;

use crate::outcome::RowResult;

/// The report's header.
pub const REPORT_HEADER: [&str; 6] = [
    "email",
    "action",
    "outcome",
    "invite_id",
    "request_id",
    "message",
];

/// Writes `rows` as CSV with the header `email,action,outcome,invite_id,request_id,message`.
///
/// ```
/// use openai_invites_roster::{ActionKind, Outcome, RowResult, write_report};
///
/// let row = RowResult {
///     email: "ana@example.com".into(),
///     line: Some(2),
///     action: ActionKind::Invite,
///     outcome: Outcome::Created,
///     invite_id: Some("invite-1".into()),
///     request_id: Some("req_1".into()),
///     message: None,
/// };
/// let mut out = Vec::new();
/// write_report(&mut out, [&row])?;
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "email,action,outcome,invite_id,request_id,message\n\
///      ana@example.com,invite,created,invite-1,req_1,\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_report<'a>(
    out: impl Write,
    rows: impl IntoIterator<Item = &'a RowResult>,
) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(REPORT_HEADER)?;
    for row in rows {
        writer.write_record([
            row.email.as_str(),
            row.action.as_str(),
            row.outcome.as_str(),
            row.invite_id.as_deref().unwrap_or(""),
            row.request_id.as_deref().unwrap_or(""),
            row.message.as_deref().unwrap_or(""),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
