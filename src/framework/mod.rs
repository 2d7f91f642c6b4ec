//! The framework: the analyst's declarative model of the index.
//!
//! A framework file (TOML) is parsed into [`schema::RawFramework`] and then
//! validated once into a [`Framework`]: every key checked, every id resolved to an
//! index, the hierarchy checked for cycles and empty groups, derived columns put in
//! dependency order. Later code never looks up an id by string in a loop.
//!
//! This file is the entry point: it reads a framework file, parses it into
//! [`schema::RawFramework`] and hands it to [`validate`], which checks it section by
//! section and builds the [`Framework`] (defined with its parts in `model.rs`,
//! `index.rs`, `data_spec.rs`, `screen.rs`, `derived.rs` and `hierarchy.rs`), collecting
//! every problem so `riskscore validate` can report them all.

mod data_spec;
mod derived;
mod hierarchy;
mod index;
mod model;
pub mod schema;
mod screen;
pub mod sensitivity;
pub(crate) mod validate;

pub use data_spec::{Layout, Neighbours};
pub use hierarchy::{Child, Indicator, WeightMethod};
pub use index::{ScaleFrom, Scope};
pub use model::Framework;
pub use screen::ScreenOn;

use crate::error::{Error, Result};
use schema::*;
use std::path::Path;

impl Framework {
    /// Reads and validates a framework file.
    pub fn from_path(path: &Path) -> Result<Framework> {
        Framework::read(path).map(|(fw, _)| fw)
    }

    /// Reads and validates a framework file, also returning its bytes (for the
    /// manifest's hash), reading the file once.
    pub(crate) fn read(path: &Path) -> Result<(Framework, Vec<u8>)> {
        let bytes = crate::input::file::read(path, "framework file", Default::default())?;
        let file = path.display().to_string();
        let text = std::str::from_utf8(&bytes).map_err(|e| Error::Toml {
            file: file.clone(),
            message: format!("the file is not UTF-8 text: {e}"),
        })?;
        let fw = Framework::from_toml(text, &file)?;
        Ok((fw, bytes))
    }

    /// Parses and validates framework text; `file` names it in messages.
    ///
    /// ```
    /// use riskscore::Framework;
    ///
    /// let text = "[index]\nid = \"r\"\nname = \"Risk\"\nunit = \"u\"\nperiod = \"year\"\n\
    ///             [[group]]\nid = \"a\"\n[[indicator]]\nid = \"x\"\ngroup = \"a\"\n";
    /// let fw = Framework::from_toml(text, "mine.toml")?;
    /// assert_eq!(fw.indicator_ids(), ["x"]);
    /// assert_eq!(fw.group_ids(), ["r", "a"]);
    /// let bad = Framework::from_toml(&text.replace("group = \"a\"", "group = \"b\""), "mine.toml");
    /// assert!(bad.unwrap_err().to_string().starts_with("mine.toml: "));
    /// # Ok::<(), riskscore::Error>(())
    /// ```
    pub fn from_toml(text: &str, file: &str) -> Result<Framework> {
        let raw: RawFramework = toml::from_str(text).map_err(|e| Error::Toml {
            file: file.to_string(),
            message: crate::error::short_lines(&with_nearest_field(e.to_string().trim_end())),
        })?;
        let mut fw = validate::framework(raw, file)?;
        fw.sha256 = crate::hash::sha256_hex(text.as_bytes());
        Ok(fw)
    }
}

/// serde's "unknown field `x`, expected one of `a`, `b`, ..." with the nearest field
/// named: "did you mean `a`?".
fn with_nearest_field(message: &str) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else {
        return message.to_string();
    };
    let Some((given, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let fields: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let hint = crate::error::suggest(given, fields.iter().copied());
    if hint.is_empty() {
        message.to_string()
    } else {
        format!("{message}{hint}")
    }
}
