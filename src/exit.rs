//! Exit codes, the contract scripts rely on (docs/output.md), and how several combine.

/// A process exit code of gfbridge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done.
    Ok,
    /// 1: operational failure.
    Failure,
    /// 2: usage or configuration error.
    Usage,
    /// 3: attention needed.
    Attention,
    /// 4: busy.
    Busy,
    /// 130: stopped by SIGINT (Ctrl-C) after settling what was under way.
    Interrupted,
    /// 143: stopped by SIGTERM after settling what was under way.
    Terminated,
}

impl Exit {
    /// Returns the numeric code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Attention => 3,
            Exit::Busy => 4,
            Exit::Interrupted => 130,
            Exit::Terminated => 143,
        }
    }

    /// Returns true for the codes of a run stopped by a signal (130, 143).
    pub fn stopped(self) -> bool {
        matches!(self, Exit::Interrupted | Exit::Terminated)
    }

    /// Returns a word for the code, as in metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            Exit::Ok => "ok",
            Exit::Failure => "failure",
            Exit::Usage => "usage",
            Exit::Attention => "attention",
            Exit::Busy => "busy",
            Exit::Interrupted => "interrupted",
            Exit::Terminated => "terminated",
        }
    }

    /// Returns how severe the code is; the most severe wins, in the order 143, 130, 2, 1, 3,
    /// 4, 0: a stopped run says so whatever else happened.
    fn severity(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Busy => 1,
            Exit::Attention => 2,
            Exit::Failure => 3,
            Exit::Usage => 4,
            Exit::Interrupted => 5,
            Exit::Terminated => 6,
        }
    }

    /// Returns the most severe of `codes` (`Ok` when there are none).
    pub fn worst(codes: impl IntoIterator<Item = Exit>) -> Exit {
        codes.into_iter().max_by_key(|e| e.severity()).unwrap_or(Exit::Ok)
    }
}
