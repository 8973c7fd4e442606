//! Copying the LFS objects a push needs from the source side's server to the destination's
//! (docs/lfs.md): what the destination lacks is asked first (read-only), then each lacking
//! object is downloaded into the cache's store (unless kept from an earlier run) and
//! uploaded, a few at a time, streaming: memory does not grow with object size.
//!
//! Must not decide whether a branch is pushed; `sync` turns the answers into reasons.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use std::fs::File;
use std::sync::Arc;

use super::batch::{Action, Client, LfsError, Meter, ObjectState, Operation, UploadActions};
use super::pointer::Pointer;
use super::store::Store;
use super::verify::VerifiedReader;
use crate::oid::Oid;

/// How many objects move at once.
const PARALLEL: usize = 4;

/// An object an outgoing commit points at, and where it was first seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needed {
    /// The object.
    pub pointer: Pointer,
    /// The first outgoing commit that adds or changes a pointer to it.
    pub commit: Oid,
    /// The path of that pointer.
    pub path: String,
    /// False when the pointer has no `size` line (only Git Fusion reads it as a pointer):
    /// such an object can be checked for, never copied.
    pub copyable: bool,
}

/// What the servers said before any transfer: the objects the destination lacks, and those
/// neither side has.
#[derive(Clone, Debug, Default)]
pub struct Estimate {
    /// Objects the destination lacks (all of them when it could not be asked).
    pub lacking: Vec<Pointer>,
    /// Objects on neither server nor in the cache: the push would be refused.
    pub missing: Vec<Needed>,
    /// True when the destination could not be asked, so `lacking` is every object.
    pub estimated: bool,
    /// Why a server could not be asked, when one could not.
    pub unanswered: Option<String>,
}

/// Returns what the servers say of `needed`: `dest` and `source` are `None` when there is no
/// endpoint for that side. Only answers are believed: a server that cannot be asked makes
/// the estimate say so, never a missing object.
pub fn estimate(
    needed: &[Needed],
    source: Option<&Client>,
    dest: Option<&Client>,
    store: &Store,
) -> Estimate {
    // Each object once, with where it was first seen (for the messages).
    let mut first: BTreeMap<Pointer, &Needed> = BTreeMap::new();
    for need in needed {
        first.entry(need.pointer).or_insert(need);
    }
    if first.is_empty() {
        return Estimate::default();
    }
    let objects: Vec<Pointer> = first.keys().copied().collect();
    let answered =
        dest.map(|d| d.batch(Operation::Download, &objects)).map(|r| r.and_then(refused));
    let lacking: Vec<Pointer> = match answered {
        Some(Ok(states)) => states
            .into_iter()
            .filter(|(_, s)| matches!(s, ObjectState::Absent(_)))
            .map(|(p, _)| p)
            .collect(),
        unanswered => {
            let why = match unanswered {
                Some(Err(e)) => e.to_string(),
                _ => "no LFS endpoint for the destination".to_string(),
            };
            return Estimate {
                lacking: objects,
                estimated: true,
                unanswered: Some(why),
                ..Estimate::default()
            };
        }
    };
    let first_seen = |p: &Pointer| Needed::clone(first[p]);
    let mut missing: Vec<Needed> = Vec::new();
    let mut ask_source = Vec::new();
    for pointer in &lacking {
        let need = first_seen(pointer);
        if !need.copyable {
            missing.push(need);
        } else if !store.has(pointer) {
            ask_source.push(*pointer);
        }
    }
    let mut unanswered = None;
    if !ask_source.is_empty() {
        match source.map(|s| s.batch(Operation::Download, &ask_source)).map(|r| r.and_then(refused))
        {
            Some(Ok(states)) => missing.extend(
                states
                    .into_iter()
                    .filter(|(_, s)| matches!(s, ObjectState::Absent(_)))
                    .map(|(p, _)| first_seen(&p)),
            ),
            Some(Err(e)) => unanswered = Some(e.to_string()),
            None => unanswered = Some("no LFS endpoint for the source".to_string()),
        }
    }
    Estimate { lacking, missing, estimated: false, unanswered }
}

/// Returns the states, or the first per-object error as the batch's error (Git Fusion
/// answers 200 and puts a refusal in every object, docs/git-fusion.md).
fn refused(states: Vec<(Pointer, ObjectState)>) -> Result<Vec<(Pointer, ObjectState)>, LfsError> {
    match states.iter().find_map(|(p, s)| match s {
        ObjectState::Failed { code, message } => Some((p, *code, message.clone())),
        _ => None,
    }) {
        Some((pointer, code, message)) => Err(LfsError {
            server: String::new(),
            action: format!("object {}", pointer.oid.short()),
            reason: format!("error {code}: {message}"),
        }),
        None => Ok(states),
    }
}

