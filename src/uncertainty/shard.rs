//! Shards: the K-th of N shares of a Saltelli design, run anywhere, written as a
//! partial state, and merged into the outputs of one run.
//!
//! Shard K of N covers base samples `floor((K - 1) n / N) .. floor(K n / N)` of the
//! design's n. Its state ([`super::state`]) holds integer sums and histograms only,
//! which add up exactly in any order, so the merged outputs are the same bytes as
//! one run's with `--quantiles sketch`, whatever N.
//!
//! # File format (version 1)
//! `RISKSCORE-SHARD\n` (16 bytes), the format version (u32 little-endian), the
//! header's length (u32) and the header (JSON: shard, design, settings and the
//! SHA-256 of the framework, the data files and the options), then the state as
//! little-endian arrays, then the SHA-256 of everything before it (32 bytes): a
//! truncated or altered file is refused.

use super::sketch::Histogram;
use super::state::{Keep, State};
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::hash::Hashing;
use std::io::{Read, Seek, Write};
use std::ops::Range;
use std::path::Path;

/// The first bytes of a shard file.
pub(crate) const MAGIC: &[u8; 16] = b"RISKSCORE-SHARD\n";
/// The format this version writes and reads.
pub(crate) const VERSION: u32 = 1;
/// The name a shard's file has in its output folder.
pub fn file_name(shard: Shard) -> String {
    format!("shard-{}-of-{}.rsshard", shard.k, shard.of)
}

/// Shard `k` (from 1) of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub(crate) k: usize,
    pub(crate) of: usize,
}

impl Shard {
    /// Shard `k` of `of` (1 <= k <= of), or an error naming `shard`.
    pub fn new(k: usize, of: usize) -> Result<Shard> {
        if of == 0 || k == 0 || k > of {
            return Err(Error::argument(
                "shard",
                format!("expected K/N with 1 <= K <= N (shard K of N, e.g. 1/4), found `{k}/{of}`"),
            ));
        }
        Ok(Shard { k, of })
    }

    /// Which shard this is, from 1.
    pub fn k(&self) -> usize {
        self.k
    }

    /// How many shards the design is cut into.
    pub fn of(&self) -> usize {
        self.of
    }

    /// Reads `K/N` (1 <= K <= N).
    pub(crate) fn parse(text: &str) -> std::result::Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (shard K of N, e.g. 1/4), found `{text}`");
        let (k, of) = text.split_once('/').ok_or_else(bad)?;
        let (k, of): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            of.trim().parse().map_err(|_| bad())?,
        );
        if of == 0 || k == 0 || k > of {
            return Err(bad());
        }
        Ok(Shard { k, of })
    }

    /// The base samples this shard covers in a design of `n`.
    pub fn samples(&self, n: usize) -> Range<usize> {
        let at = |k: usize| (k as u128 * n as u128 / self.of.max(1) as u128) as usize;
        at(self.k.saturating_sub(1))..at(self.k)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.of)
    }
}

/// What must be the same for shards to belong together: SHA-256 of the framework, of
/// each data file, and of the options that shape the design (samples, seed,
/// bootstrap, confidence, method, period, quantiles).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub framework: String,
    pub data: Vec<String>,
    pub options: String,
    pub seed: u64,
}

/// The settings a shard ran with, as written in its header.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ShardSettings {
    pub samples: usize,
    pub seed: u64,
    pub bootstrap: usize,
    pub confidence: f64,
    pub method: crate::framework::sensitivity::Method,
    pub period: Option<String>,
}

/// What a shard file says of itself: its share, what it ran and what it holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Header {
    version: u32,
    shard: Shard,
    identity: Identity,
    settings: ShardSettings,
    /// The design's N, the samples covered, runs per sample and outputs.
    n: usize,
    samples: Range<usize>,
    step: usize,
    n_out: usize,
    periods: usize,
    /// Sobol sums: groups, resamples, units; sketches: rank bin width, score x0.
    sobol: Option<(usize, usize, usize)>,
    rank_bins: (i64, usize),
    score_x0: f64,
}

impl Header {
    pub fn shard(&self) -> Shard {
        self.shard
    }

    pub fn settings(&self) -> &ShardSettings {
        &self.settings
    }

    /// The base samples covered.
    pub fn samples(&self) -> Range<usize> {
        self.samples.clone()
    }
}

/// One shard's partial state.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    header: Header,
    pub(crate) state: State,
}

