//! Exit codes, the contract scripts rely on (SPEC §2.1), and how several combine.

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
        }
    }

    /// Returns a word for the code, as in metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            Exit::Ok => "ok",
            Exit::Failure => "failure",
            Exit::Usage => "usage",
            Exit::Attention => "attention",
            Exit::Busy => "busy",
        }
    }

    /// Returns how severe the code is; the most severe wins, in the order 2, 1, 3, 4, 0.
    fn severity(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Busy => 1,
            Exit::Attention => 2,
            Exit::Failure => 3,
            Exit::Usage => 4,
        }
    }

    /// Returns the most severe of `codes` (`Ok` when there are none).
    pub fn worst(codes: impl IntoIterator<Item = Exit>) -> Exit {
        codes.into_iter().max_by_key(|e| e.severity()).unwrap_or(Exit::Ok)
    }
}
