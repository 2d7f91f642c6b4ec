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

use super::sketch::{Histogram, RankBins, ScoreBuckets};
use super::state::{Keep, Sketches, State};
use super::stream::RankSums;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::ops::Range;

/// The first bytes of a shard file.
pub const MAGIC: &[u8; 16] = b"RISKSCORE-SHARD\n";
/// The format this version writes and reads.
pub const VERSION: u32 = 1;
/// The name a shard's file has in its output folder.
pub fn file_name(shard: Shard) -> String {
    format!("shard-{}-of-{}.rsshard", shard.k, shard.of)
}

/// Shard `k` (from 1) of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub k: usize,
    pub of: usize,
}

impl Shard {
    /// Reads `K/N` (1 <= K <= N).
    pub fn parse(text: &str) -> std::result::Result<Shard, String> {
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
        (self.k - 1) * n / self.of..self.k * n / self.of
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
pub struct ShardSettings {
    pub samples: usize,
    pub seed: u64,
    pub bootstrap: usize,
    pub confidence: f64,
    pub method: String,
    pub period: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Header {
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

    pub fn shard(&self) -> Shard {
        self.header.shard
    }

    pub fn identity(&self) -> &Identity {
        &self.header.identity
    }

    pub fn settings(&self) -> &ShardSettings {
        &self.header.settings
    }

    /// The base samples covered.
    pub fn samples(&self) -> Range<usize> {
        self.header.samples.clone()
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        let header = serde_json::to_vec(&self.header).unwrap_or_default();
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        let s = &self.state;
        if let Some(sums) = &s.sums {
            put(&mut out, &sums.sums);
            put(&mut out, &sums.range.iter().flatten().copied().collect::<Vec<_>>());
            put(&mut out, &sums.boot);
        }
        for series in &s.shift {
            put(&mut out, series);
        }
        if let Keep::Sketch(k) = &s.keep {
            for h in k.ranks.iter().chain(&k.scores) {
                let (offset, counts) = h.parts();
                out.extend_from_slice(&offset.to_le_bytes());
                out.extend_from_slice(&(counts.len() as u64).to_le_bytes());
                for c in counts {
                    out.extend_from_slice(&c.to_le_bytes());
                }
            }
            put(&mut out, &k.shift);
            put(&mut out, &k.present.iter().map(|&p| p as i64).collect::<Vec<_>>());
        }
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    /// Reads a shard file's bytes; `file` names it in errors.
    pub fn from_bytes(bytes: &[u8], file: &str) -> Result<Partial> {
        let err = |message: String| Error::Data {
            file: file.to_string(),
            message,
        };
        if bytes.len() < 24 || &bytes[..16] != MAGIC {
            return Err(err(
                "not a riskscore shard file (it does not start with RISKSCORE-SHARD): give the folders or .rsshard files `sensitivity --shard` wrote".into(),
            ));
        }
        let version = u32::from_le_bytes(bytes[16..20].try_into().unwrap_or_default());
        if version != VERSION {
            return Err(err(format!(
                "written in shard format {version}; this riskscore {} reads format {VERSION}: merge with the riskscore that ran the shards",
                env!("CARGO_PKG_VERSION")
            )));
        }
        let (body, digest) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != digest {
            return Err(err(
                "truncated or damaged (its checksum does not match its contents): run this shard again".into(),
            ));
        }
        let mut r = Reader { bytes: body, at: 20 };
        let truncated = || err("truncated or damaged: run this shard again".into());
        let len = r.u64_sized(4).ok_or_else(truncated)? as usize;
        let header: Header = r
            .take(len)
            .and_then(|h| serde_json::from_slice(h).ok())
            .ok_or_else(|| err("its header is not readable: run this shard again".into()))?;
        let runs = header.samples.len() * header.step;
        let n_out = header.n_out;
        let sums = match header.sobol {
            Some((g, resamples, units)) => {
                let t = super::stream::terms(g);
                let mut sums = RankSums::new(n_out, units, g, resamples);
                sums.sums = r.i64s(n_out * t).ok_or_else(truncated)?;
                sums.range = r
                    .i64s(3 * n_out)
                    .ok_or_else(truncated)?
                    .chunks_exact(3)
                    .map(|c| [c[0], c[1], c[2]])
                    .collect();
                sums.boot = r.i64s(n_out * resamples * t).ok_or_else(truncated)?;
                Some(sums)
            }
            None => None,
        };
        let shift = (0..header.periods)
            .map(|_| r.i64s(runs))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(truncated)?;
        let mut histograms = Vec::with_capacity(2 * n_out);
        for _ in 0..2 * n_out {
            let offset = r.u64_sized(8).ok_or_else(truncated)? as i64;
            let len = r.u64_sized(8).ok_or_else(truncated)? as usize;
            let counts = r
                .take(len.checked_mul(4).ok_or_else(truncated)?)
                .ok_or_else(truncated)?
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            histograms.push(Histogram::from_parts(offset, counts));
        }
        let scores = histograms.split_off(n_out);
        let sketch_shift = r.i64s(n_out).ok_or_else(truncated)?;
        let present = r
            .i64s(n_out)
            .ok_or_else(truncated)?
            .into_iter()
            .map(|p| p as u64)
            .collect();
        if r.at != body.len() {
            return Err(truncated());
        }
        let state = State {
            samples: header.samples.clone(),
            step: header.step,
            n_out,
            sums,
            shift,
            keep: Keep::Sketch(Sketches {
                bins: RankBins {
                    width: header.rank_bins.0,
                    units: header.rank_bins.1,
                },
                buckets: ScoreBuckets::with_x0(header.score_x0),
                ranks: histograms,
                scores,
                shift: sketch_shift,
                present,
            }),
        };
        Ok(Partial { header, state })
    }
}

fn put(out: &mut Vec<u8>, values: &[i64]) {
    out.reserve(8 * values.len());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads little-endian values off a byte slice.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(len)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    fn u64_sized(&mut self, width: usize) -> Option<u64> {
        let b = self.take(width)?;
        let mut buf = [0u8; 8];
        buf[..width].copy_from_slice(b);
        Some(u64::from_le_bytes(buf))
    }

    fn i64s(&mut self, count: usize) -> Option<Vec<i64>> {
        let b = self.take(count.checked_mul(8)?)?;
        Some(
            b.chunks_exact(8)
                .map(|c| i64::from_le_bytes(c.try_into().unwrap_or_default()))
                .collect(),
        )
    }
}

/// Checks that `parts` (each with the file it came from) belong together and to
/// `expected`, and cover the design whole, once; returns them in sample order.
pub fn order(mut parts: Vec<(String, Partial)>, expected: &Identity) -> Result<Vec<Partial>> {
    let Some((first_file, first)) = parts.first().map(|(f, p)| (f.clone(), p.header.clone())) else {
        return Err(Error::argument("shards", "no shard was given".to_string()));
    };
    let mut problems = Vec::new();
    for (file, p) in &parts {
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
    parts.sort_by_key(|(_, p)| (p.header.samples.start, p.header.shard.k));
    let mut expect_from = 0;
    let mut previous: Option<(&str, Shard)> = None;
    for (file, p) in &parts {
        let (s, shard) = (&p.header.samples, p.header.shard);
        if let Some((prev_file, prev)) = previous {
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
    Ok(parts.into_iter().map(|(_, p)| p).collect())
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