impl Partial {
    pub(crate) fn new(shard: Shard, identity: Identity, settings: ShardSettings, n: usize, state: State) -> Partial {
        let Keep::Sketch(s) = &state.keep else {
            panic!("shards keep sketches")
        };
        let header = Header {
            version: VERSION,
            shard,
            identity,
            settings,
            n,
            samples: state.samples.clone(),
            step: state.step,
            n_out: state.n_out,
            periods: state.shift.len(),
            sobol: state.sums.as_ref().map(|s| (s.g, s.resamples, s.units)),
            rank_bins: (s.bins.width, s.bins.units),
            score_x0: s.buckets.x0,
        };
        Partial { header, state }
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Writes the shard file to `w` (unbuffered writers want a `BufWriter`).
    pub fn write_to(&self, w: impl Write) -> std::io::Result<()> {
        let mut w = Hashing::new(w);
        w.write_all(MAGIC)?;
        w.write_all(&VERSION.to_le_bytes())?;
        let header = serde_json::to_vec(&self.header).map_err(std::io::Error::other)?;
        w.write_all(&(header.len() as u32).to_le_bytes())?;
        w.write_all(&header)?;
        let s = &self.state;
        if let Some(sums) = &s.sums {
            put(&mut w, &sums.sums)?;
            for r in &sums.range {
                put(&mut w, r)?;
            }
            put(&mut w, &sums.boot)?;
        }
        for series in &s.shift {
            put(&mut w, series)?;
        }
        if let Keep::Sketch(k) = &s.keep {
            for h in k.ranks.iter().chain(&k.scores) {
                let (offset, counts) = h.parts();
                w.write_all(&offset.to_le_bytes())?;
                w.write_all(&(counts.len() as u64).to_le_bytes())?;
                let bytes: &[u8] = bytemuck::cast_slice(counts);
                if cfg!(target_endian = "little") {
                    w.write_all(bytes)?;
                } else {
                    for c in counts {
                        w.write_all(&c.to_le_bytes())?;
                    }
                }
            }
            put(&mut w, &k.shift)?;
            for &p in &k.present {
                w.write_all(&p.to_le_bytes())?;
            }
            for ends in &k.ends {
                for e in ends {
                    w.write_all(&e.to_le_bytes())?;
                }
            }
        }
        let (mut inner, digest) = w.finish_bytes();
        inner.write_all(&digest)?;
        inner.flush()
    }
}

fn put(w: &mut impl Write, values: &[i64]) -> std::io::Result<()> {
    if cfg!(target_endian = "little") {
        return w.write_all(bytemuck::cast_slice(values));
    }
    for v in values {
        w.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

/// A shard file, its header read and checked. The file stays open: what is merged is
/// what was checked, even if the path is written again meanwhile.
#[derive(Debug)]
pub struct ShardFile {
    path: std::path::PathBuf,
    file: std::fs::File,
    header: Header,
    /// The file's SHA-256, checked at opening and again when its state is read.
    digest: [u8; 32],
}

impl ShardFile {
    /// Opens a shard file and reads its header (the rest is read by
    /// `ShardFile::add_into`).
    pub fn open(path: &Path) -> Result<ShardFile> {
        let file = path.display().to_string();
        let err = |message: String| Error::Data {
            file: file.clone(),
            kind: ErrorKind::Unreadable,
            message,
        };
        let opened = std::fs::File::open(path).map_err(|e| Error::io(path, "open", e))?;
        let mut r = std::io::BufReader::new(&opened);
        let mut head = [0u8; 24];
        let foreign = || {
            err("not a riskscore shard file (it does not start with RISKSCORE-SHARD): give the folders or .rsshard files `sensitivity --shard` wrote".into())
        };
        r.read_exact(&mut head).map_err(|_| foreign())?;
        if &head[..16] != MAGIC {
            return Err(foreign());
        }
        let version = u32::from_le_bytes([head[16], head[17], head[18], head[19]]);
        if version != VERSION {
            return Err(err(format!(
                "written in shard format {version}; this riskscore {} reads format {VERSION}: merge with the riskscore that ran the shards",
                env!("CARGO_PKG_VERSION")
            )));
        }
        let len = u32::from_le_bytes([head[20], head[21], head[22], head[23]]) as usize;
        if len > 1 << 20 {
            return Err(err(format!(
                "its header says it is {len} bytes long: run this shard again"
            )));
        }
        let mut raw = vec![0u8; len];
        r.read_exact(&mut raw)
            .map_err(|_| err("truncated or damaged: run this shard again".into()))?;
        let header: Header =
            serde_json::from_slice(&raw).map_err(|_| err("its header is not readable: run this shard again".into()))?;
        if Shard::new(header.shard.k, header.shard.of).is_err() {
            return Err(err(format!(
                "its header names shard {}: not a shard K/N with 1 <= K <= N: run this shard again",
                header.shard
            )));
        }
        // The whole file against its checksum, so that a truncated shard is named with
        // the other problems, before any is merged.
        let damaged =
            || err("truncated or damaged (its checksum does not match its contents): run this shard again".into());
        let mut hash = Hashing::new(std::io::sink());
        let length = opened.metadata().map_err(|e| Error::io(path, "read", e))?.len();
        let body = length.checked_sub(24 + len as u64 + 32).ok_or_else(damaged)?;
        hash.write_all(&head)
            .and_then(|()| hash.write_all(&raw))
            .and_then(|()| std::io::copy(&mut (&mut r).take(body), &mut hash))
            .map_err(|e| Error::io(path, "read", e))?;
        let mut stored = [0u8; 32];
        r.read_exact(&mut stored).map_err(|_| damaged())?;
        if hash.finish_bytes().1 != stored {
            return Err(damaged());
        }
        // What the header claims, against itself (the checksum is no signature).
        let h = &header;
        let shard_ok = h.shard.k >= 1 && h.shard.k <= h.shard.of && h.shard.of <= h.n;
        if !shard_ok
            || h.n > crate::framework::sensitivity::MAX_SAMPLES
            || h.samples != h.shard.samples(h.n)
            || h.samples.is_empty()
        {
            return Err(err(format!(
                "its header says shard {} covers samples {}..{} of N = {}, which does not add up: run this shard again",
                h.shard, h.samples.start, h.samples.end, h.n
            )));
        }
        drop(r);
        Ok(ShardFile {
            path: path.to_path_buf(),
            file: opened,
            header,
            digest: stored,
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The file's name, as given.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// Reads the shard's state and adds it to `state` (which covers the samples just
    /// before this shard's, and has the same shape, of a design of `n` samples),
    /// checking its checksum at the end. A file is not trusted for its sizes: a
    /// checksum is no signature, so every count and key is checked against the design
    /// before anything is allocated for it.
    pub(crate) fn add_into(&self, state: &mut State, n: usize) -> Result<()> {
        let file = self.name();
        let with_kind = |kind: ErrorKind, message: &str| Error::Data {
            file: file.clone(),
            kind,
            message: message.to_string(),
        };
        // Of another design, or damaged.
        let err = |message: &str| with_kind(ErrorKind::Mismatch, message);
        let damaged = |message: &str| with_kind(ErrorKind::Unreadable, message);
        let h = &self.header;
        let Keep::Sketch(acc) = &mut state.keep else {
            panic!("shards merge into sketches")
        };
        let fits = h.step == state.step
            && h.n_out == state.n_out
            && h.periods == state.shift.len()
            && h.sobol == state.sums.as_ref().map(|s| (s.g, s.resamples, s.units))
            && h.rank_bins == (acc.bins.width, acc.bins.units)
            && h.score_x0.to_bits() == acc.buckets.x0.to_bits();
        if !fits {
            return Err(err(
                "ran another design (outputs, groups, resamples or periods) than this framework makes on this data",
            ));
        }
        if h.n != n || h.samples.end > n || h.samples.start > h.samples.end {
            return Err(err(&format!(
                "covers samples {}..{} of N = {}; this framework's design has N = {n}",
                h.samples.start, h.samples.end, h.n
            )));
        }
        if h.samples.start != state.samples.end {
            return Err(err("does not follow the shards before it"));
        }
        // The keys a histogram may hold: rank bins 0..=2U/w; score buckets up to f32's
        // largest magnitude over x0 (about 93,000 buckets of 1 %).
        let rank_keys = 0..=(2 * acc.bins.units as i64 / acc.bins.width.max(1) + 1);
        let score_keys = -200_000..=200_000i64;
        let mut handle = &self.file;
        handle
            .seek(std::io::SeekFrom::Start(0))
            .map_err(|e| Error::io(&self.path, "read", e))?;
        let mut r = Hashing::new(std::io::BufReader::with_capacity(1 << 20, handle));
        let truncated = || damaged("truncated or damaged: run this shard again");
        let mut skip = [0u8; 24];
        // The header as written: its length is in the file.
        r.read_exact(&mut skip).map_err(|_| truncated())?;
        let len = u32::from_le_bytes([skip[20], skip[21], skip[22], skip[23]]) as usize;
        let mut header = vec![0u8; len.min(1 << 20)];
        r.read_exact(&mut header).map_err(|_| truncated())?;
        let n_out = h.n_out;
        let runs = h.samples.len() * h.step;
        if let Some(sums) = &mut state.sums {
            add_i64s(&mut r, &mut sums.sums).map_err(|_| truncated())?;
            let mut range = vec![0i64; 3 * n_out];
            read_i64s(&mut r, &mut range).map_err(|_| truncated())?;
            for (a, b) in sums.range.iter_mut().zip(range.chunks_exact(3)) {
                *a = super::stream::join_range(*a, [b[0], b[1], b[2]]).ok_or_else(truncated)?;
            }
            add_i64s(&mut r, &mut sums.boot).map_err(|_| truncated())?;
        }
        for series in &mut state.shift {
            let from = series.len();
            series.resize(from + runs, 0);
            read_i64s(&mut r, &mut series[from..]).map_err(|_| truncated())?;
        }
        add_histograms(&mut r, acc, runs as u64, [&rank_keys, &score_keys]).map_err(|bad| damaged(bad.message()))?;
        add_i64s(&mut r, &mut acc.shift).map_err(|_| truncated())?;
        for p in &mut acc.present {
            let more = read_u64(&mut r).map_err(|_| truncated())?;
            if more > runs as u64 {
                return Err(truncated());
            }
            *p += more;
        }
        for ends in &mut acc.ends {
            let mut e = [0f32; 4];
            for x in &mut e {
                let mut b = [0u8; 4];
                r.read_exact(&mut b).map_err(|_| truncated())?;
                *x = f32::from_le_bytes(b);
            }
            *ends = super::state::join_ends(*ends, e);
        }
        let (mut inner, digest) = r.finish_bytes();
        let mut stored = [0u8; 32];
        inner.read_exact(&mut stored).map_err(|_| truncated())?;
        let mut rest = [0u8; 1];
        if digest != stored || stored != self.digest || inner.read(&mut rest).map_or(true, |n| n != 0) {
            return Err(err(
                "truncated or damaged (its checksum does not match its contents): run this shard again",
            ));
        }
        state.samples.end = h.samples.end;
        Ok(())
    }
}

/// What is wrong with a shard's histograms.
enum Bad {
    Truncated,
    Outside,
    TooMany,
}

impl Bad {
    fn message(&self) -> &'static str {
        match self {
            Bad::Truncated => "truncated or damaged: run this shard again",
            Bad::Outside => "holds a histogram outside the design's ranks or scores: run this shard again",
            Bad::TooMany => "counts more runs than it covers: run this shard again",
        }
    }
}

/// Reads a shard's rank histograms then its score histograms and adds them to `acc`'s;
/// each must lie within its `keys` and count at most `runs`.
fn add_histograms(
    r: &mut impl Read,
    acc: &mut super::state::Sketches,
    runs: u64,
    keys: [&std::ops::RangeInclusive<i64>; 2],
) -> std::result::Result<(), Bad> {
    let n_out = acc.ranks.len();
    let mut counts: Vec<u32> = Vec::new();
    for o in 0..2 * n_out {
        let offset = read_u64(r).map_err(|_| Bad::Truncated)? as i64;
        let len = read_u64(r).map_err(|_| Bad::Truncated)?;
        let keys = keys[usize::from(o >= n_out)];
        let last = i64::try_from(len).ok().and_then(|l| offset.checked_add(l - 1));
        if len > 0 && !(keys.contains(&offset) && last.is_some_and(|k| keys.contains(&k))) {
            return Err(Bad::Outside);
        }
        counts.clear();
        counts.resize(len as usize, 0);
        r.read_exact(bytemuck::cast_slice_mut(&mut counts))
            .map_err(|_| Bad::Truncated)?;
        if cfg!(target_endian = "big") {
            counts.iter_mut().for_each(|c| *c = u32::from_le(*c));
        }
        // No histogram counts more runs than the shard made.
        if counts.iter().map(|&c| u64::from(c)).sum::<u64>() > runs {
            return Err(Bad::TooMany);
        }
        let part = Histogram::from_parts(offset, std::mem::take(&mut counts));
        let into = if o < n_out {
            &mut acc.ranks[o]
        } else {
            &mut acc.scores[o - n_out]
        };
        into.merge(&part);
        counts = part.into_counts();
    }
    Ok(())
}

fn read_u64(r: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn read_i64s(r: &mut impl Read, out: &mut [i64]) -> std::io::Result<()> {
    r.read_exact(bytemuck::cast_slice_mut(out))?;
    if cfg!(target_endian = "big") {
        out.iter_mut().for_each(|v| *v = i64::from_le(*v));
    }
    Ok(())
}

/// Adds `acc.len()` little-endian i64 from `r` to `acc`, a block at a time.
fn add_i64s(r: &mut impl Read, acc: &mut [i64]) -> std::io::Result<()> {
    let mut block = vec![0i64; 1 << 16];
    for chunk in acc.chunks_mut(1 << 16) {
        let block = &mut block[..chunk.len()];
        read_i64s(r, block)?;
        for (a, b) in chunk.iter_mut().zip(block.iter()) {
            *a = a
                .checked_add(*b)
                .ok_or_else(|| std::io::Error::other("a sum past 2^63"))?;
        }
    }
    Ok(())
}

/// Checks that the shard files `parts` belong together and to
/// `expected`, and cover the design whole, once; returns them in sample order.
pub fn order(mut parts: Vec<ShardFile>, expected: &Identity) -> Result<Vec<ShardFile>> {
    let Some((first_file, first)) = parts.first().map(|p| (p.name(), p.header.clone())) else {
        return Err(Error::argument("shards", "no shard was given".to_string()));
    };
    let mut problems = Vec::new();
    for p in &parts {
        let file = p.name();
        let h = &p.header;
        let id = &h.identity;
        if id.framework != expected.framework {
            problems.push(format!(
                "{file}: ran another framework (sha256 {}) than the one given (sha256 {})",
                id.framework, expected.framework
            ));
        }
        if id.data != expected.data {
            problems.push(format!(
                "{file}: ran on other data (sha256 {}) than the data given (sha256 {})",
                id.data.join(", "),
                expected.data.join(", ")
            ));
        }
        if id.options != expected.options || id.seed != expected.seed {
            problems.push(format!(
                "{file}: ran with other options or seed than {first_file} (samples, seed, bootstrap, confidence, method, period, quantiles must be the same)"
            ));
        }
        if (h.n, h.shard.of, h.step, h.n_out) != (first.n, first.shard.of, first.step, first.n_out) {
            problems.push(format!(
                "{file}: shard {} of a design of N = {} does not go with {first_file}'s shard {} of N = {}",
                h.shard, h.n, first.shard, first.n
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::argument("shards", problems.join("\n")));
    }
    parts.sort_by_key(|p| (p.header.samples.start, p.header.shard.k));
    let mut expect_from = 0;
    let mut previous: Option<(String, Shard)> = None;
    for p in &parts {
        let file = p.name();
        let (s, shard) = (&p.header.samples, p.header.shard);
        if let Some((prev_file, prev)) = &previous {
            let prev = *prev;
            if prev == shard {
                problems.push(format!("shard {shard} is given twice: {prev_file} and {file}"));
            } else if s.start < expect_from {
                problems.push(format!(
                    "{file}: shard {shard} (samples {}..{}) overlaps shard {prev} ({prev_file})",
                    s.start, s.end
                ));
            }
        }
        if s.start > expect_from {
            problems.push(format!(
                "samples {expect_from}..{} are missing (shard {} of {}): run it and merge again",
                s.start,
                missing_shard(expect_from, first.n, first.shard.of),
                first.shard.of
            ));
        }
        expect_from = expect_from.max(s.end);
        previous = Some((file, shard));
    }
    if expect_from < first.n {
        problems.push(format!(
            "samples {expect_from}..{} are missing (shard {} of {}): run it and merge again",
            first.n,
            missing_shard(expect_from, first.n, first.shard.of),
            first.shard.of
        ));
    }
    if !problems.is_empty() {
        return Err(Error::argument("shards", problems.join("\n")));
    }
    Ok(parts)
}

/// The shard whose samples start at `from`.
fn missing_shard(from: usize, n: usize, of: usize) -> usize {
    (1..=of)
        .find(|&k| Shard { k, of }.samples(n).start == from)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_the_samples() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { k: 2, of: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x", "1/", "-1/4"] {
            assert!(
                Shard::parse(bad).unwrap_err().contains(&format!("found `{bad}`")),
                "{bad}"
            );
        }
        // 10 samples in 3 shards: 0..3, 3..6, 6..10; every sample once.
        let parts: Vec<_> = (1..=3).map(|k| Shard { k, of: 3 }.samples(10)).collect();
        assert_eq!(parts, vec![0..3, 3..6, 6..10]);
        assert_eq!(missing_shard(3, 10, 3), 2);
    }
}
