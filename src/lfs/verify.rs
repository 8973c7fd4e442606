//! A reader that checks an LFS object while it streams through: it counts and hashes every
//! byte, may copy them to a file (the cache's store), and holds back its last chunk until the
//! end of the input proves the size and SHA-256 right. A wrong object therefore never reaches
//! a server whole: its upload is cut short before the last bytes, and the server keeps
//! nothing.
//!
//! Must not know about HTTP or the store's layout.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::batch::Meter;
use super::pointer::{LfsOid, Pointer};

/// How the stream ended, once it has: `Ok` when every byte was read and checked.
pub type Verdict = Arc<Mutex<Option<Result<(), String>>>>;

/// See the module's documentation.
pub struct VerifiedReader<R> {
    inner: R,
    pointer: Pointer,
    hasher: Sha256,
    read: u64,
    tee: Option<File>,
    /// Bytes checked enough to hand on, and how many of them were.
    ready: Vec<u8>,
    ready_at: usize,
    /// The last chunk read: held back until more input, or the checked end, follows.
    tail: Option<Vec<u8>>,
    ended: bool,
    meter: Meter,
    verdict: Verdict,
}

impl<R: Read> VerifiedReader<R> {
    /// Returns a reader of `inner`, which must hold `pointer`'s object; with `tee`, every byte
    /// is also written there. `verdict` is set when the stream ends.
    pub fn new(
        inner: R,
        pointer: Pointer,
        tee: Option<File>,
        meter: Meter,
    ) -> (VerifiedReader<R>, Verdict) {
        let verdict: Verdict = Arc::new(Mutex::new(None));
        let reader = VerifiedReader {
            inner,
            pointer,
            hasher: Sha256::new(),
            read: 0,
            tee,
            ready: Vec::new(),
            ready_at: 0,
            tail: None,
            ended: false,
            meter,
            verdict: Arc::clone(&verdict),
        };
        (reader, verdict)
    }

    fn fail(&mut self, why: String) -> io::Error {
        *self.verdict.lock().expect("not poisoned") = Some(Err(why.clone()));
        io::Error::other(why)
    }

    /// Reads the next chunk of input, or `None` at its end.
    fn next_chunk(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut chunk = vec![0u8; 1 << 16];
        let n = match self.inner.read(&mut chunk) {
            Ok(n) => n,
            Err(e) => return Err(self.fail(format!("reading the object failed: {e}"))),
        };
        if n == 0 {
            return Ok(None);
        }
        chunk.truncate(n);
        self.read += n as u64;
        if self.read > self.pointer.size {
            let size = self.pointer.size;
            return Err(self.fail(format!("the object is longer than the pointer's {size} bytes")));
        }
        self.hasher.update(&chunk);
        if let Some(file) = &mut self.tee {
            if let Err(e) = file.write_all(&chunk) {
                return Err(self.fail(format!("keeping the object failed: {e}")));
            }
        }
        Ok(Some(chunk))
    }

    /// Checks the whole object at the end of the input.
    fn check_end(&mut self) -> io::Result<()> {
        let got = LfsOid::from_digest(std::mem::take(&mut self.hasher).finalize().into());
        if got != self.pointer.oid || self.read != self.pointer.size {
            let (size, oid, read) = (self.pointer.size, self.pointer.oid, self.read);
            return Err(self.fail(format!(
                "the object read was {read} bytes with SHA-256 {got}, but the pointer says {size} bytes with {oid}"
            )));
        }
        if let Some(Err(e)) = self.tee.as_mut().map(Write::flush) {
            return Err(self.fail(format!("keeping the object failed: {e}")));
        }
        *self.verdict.lock().expect("not poisoned") = Some(Ok(()));
        Ok(())
    }
}

impl<R: Read> Read for VerifiedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.ready_at < self.ready.len() {
                let n = buf.len().min(self.ready.len() - self.ready_at);
                buf[..n].copy_from_slice(&self.ready[self.ready_at..self.ready_at + n]);
                self.ready_at += n;
                (self.meter)(n as u64);
                return Ok(n);
            }
            if self.ended {
                return Ok(0);
            }
            match self.next_chunk()? {
                Some(chunk) => self.ready = self.tail.replace(chunk).unwrap_or_default(),
                None => {
                    self.check_end()?;
                    self.ended = true;
                    self.ready = self.tail.take().unwrap_or_default();
                }
            }
            self.ready_at = 0;
        }
    }
}
