//! Stopping halfway, on purpose: SIGINT and SIGTERM during a command-line run, and the
//! children gfbridge starts.
//!
//! Every child (`git`, `p4`) runs in a process group of its own, so a terminal's Ctrl-C,
//! which goes to the whole foreground group, reaches gfbridge only; gfbridge decides what the
//! children get. After [`install`]:
//! - the first signal asks the run to stop: no new step starts, children that only read are
//!   ended at once, and a push under way (or the `p4` call confirming it) finishes so that it
//!   can be settled and journalled; the run then ends with exit 130 (SIGINT) or 143 (SIGTERM);
//! - a second signal ends every child and exits at once.
//!
//! Owns the process-wide signal state and the registry of running children. Must not know
//! what a run does: callers ask [`requested`] between their steps.

use std::io;
use std::process::{Child, Command, Output};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;

use crate::exit::Exit;

/// The first signal received (0: none).
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// Every running child started through [`spawn`]: its pid (also its process group) and
/// whether it must be allowed to finish after a first signal.
static CHILDREN: Mutex<Vec<(u32, Step)>> = Mutex::new(Vec::new());

/// Why a run was asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// SIGINT (Ctrl-C): exit 130.
    Interrupt,
    /// SIGTERM: exit 143.
    Terminate,
}

impl Stop {
    /// Returns the exit code a run stopped this way ends with.
    pub fn exit(self) -> Exit {
        match self {
            Stop::Interrupt => Exit::Interrupted,
            Stop::Terminate => Exit::Terminated,
        }
    }

    /// Returns the signal's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Stop::Interrupt => "SIGINT",
            Stop::Terminate => "SIGTERM",
        }
    }

    fn from_signal(signal: i32) -> Option<Stop> {
        match signal {
            libc::SIGINT => Some(Stop::Interrupt),
            libc::SIGTERM => Some(Stop::Terminate),
            _ => None,
        }
    }
}

/// What a child does, as far as a first signal is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// It writes to a remote (a push) or settles one (the confirmation): it finishes.
    MustFinish,
    /// It only reads (listing, fetching, walking history): it is ended at once.
    Interruptible,
}

/// Handles SIGINT and SIGTERM for the rest of the process as described above. Called once,
/// by the commands that run syncs; the service keeps its own handling.
pub fn install() -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for signal in signals.forever() {
            let Some(stop) = Stop::from_signal(signal) else { continue };
            if SIGNAL.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                eprintln!(
                    "gfbridge: {}: stopping after the step under way; a push already started \
                     finishes and is recorded first (send it again to stop at once)",
                    stop.name()
                );
                end_children(|step| step == Step::Interruptible);
            } else {
                eprintln!("gfbridge: {}: stopping at once", stop.name());
                // Before the children die: a push that fails because it was killed must not be
                // settled as a failure by the run's own thread (see `halt_if_stopping`).
                STOPPING.store(true, Ordering::SeqCst);
                end_children(|_| true);
                std::process::exit(i32::from(stop.exit().code()));
            }
        }
    })?;
    Ok(())
}

/// Set by a second signal just before it kills every child and exits.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Waits for the process to end when a second signal is ending it: a step whose child it
/// killed must not record that as the step's result (the next run records the push as `lost`
/// from its intent on disk). Returns at once otherwise.
pub fn halt_if_stopping() {
    while STOPPING.load(Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Returns the signal that asked the run to stop, if one did.
pub fn requested() -> Option<Stop> {
    Stop::from_signal(SIGNAL.load(Ordering::SeqCst))
}

/// A child started through [`spawn`]; it leaves the registry once waited for or dropped.
#[derive(Debug)]
pub struct Tracked {
    child: Child,
    _registered: Registered,
}

/// A child's place in the registry, given up when dropped.
#[derive(Debug)]
struct Registered(u32);

impl Drop for Registered {
    fn drop(&mut self) {
        let mut children = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
        children.retain(|(pid, _)| *pid != self.0);
    }
}

impl Tracked {
    /// Returns the child's process id (also its process group's id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Returns the child itself (its pipes, `try_wait`, `kill`).
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Waits for the child and returns all it wrote, as `Child::wait_with_output` does.
    pub fn wait_with_output(self) -> io::Result<Output> {
        self.child.wait_with_output()
    }
}

/// Starts `command` in a process group of its own and registers it, so that signals reach
/// it only as this module decides. A child that only reads, started after a first signal, is
/// ended at once: no new step starts.
pub fn spawn(command: &mut Command, step: Step) -> io::Result<Tracked> {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
    let mut children = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
    let child = command.spawn()?;
    let pid = child.id();
    children.push((pid, step));
    if requested().is_some() && step == Step::Interruptible {
        end_group(pid);
    }
    Ok(Tracked { child, _registered: Registered(pid) })
}

/// Ends (SIGKILL) the process group of every registered child that `which` selects.
fn end_children(which: impl Fn(Step) -> bool) {
    let children = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
    for (pid, _) in children.iter().filter(|(_, step)| which(*step)) {
        end_group(*pid);
    }
}

fn end_group(pid: u32) {
    let Ok(group) = i32::try_from(pid) else { return };
    // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}
