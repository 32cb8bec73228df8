//! `apply`'s run on stderr: a progress bar on a terminal (done/total, rate, ETA, failures),
//! a line every few seconds otherwise; and Ctrl-C, which stops the run in two steps.
//!
//! ```ignore
//! let report = progress::watch(context.printer, prepared.apply(), progress, &stop).await;
//! ```

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use openai_invites_roster::{ApplyReport, Progress, StopSignal};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::output::Printer;

/// How often a line is written when stderr is not a terminal.
pub const LINE_EVERY: Duration = Duration::from_secs(5);

/// Runs `apply` to its end, showing `progress` as it goes; Ctrl-C gives `stop` (the first
/// lets the rows under way finish, the second stops at once).
pub async fn watch(
    printer: &mut Printer,
    apply: impl Future<Output = ApplyReport>,
    mut progress: watch::Receiver<Progress>,
    stop: &StopSignal,
) -> ApplyReport {
    let bar = printer.stderr_is_terminal().then(bar);
    let (pressed, mut presses) = mpsc::unbounded_channel();
    let listener = tokio::spawn(ctrl_c(stop.clone(), pressed));
    let started = Instant::now();
    let mut lines = tokio::time::interval_at(started + LINE_EVERY, LINE_EVERY);
    let mut apply = pin!(apply);
    let report = loop {
        tokio::select! {
            report = &mut apply => break report,
            Ok(()) = progress.changed() => {
                if let Some(bar) = &bar {
                    draw(bar, *progress.borrow_and_update());
                }
            }
            _ = lines.tick(), if bar.is_none() => {
                printer.note(&line(*progress.borrow(), started.elapsed()));
            }
            Some(at_once) = presses.recv() => {
                let text = match at_once {
                    false => "stopping: no new rows start; the ones under way finish (Ctrl-C \
                              again to stop at once)",
                    true => "stopping at once: requests under way are abandoned; run again \
                             with the same --journal to settle them",
                };
                match &bar {
                    Some(bar) => bar.suspend(|| printer.warning(text)),
                    None => printer.warning(text),
                }
            }
        }
    };
    listener.abort();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report
}

/// Each Ctrl-C stops `stop` one step further; `pressed` says whether it was the second.
async fn ctrl_c(stop: StopSignal, pressed: mpsc::UnboundedSender<bool>) {
    while tokio::signal::ctrl_c().await.is_ok() {
        stop.stop();
        if pressed.send(stop.is_stopping_now()).is_err() {
            return;
        }
    }
}

fn bar() -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{spinner} applying [{bar:30}] {pos}/{len} rows, {rate}, ETA {eta} {msg}",
    )
    // The template is a constant that parses; the default style is a safe fallback anyway.
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key(
        "rate",
        |state: &ProgressState, out: &mut dyn std::fmt::Write| {
            let _ = write!(out, "{:.1}/s", state.per_sec());
        },
    )
    .progress_chars("=> ");
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn draw(bar: &ProgressBar, progress: Progress) {
    bar.set_length(progress.total as u64);
    bar.set_position(progress.done as u64);
    bar.set_message(trouble(progress));
}

/// `(2 failed, 1 unknown)`, or nothing.
fn trouble(progress: Progress) -> String {
    match (progress.failed, progress.unknown) {
        (0, 0) => String::new(),
        (failed, 0) => format!("({failed} failed)"),
        (0, unknown) => format!("({unknown} unknown)"),
        (failed, unknown) => format!("({failed} failed, {unknown} unknown)"),
    }
}

/// `applying: 120/300 rows, 40.0/s, about 5s left (3 failed)`.
fn line(progress: Progress, elapsed: Duration) -> String {
    let rate = progress.done as f64 / elapsed.as_secs_f64().max(0.001);
    let left = progress.total.saturating_sub(progress.done);
    let eta = match rate > 0.0 {
        true => format!(", about {}s left", (left as f64 / rate).ceil()),
        false => String::new(),
    };
    let trouble = match trouble(progress) {
        none if none.is_empty() => none,
        some => format!(" {some}"),
    };
    format!(
        "applying: {}/{} rows, {rate:.1}/s{eta}{trouble}",
        progress.done, progress.total
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_says_where_the_run_stands() {
        let progress = Progress {
            done: 120,
            total: 300,
            failed: 3,
            unknown: 0,
        };
        assert_eq!(
            line(progress, Duration::from_secs(3)),
            "applying: 120/300 rows, 40.0/s, about 5s left (3 failed)"
        );
        assert_eq!(
            line(Progress::default(), Duration::ZERO),
            "applying: 0/0 rows, 0.0/s"
        );
    }
}
