//! `manifest.json`: what produced the outputs, so a run can be traced and repeated.

use crate::data::SourceInfo;
use crate::framework::Framework;
use crate::score::Results;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The manifest written beside the outputs.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub riskscore_version: &'static str,
    pub command: String,
    pub created_utc: String,
    pub elapsed_seconds: f64,
    pub framework: FrameworkInfo,
    pub data: Vec<SourceInfo>,
    pub counts: Counts,
    pub options: serde_json::Value,
    pub outputs: Vec<String>,
    pub screening: Vec<crate::pipeline::screen::ScreenNote>,
    pub warnings: Vec<String>,
    /// Weights chosen from the data (`weights = "pca"` / `"optimised"`).
    pub resolved_weights: Vec<crate::score::weights::Resolved>,
}

#[derive(Debug, Serialize)]
pub struct FrameworkInfo {
    pub file: String,
    pub sha256: String,
    pub index: String,
    pub groups: usize,
    pub indicators: usize,
    pub derived: usize,
}

#[derive(Debug, Serialize)]
pub struct Counts {
    pub units: usize,
    pub periods: usize,
    pub scored_unit_periods: usize,
    pub indicators_kept: usize,
    pub imputed_values: usize,
}

/// SHA-256 of bytes as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Manifest {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        command: &str,
        fw: &Framework,
        framework_bytes: &[u8],
        sources: Vec<SourceInfo>,
        res: &Results,
        options: serde_json::Value,
        outputs: Vec<String>,
        elapsed_seconds: f64,
    ) -> Manifest {
        let scored: Vec<usize> = res.scored_cells().collect();
        Manifest {
            riskscore_version: env!("CARGO_PKG_VERSION"),
            command: command.to_string(),
            created_utc: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            elapsed_seconds,
            framework: FrameworkInfo {
                file: fw.file.clone(),
                sha256: sha256_hex(framework_bytes),
                index: fw.index.id.clone(),
                groups: fw.groups.len() - 1,
                indicators: fw.indicators.len(),
                derived: fw.derived.len(),
            },
            data: sources,
            counts: Counts {
                units: scored
                    .iter()
                    .map(|c| c % res.n_units())
                    .collect::<std::collections::HashSet<_>>()
                    .len(),
                periods: scored
                    .iter()
                    .map(|c| c / res.n_units())
                    .collect::<std::collections::HashSet<_>>()
                    .len(),
                scored_unit_periods: scored.len(),
                indicators_kept: res.kept.iter().filter(|&&k| k).count(),
                imputed_values: scored.iter().map(|&c| res.imputed_count[c]).sum(),
            },
            options,
            outputs,
            screening: res.screening.clone(),
            resolved_weights: res.resolved_weights.clone(),
            warnings: res.warnings.clone(),
        }
    }
}
