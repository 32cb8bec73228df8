//! Records the tracing events emitted on this thread, to assert what was logged and how often.

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{Dispatch, Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The events seen since [`capture`], as (level, message).
#[derive(Clone, Default)]
pub struct Events {
    seen: Arc<Mutex<Vec<(Level, String)>>>,
}

impl Events {
    /// How many events at `level` have a message containing `text`.
    pub fn count(&self, level: Level, text: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(l, m)| *l == level && m.contains(text))
            .count()
    }

    /// Everything seen, for a failure message.
    pub fn all(&self) -> Vec<(Level, String)> {
        self.seen.lock().unwrap().clone()
    }
}

/// Records until dropped.
pub struct Capturing {
    _default: tracing::subscriber::DefaultGuard,
    // tracing-core asks only the registering thread's dispatcher about a new callsite while
    // a single dispatcher exists: a callsite first hit on another test's thread would then be
    // cached as "never" for this one too. A second live dispatcher makes it ask them all.
    _second: Dispatch,
}

/// Starts recording this thread's events until the guard is dropped (use a current-thread
/// runtime so the tasks under test run on this thread).
pub fn capture() -> (Events, Capturing) {
    let events = Events::default();
    let recorder = Recorder {
        events: events.clone(),
    };
    let subscriber = tracing_subscriber::registry().with(recorder);
    let capturing = Capturing {
        _default: tracing::subscriber::set_default(subscriber),
        _second: Dispatch::new(tracing_subscriber::registry()),
    };
    (events, capturing)
}

struct Recorder {
    events: Events,
}

impl<S: Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let level = *event.metadata().level();
        self.events.seen.lock().unwrap().push((level, message.0));
    }
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}
