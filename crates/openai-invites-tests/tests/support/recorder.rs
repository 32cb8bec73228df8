//! A tracing layer that records every span's name and fields, and every event, as text.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// One recorded span.
#[derive(Debug, Clone, Default)]
pub struct SpanRecord {
    pub name: String,
    pub fields: BTreeMap<String, String>,
}

/// Everything recorded, shared with the test.
#[derive(Clone, Default)]
pub struct Recorder {
    spans: Arc<Mutex<Vec<SpanRecord>>>,
    events: Arc<Mutex<Vec<String>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// Index of the span in `spans`, kept in the span's extensions.
struct Slot(usize);

impl Recorder {
    pub fn spans(&self) -> Vec<SpanRecord> {
        self.spans.lock().unwrap().clone()
    }

    pub fn spans_named(&self, name: &str) -> Vec<SpanRecord> {
        self.spans()
            .into_iter()
            .filter(|s| s.name == name)
            .collect()
    }

    /// The call spans (named `invites.call`) whose `otel.name` is `otel_name`, e.g.
    /// `invites.list`.
    pub fn calls(&self, otel_name: &str) -> Vec<SpanRecord> {
        self.spans_named("invites.call")
            .into_iter()
            .filter(|s| s.fields.get("otel.name").map(String::as_str) == Some(otel_name))
            .collect()
    }

    pub fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    /// Everything, as one text, to search for things that must not appear.
    pub fn dump(&self) -> String {
        format!("{:?}\n{:?}", self.spans(), self.events())
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut record = SpanRecord {
            name: attrs.metadata().name().to_owned(),
            fields: BTreeMap::new(),
        };
        attrs.record(&mut Fields(&mut record.fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push(record);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Slot(spans.len() - 1));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(Slot(index)) = span.extensions().get::<Slot>() {
                values.record(&mut Fields(&mut self.spans.lock().unwrap()[*index].fields));
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events
            .lock()
            .unwrap()
            .push(format!("{} {fields:?}", event.metadata().target()));
    }
}

/// Installs a recorder at TRACE for the current thread until the guard drops.
pub fn record() -> (Recorder, tracing::subscriber::DefaultGuard) {
    use tracing_subscriber::layer::SubscriberExt;
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    // With exactly one scoped subscriber in the process, tracing-core computes a callsite's
    // interest from the *registering thread's* subscriber: a test on another thread, with none,
    // would then switch the callsite off for everyone. A second subscriber kept alive for the
    // whole process makes it ask every live subscriber instead.
    static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    let guard = tracing::subscriber::set_default(subscriber);
    (recorder, guard)
}
