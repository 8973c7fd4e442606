//! Progress of long steps (docs/output.md): on a terminal a bar with counts (indicatif) and the
//! current step; elsewhere (a CI job log, a journal) a heartbeat line at least every
//! `GFBRIDGE_HEARTBEAT` (30 s by default) so the job is seen alive; with `-q`, or in the
//! service, nothing.
//!
//! Owns how progress looks and when it is printed; must not decide anything. Heartbeats go
//! through `tracing` (target `gfbridge::progress`), so they follow `--log-format`.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The default time between two heartbeat lines.
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// The tracing target of heartbeat lines; the CLI shows it at `info` unless `-q`.
pub const TARGET: &str = "gfbridge::progress";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Nothing at all.
    Hidden,
    /// A bar on stderr, which is a terminal that may take control sequences.
    Terminal,
    /// Heartbeat lines through the log.
    Heartbeat(Duration),
}

/// Where progress goes for one command.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    mode: Mode,
}

impl Progress {
    /// Returns progress that shows nothing (the service, hooks, tests of the library).
    pub fn hidden() -> Progress {
        Progress { mode: Mode::Hidden }
    }

    /// Returns a bar when `terminal` (stderr is a terminal that may take control sequences),
    /// else heartbeats every `heartbeat`.
    pub fn new(terminal: bool, heartbeat: Duration) -> Progress {
        let mode = if terminal { Mode::Terminal } else { Mode::Heartbeat(heartbeat) };
        Progress { mode }
    }

    /// Returns whether steps show anything (so git is asked for its progress meters).
    pub fn reports(&self) -> bool {
        self.mode != Mode::Hidden
    }

    /// Prints a one-off status line on a terminal (`gfbridge: widgets: pushing 2 branch(es)`).
    pub fn say(&self, message: &str) {
        if self.mode == Mode::Terminal {
            eprintln!("gfbridge: {message}");
        }
    }

    /// Starts a step that counts `unit`s (`objects`, `commits`); it ends when dropped.
    pub fn step(&self, label: impl Into<String>, unit: &'static str) -> Step {
        let label = label.into();
        match self.mode {
            Mode::Hidden => Step { inner: None, label },
            Mode::Terminal => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                // Transfers count bytes: shown as sizes with a rate.
                let counts = if unit == "bytes" {
                    "{bytes}/{total_bytes} ({bytes_per_sec})".to_string()
                } else {
                    format!("{{pos}}/{{len}} {unit}")
                };
                let style = ProgressStyle::with_template(&format!(
                    "{{spinner}} {{msg}} [{{bar:30}}] {counts} ({{elapsed}})"
                ))
                .expect("the template is valid")
                .progress_chars("=> ");
                bar.set_style(style);
                bar.set_message(label.clone());
                bar.enable_steady_tick(Duration::from_millis(200));
                Step { inner: Some(Inner::Bar(bar)), label }
            }
            Mode::Heartbeat(every) => {
                let beat = Beat::start(label.clone(), unit, every);
                Step { inner: Some(Inner::Beat(beat)), label }
            }
        }
    }
}

/// One long step; dropping it ends it.
pub struct Step {
    inner: Option<Inner>,
    label: String,
}

enum Inner {
    Bar(ProgressBar),
    Beat(Beat),
}

impl Step {
    /// Sets how far the step is, and (when known) its total.
    pub fn set(&self, position: u64, total: Option<u64>) {
        match &self.inner {
            None => {}
            Some(Inner::Bar(bar)) => {
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(position);
            }
            Some(Inner::Beat(beat)) => beat.set(position, total),
        }
    }

    /// Names the phase the step is in (`fetching from gitlab: Resolving deltas`).
    pub fn phase(&self, phase: &str) {
        let label = format!("{}: {phase}", self.label);
        match &self.inner {
            None => {}
            Some(Inner::Bar(bar)) => bar.set_message(label),
            Some(Inner::Beat(beat)) => beat.state.0.lock().expect("not poisoned").label = label,
        }
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        if let Some(Inner::Bar(bar)) = &self.inner {
            bar.finish_and_clear();
        }
    }
}

struct BeatState {
    label: String,
    position: u64,
    total: Option<u64>,
    done: bool,
}

/// A thread that logs the step's state every period until the step ends.
struct Beat {
    state: Arc<(Mutex<BeatState>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Beat {
    fn start(label: String, unit: &'static str, every: Duration) -> Beat {
        let state = Arc::new((
            Mutex::new(BeatState { label, position: 0, total: None, done: false }),
            Condvar::new(),
        ));
        let shared = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("gfbridge-heartbeat".into())
            .spawn(move || beat(&shared, unit, every))
            .ok();
        Beat { state, thread }
    }

    fn set(&self, position: u64, total: Option<u64>) {
        let mut state = self.state.0.lock().expect("not poisoned");
        state.position = position;
        state.total = total.or(state.total);
    }
}

impl Drop for Beat {
    fn drop(&mut self) {
        self.state.0.lock().expect("not poisoned").done = true;
        self.state.1.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn beat(shared: &(Mutex<BeatState>, Condvar), unit: &str, every: Duration) {
    let start = Instant::now();
    let (lock, wake) = shared;
    let mut state = lock.lock().expect("not poisoned");
    loop {
        // The step may have ended before this thread first took the lock.
        if state.done {
            return;
        }
        let (next, timeout) = wake.wait_timeout(state, every).expect("not poisoned");
        state = next;
        if state.done {
            return;
        }
        if timeout.timed_out() {
            let count = match state.total {
                Some(total) => format!("{}/{total} {unit}", state.position),
                None => format!("{} {unit}", state.position),
            };
            let secs = start.elapsed().as_secs();
            tracing::info!(target: TARGET, step = %state.label, elapsed_s = secs, "{}: still running after {secs}s ({count})", state.label);
        }
    }
}
