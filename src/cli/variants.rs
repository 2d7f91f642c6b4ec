//! What `compare`, `backtest` and `bench` share: the framework files and variants to
//! use, the data loaded once for every variant, and their manifests' entries.

use super::args::DataArgs;
use crate::data::{self, Panel, Source};
use crate::hash::sha256_hex;
use crate::variants::{self, Variant};
use crate::{Error, Result};
use clap::Args;
use std::path::PathBuf;
use std::rc::Rc;

/// Framework files and the variants to use.
#[derive(Args, Debug)]
pub struct VariantArgs {
    /// Framework file (TOML); repeat to compare frameworks (each named by its file stem)
    #[arg(short = 'f', long = "framework", value_name = "FILE", required = true)]
    pub framework: Vec<PathBuf>,
    /// Variants to use, comma-separated (default: all; `base` is the framework as written)
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub variants: Vec<String>,
}

impl VariantArgs {
    pub fn read(&self) -> Result<Vec<Variant>> {
        variants::select(variants::read_many(&self.framework)?, &self.variants)
    }
}

/// Loads the data once (stdin can be read only once) and gives each variant its panel.
pub struct Loaded {
    pub sources: Vec<Source>,
    pub options: data::LoadOptions,
    /// Every file the variants' panels were read from (the files given, the frameworks'
    /// `[data] sources` and neighbours), each once: what the manifest lists.
    read: std::cell::RefCell<Vec<data::SourceInfo>>,
    /// Panels loaded, by what the load read of the framework and the options
    /// ([`data::request_key`]): variants that differ only past the data share one.
    panels: std::cell::RefCell<Vec<(String, Rc<Panel>)>>,
}

impl Loaded {
    pub fn new(args: &DataArgs, extra: Vec<(String, String)>) -> Result<Loaded> {
        let mut options = args.options()?;
        options.extra_columns = extra;
        Ok(Loaded {
            sources: args.sources()?,
            options,
            read: Default::default(),
            panels: Default::default(),
        })
    }

    /// The variant's panel, loaded once for every variant whose framework asks the
    /// data for the same (see [`data::request_key`]).
    pub fn shared_panel(&self, v: &Variant) -> Result<Rc<Panel>> {
        let key = format!("{}{:?}", data::request_key(&v.framework), self.options.extra_columns);
        if let Some((_, panel)) = self.panels.borrow().iter().find(|(k, _)| *k == key) {
            return Ok(Rc::clone(panel));
        }
        let panel = Rc::new(self.panel(v)?);
        self.panels.borrow_mut().push((key, Rc::clone(&panel)));
        Ok(panel)
    }

    pub fn panel(&self, v: &Variant) -> Result<Panel> {
        let panel = data::load(&v.framework, &self.sources, &self.options)?;
        let mut read = self.read.borrow_mut();
        for s in &panel.sources {
            if !read.iter().any(|r| r.file == s.file && r.sha256 == s.sha256) {
                read.push(s.clone());
            }
        }
        Ok(panel)
    }
}

pub fn in_variant(name: &str, e: Error) -> Error {
    match e {
        Error::Method { context, kind, message } => Error::Method {
            context: format!("variant `{name}`: {context}"),
            kind,
            message,
        },
        other => other,
    }
}

pub fn input_paths(v: &VariantArgs, d: &DataArgs) -> Vec<PathBuf> {
    v.framework.iter().chain(d.data.iter()).cloned().collect()
}

pub fn variant_info(vs: &[Variant]) -> serde_json::Value {
    serde_json::Value::Array(
        vs.iter()
            .map(|v| {
                serde_json::json!({
                    "name": v.name,
                    "description": v.description,
                    "framework": v.framework.file,
                    "sha256": sha256_hex(v.text.as_bytes()),
                })
            })
            .collect(),
    )
}

impl Loaded {
    pub fn sources_info(&self) -> serde_json::Value {
        serde_json::to_value(&*self.read.borrow()).unwrap_or_default()
    }
}
