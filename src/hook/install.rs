//! `gfbridge hook install`: writes the `pre-receive` hook file that runs
//! `gfbridge hook pre-receive` with the config path and workspace baked in.
//!
//! Owns the hook file's text and the rule that a hook gfbridge did not write is never
//! replaced silently. Must not hold credentials: transport settings stay in git's own config.

use std::path::{Path, PathBuf};

/// The word that marks a hook file as gfbridge's own (safe to replace).
pub const MARKER: &str = "gfbridge-hook";

/// The error returned when the hook cannot be installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The target is not a git repository.
    #[error("{path} is not a git repository (pass the bare repository users push to)")]
    NotARepository { path: PathBuf },
    /// Another program's hook is in the way.
    #[error(
        "{path} already exists and was not written by gfbridge; not replaced (merge it by hand, or pass --force to replace it)"
    )]
    Foreign { path: PathBuf },
    /// The file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
}

impl crate::errors::Classified for InstallError {
    fn exit(&self) -> crate::exit::Exit {
        match self {
            InstallError::Io { .. } => crate::exit::Exit::Failure,
            InstallError::NotARepository { .. } | InstallError::Foreign { .. } => {
                crate::exit::Exit::Usage
            }
        }
    }
}

/// What to install, and where.
#[derive(Clone, Debug)]
pub struct Install {
    /// The repository's hooks directory.
    pub hooks_dir: PathBuf,
    /// The gfbridge executable the hook runs (absolute).
    pub executable: PathBuf,
    /// The config file the hook reads (absolute).
    pub config: PathBuf,
    /// The workspace whose Git Fusion remote is the upstream.
    pub workspace: String,
    /// Replace a hook gfbridge did not write.
    pub force: bool,
}

/// Returns the hooks directory of the repository at `repo`: `core.hooksPath` when the
/// repository sets it (git runs hooks from there), else `<repo>/hooks`.
pub fn hooks_dir(repo: &Path) -> Result<PathBuf, InstallError> {
    let not_repo = || InstallError::NotARepository { path: repo.to_path_buf() };
    let opened = git2::Repository::open_ext(
        repo,
        git2::RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&std::ffi::OsStr>(),
    )
    .map_err(|_| not_repo())?;
    let configured = opened.config().ok().and_then(|c| c.get_path("core.hooksPath").ok());
    Ok(match configured {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => opened.path().join(dir),
        None => opened.path().join("hooks"),
    })
}

/// Writes the hook and returns its path. An existing gfbridge hook is replaced; any other
/// file only with `force`.
pub fn install(what: &Install) -> Result<PathBuf, InstallError> {
    let path = what.hooks_dir.join("pre-receive");
    let io = |action, e: std::io::Error| InstallError::Io { action, path: path.clone(), source: e };
    match std::fs::read(&path) {
        Ok(existing) if !what.force && !is_ours(&existing) => {
            return Err(InstallError::Foreign { path });
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io("read", e)),
    }
    std::fs::create_dir_all(&what.hooks_dir).map_err(|e| io("create the directory of", e))?;
    let text = script(&what.executable, &what.config, &what.workspace);
    crate::files::write_atomically(&path, text.as_bytes(), Some(0o755))
        .map_err(|e| io("write", e))?;
    Ok(path)
}

fn is_ours(text: &[u8]) -> bool {
    String::from_utf8_lossy(text).lines().take(3).any(|l| l.contains(MARKER))
}

/// Returns the hook file's text: a POSIX shell script that hands git's stdin to
/// `gfbridge hook pre-receive`.
pub fn script(executable: &Path, config: &Path, workspace: &str) -> String {
    format!(
        "#!/bin/sh\n\
         # {MARKER}: written by `gfbridge hook install`; rerun it to update this file.\n\
         # Pushes to the mirrored branches of workspace {ws} are accepted only once Git Fusion\n\
         # has accepted them (docs/hook.md). No credentials here: git's own config reaches Git Fusion.\n\
         exec {exe} --config {config} hook pre-receive -w {ws}\n",
        exe = quote(&executable.to_string_lossy()),
        config = quote(&config.to_string_lossy()),
        ws = quote(workspace),
    )
}

/// Quotes `text` for sh: inside single quotes nothing is special but the quote itself.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
