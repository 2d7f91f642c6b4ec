//! No output overwrites an input: every output path is checked against every input
//! before anything is written.

use crate::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

/// Refuses to write an output over one of the inputs.
/// Checks every output path against every input, all at once: run it before writing
/// anything, so a refused run leaves no partial output.
pub fn check_outputs(outputs: &[PathBuf], inputs: &[&Path]) -> Result<()> {
    Error::from_problems(
        outputs
            .iter()
            .filter_map(|o| check_not_input(o, inputs).err())
            .collect(),
    )
}

pub fn check_not_input(output: &Path, inputs: &[&Path]) -> Result<()> {
    let Ok(out) = output.canonicalize() else {
        return Ok(());
    };
    for input in inputs {
        if input.canonicalize().is_ok_and(|i| i == out) {
            return Err(Error::Data {
                file: output.display().to_string(),
                kind: ErrorKind::OutputInTheWay,
                message: "this output would overwrite an input file: choose another output path".into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("scores.csv");
        std::fs::write(&input, "data").unwrap();
        let err = check_not_input(&input, &[input.as_path()]).unwrap_err();
        assert!(err
            .to_string()
            .ends_with("this output would overwrite an input file: choose another output path"));
    }
}