/// Copies `objects` from `source` to `dest` through `store`, `PARALLEL` at a time; `meter`
/// is told every chunk moved. Returns the number of objects sent. Objects the destination
/// already has are not sent; objects kept in the store are not downloaded again.
pub fn copy(
    objects: &[Pointer],
    source: Option<&Client>,
    dest: &Client,
    store: &Store,
    meter: &Meter,
) -> Result<usize, LfsError> {
    if objects.is_empty() {
        return Ok(0);
    }
    let mut uploads: BTreeMap<Pointer, UploadActions> = BTreeMap::new();
    for (pointer, state) in dest.batch(Operation::Upload, objects)? {
        match state {
            ObjectState::Present(_) => {}
            ObjectState::Absent(Some(actions)) => {
                uploads.insert(pointer, actions);
            }
            ObjectState::Absent(None) => {
                return Err(object_error(
                    dest,
                    &pointer,
                    "the server lacks it but gave no upload action".into(),
                ))
            }
            ObjectState::Failed { code, message } => {
                return Err(object_error(dest, &pointer, format!("error {code}: {message}")))
            }
        }
    }
    let to_fetch: Vec<Pointer> = uploads.keys().filter(|p| !store.has(p)).copied().collect();
    let mut downloads = BTreeMap::new();
    if !to_fetch.is_empty() {
        let source = source.ok_or_else(|| LfsError {
            server: String::new(),
            action: "download".into(),
            reason: "no LFS endpoint for the source side: set gitlab_lfs_url or fusion_lfs_url"
                .into(),
        })?;
        for (pointer, state) in source.batch(Operation::Download, &to_fetch)? {
            match state {
                ObjectState::Present(Some(action)) => {
                    downloads.insert(pointer, action);
                }
                ObjectState::Present(None) | ObjectState::Absent(_) => {
                    return Err(object_error(
                        source,
                        &pointer,
                        "the server does not have it".into(),
                    ))
                }
                ObjectState::Failed { code, message } => {
                    return Err(object_error(source, &pointer, format!("error {code}: {message}")))
                }
            }
        }
    }
    let queue = Mutex::new(uploads.into_iter());
    let stop = AtomicBool::new(false);
    let first_error = Mutex::new(None);
    let sent = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(objects.len()) {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let Some((pointer, actions)) = queue.lock().expect("not poisoned").next()
                    else {
                        return;
                    };
                    let moved = match downloads.get(&pointer) {
                        Some(action) => {
                            let source = source.expect("downloads need a source");
                            stream(source, action, dest, &actions, &pointer, store, meter)
                        }
                        None => resend(dest, &actions, &pointer, store, meter),
                    };
                    match moved {
                        Ok(()) => {
                            sent.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            first_error.lock().expect("not poisoned").get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    match first_error.into_inner().expect("not poisoned") {
        Some(e) => Err(e),
        None => Ok(sent.into_inner()),
    }
}

/// Streams an object from `source` to `dest` while keeping it in the store: the upload
/// reads the download as it arrives (so the two overlap), through a reader that checks size
/// and SHA-256 and holds the last bytes back until they are proven right. A whole, checked
/// object is kept even when the upload failed, so a retry does not download it again.
fn stream(
    source: &Client,
    action: &Action,
    dest: &Client,
    actions: &UploadActions,
    pointer: &Pointer,
    store: &Store,
    meter: &Meter,
) -> Result<(), LfsError> {
    let response = source.open_download(action, pointer)?;
    let temp = store.temp_path(pointer).map_err(|e| local_error(&e))?;
    let file = File::create(&temp).map_err(|e| local_error(&e))?;
    let (reader, verdict) = VerifiedReader::new(response, *pointer, Some(file), Arc::clone(meter));
    let uploaded = dest.upload(actions, pointer, reader);
    let checked = verdict.lock().expect("not poisoned").take();
    match checked {
        Some(Ok(())) => store.adopt(&temp, pointer).map_err(|e| local_error(&e))?,
        _ => {
            let _ = std::fs::remove_file(&temp);
        }
    }
    match checked {
        // The source sent something else: the upload was cut short before its end.
        Some(Err(why)) => Err(object_error(source, pointer, why)),
        _ => uploaded,
    }
}

/// Uploads an object kept in the store by an earlier run, checking it again as it is read: a
/// damaged copy is removed (the next run downloads it again) and never sent whole.
fn resend(
    dest: &Client,
    actions: &UploadActions,
    pointer: &Pointer,
    store: &Store,
    meter: &Meter,
) -> Result<(), LfsError> {
    let kept = store.object_path(pointer);
    let file = File::open(&kept).map_err(|e| local_error(&e))?;
    let (reader, verdict) = VerifiedReader::new(file, *pointer, None, Arc::clone(meter));
    let uploaded = dest.upload(actions, pointer, reader);
    if let Some(Err(why)) = verdict.lock().expect("not poisoned").take() {
        let _ = std::fs::remove_file(&kept);
        return Err(LfsError {
            server: "(local cache)".into(),
            action: format!("object {}", pointer.oid),
            reason: format!("the kept copy is damaged and was removed: {why}"),
        });
    }
    uploaded
}

fn object_error(client: &Client, pointer: &Pointer, reason: String) -> LfsError {
    LfsError { server: client.server(), action: format!("object {}", pointer.oid), reason }
}

fn local_error(e: &std::io::Error) -> LfsError {
    LfsError { server: "(local cache)".into(), action: "keep object".into(), reason: e.to_string() }
}

/// Why the objects of a push could not be carried to the destination.
#[derive(Debug)]
pub enum CarryError {
    /// Objects no server (nor the cache) holds: the push would be refused.
    Missing(Vec<Needed>),
    /// A server failed or refused; its message.
    Failed(String),
}

/// Asks, then copies, in one go (the pre-receive hook, which has no plan to show): returns
/// how many objects were sent.
pub fn carry(
    needed: &[Needed],
    source: Option<&Client>,
    dest: Option<&Client>,
    store: &Store,
    meter: &Meter,
) -> Result<usize, CarryError> {
    let estimate = estimate(needed, source, dest, store);
    if !estimate.missing.is_empty() {
        return Err(CarryError::Missing(estimate.missing));
    }
    let dest = dest.ok_or_else(|| {
        CarryError::Failed(
            estimate
                .unanswered
                .clone()
                .unwrap_or_else(|| "no LFS endpoint for the destination".into()),
        )
    })?;
    copy(&estimate.lacking, source, dest, store, meter)
        .map_err(|e| CarryError::Failed(e.to_string()))
}
