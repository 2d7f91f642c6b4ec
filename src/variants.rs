//! Scoring variants: the base framework and named alternatives to compare, backtest
//! and time.
//!
//! A framework file may declare `[[variant]]` entries:
//!
//! ```toml
//! [[variant]]
//! name = "additive"
//! set = { "index.aggregation" = "arithmetic" }
//!
//! [[variant]]
//! name = "no_recruitment"
//! exclude = ["recruitment"]              # indicator or group ids (a group with all below it)
//!
//! [[variant]]
//! name = "threat_heavy"
//! set = { "group.threat.weight" = 2, "indicator.attack_impact.transform" = "none" }
//!
//! [[variant]]
//! name = "gti_only"
//! file = "gti.toml"                      # another framework file, relative to this one
//! ```
//!
//! `set` keys are `<section>.<key>` for `index`, `defaults`, `data`, `screen` and
//! `<section>.<id>.<key>` for `group`, `indicator`, `derived`: any key the framework
//! accepts there. Each variant is built from the base file's text with the overrides
//! applied and then validated like any framework, so every check (and every error
//! message) applies; errors name the variant. Variants do not inherit `[sensitivity]`.

use crate::error::{list_ids, suggest, Error, Result};
use crate::framework::validate::variants::{apply, exclude};
use crate::framework::Framework;
use std::path::Path;
use toml::{Table, Value};

/// One variant, validated.
#[derive(Debug, Clone)]
pub struct Variant {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) framework: Framework,
    /// The framework text it was built from (hashed in manifests).
    pub(crate) text: String,
}

impl Variant {
    /// The variant's name (`base` for the file's own framework, unless renamed).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The variant's `description`, if it has one.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The validated framework the variant scores with.
    pub fn framework(&self) -> &Framework {
        &self.framework
    }
}

/// Reads `path`: its base framework (named `base_name`) and its `[[variant]]` entries.
///
/// ```
/// let vs = riskscore::variants::read("indicators/central_asia.toml".as_ref(), "base")?;
/// assert_eq!(vs[0].name(), "base");
/// assert!(vs.len() > 1);
/// # Ok::<(), riskscore::Error>(())
/// ```
pub fn read(path: &Path, base_name: &str) -> Result<Vec<Variant>> {
    let bytes = crate::input::file::read(path, "framework file", Default::default())?;
    let file = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|e| Error::Toml {
        file: file.clone(),
        message: format!("the file is not UTF-8 text: {e}"),
    })?;
    let base = Framework::from_toml(&text, &file)?;
    let mut table: Table = text.parse().map_err(|e: toml::de::Error| Error::Toml {
        file: file.clone(),
        message: crate::error::short_lines(e.to_string().trim_end()),
    })?;
    let raw_variants = table.remove("variant");
    table.remove("sensitivity");
    let mut out = vec![Variant {
        name: base_name.to_string(),
        description: Some("the framework as written".into()),
        framework: base,
        text: text.clone(),
    }];
    let Some(Value::Array(entries)) = raw_variants else {
        return Ok(out);
    };
    let framework_error = |key: String, message: String| Error::Framework {
        file: file.clone(),
        key,
        message,
    };
    for (i, entry) in entries.into_iter().enumerate() {
        let v: crate::framework::schema::RawVariant = entry.try_into().map_err(|e: toml::de::Error| {
            framework_error(format!("variant[{}]", i + 1), e.to_string().trim_end().to_string())
        })?;
        let key = format!("variant.{}", v.name);
        if v.name.trim().is_empty() || out.iter().any(|o| o.name == v.name) {
            return Err(framework_error(
                format!("variant[{}].name", i + 1),
                format!(
                    "`{}`: each variant needs a name of its own (and not `{base_name}`)",
                    v.name
                ),
            ));
        }
        let (text, label) = match &v.file {
            Some(other) => {
                if v.set.is_some() || v.exclude.is_some() {
                    return Err(framework_error(
                        key,
                        "give either `file` or `set`/`exclude`, not both".into(),
                    ));
                }
                let other_path = path.parent().unwrap_or(Path::new("")).join(other);
                let other_bytes = crate::input::file::read(&other_path, "framework file", Default::default())?;
                let other_text = String::from_utf8(other_bytes).map_err(|e| Error::Toml {
                    file: other_path.display().to_string(),
                    message: format!("the file is not UTF-8 text: {e}"),
                })?;
                let label = other_path.display().to_string();
                (other_text, label)
            }
            None => {
                let mut t = table.clone();
                for (path_key, value) in v.set.iter().flatten() {
                    apply(&mut t, path_key, value.clone())
                        .map_err(|m| framework_error(format!("{key}.set.\"{path_key}\""), m))?;
                }
                for id in v.exclude.iter().flatten() {
                    exclude(&mut t, id).map_err(|m| framework_error(format!("{key}.exclude"), m))?;
                }
                (
                    toml::to_string(&t).unwrap_or_default(),
                    format!("{file} [variant {}]", v.name),
                )
            }
        };
        let framework = Framework::from_toml(&text, &label)?;
        out.push(Variant {
            name: v.name,
            description: v.description,
            framework,
            text,
        });
    }
    Ok(out)
}

/// Reads several framework files. With one file the variants are `base` and the
/// `[[variant]]` names; with several, each file's base is named by its file stem and its
/// variants `<stem>/<name>`.
pub fn read_many(paths: &[std::path::PathBuf]) -> Result<Vec<Variant>> {
    let mut all: Vec<Variant> = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let base_name = if paths.len() == 1 { "base".to_string() } else { stem };
        for mut v in read(p, &base_name)? {
            if paths.len() > 1 && v.name != base_name {
                v.name = format!("{base_name}/{}", v.name);
            }
            if all.iter().any(|a| a.name == v.name) {
                return Err(Error::Framework {
                    file: paths[i].display().to_string(),
                    key: format!("variant.{}", v.name),
                    message: "a variant of this name comes from an earlier -f file: rename one".into(),
                });
            }
            all.push(v);
        }
    }
    Ok(all)
}

/// Keeps the variants named in `wanted` (in that order).
pub fn select(all: Vec<Variant>, wanted: &[String]) -> Result<Vec<Variant>> {
    if wanted.is_empty() {
        return Ok(all);
    }
    let names: Vec<String> = all.iter().map(|v| v.name.clone()).collect();
    let mut out = Vec::new();
    for w in wanted {
        match all.iter().find(|v| &v.name == w) {
            Some(v) => out.push(v.clone()),
            None => {
                return Err(Error::Argument {
                    name: "variants".into(),
                    message: format!(
                        "unknown variant `{w}`: the framework has {}{}",
                        list_ids(names.iter().map(String::as_str)),
                        suggest(w, names.iter().map(String::as_str))
                    ),
                })
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[index]
id = "risk"
unit = "unit"
period = "year"
aggregation = "arithmetic"

[[group]]
id = "a"

[[group]]
id = "a_sub"
parent = "a"

[[group]]
id = "b"

[[indicator]]
id = "a1"
group = "a"

[[indicator]]
id = "a2"
group = "a_sub"

[[indicator]]
id = "b1"
group = "b"

[[variant]]
name = "geometric"
set = { "index.aggregation" = "geometric", "index.geometric_range" = [1, 100] }

[[variant]]
name = "no_a"
exclude = ["a"]

[[variant]]
name = "heavy_b"
set = { group = { b = { weight = 3 } }, "indicator.b1.normalise" = "rank" }
"#;

    fn variants(text: &str) -> Result<Vec<Variant>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fw.toml");
        std::fs::write(&path, text).unwrap();
        read(&path, "base")
    }

    #[test]
    fn overrides_and_exclusions_make_valid_frameworks() {
        let v = variants(BASE).unwrap();
        let names: Vec<&str> = v.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["base", "geometric", "no_a", "heavy_b"]);
        use crate::pipeline::aggregate::Aggregation;
        assert_eq!(v[0].framework.groups[0].aggregation, Aggregation::Arithmetic);
        assert_eq!(v[1].framework.groups[0].aggregation, Aggregation::Geometric);
        // Excluding group a drops a_sub and both of their indicators.
        assert_eq!(v[2].framework.indicators.len(), 1);
        assert_eq!(v[2].framework.groups.len(), 2);
        let b = v[3].framework.groups.iter().find(|g| g.id == "b").unwrap();
        assert_eq!(b.weight, 3.0);
    }

    #[test]
    fn unknown_keys_ids_and_sections_suggest_the_nearest() {
        for (set, expected) in [
            (r#""index.agregation" = "geometric""#, "key `variant.x.set.\"index.agregation\"`: unknown key `agregation` in [index]; did you mean `aggregation`?"),
            (r#""group.bb.weight" = 2"#, "unknown group `bb`; did you mean `b`?"),
            (r#""indicator.a1.wieght" = 2"#, "unknown key `wieght` in [indicator]; did you mean `weight`?"),
            (r#""indx.id" = "r""#, "unknown section `indx`"),
        ] {
            let text = format!("{BASE}\n[[variant]]\nname = \"x\"\nset = {{ {set} }}\n");
            let e = variants(&text).unwrap_err().to_string();
            assert!(e.contains(expected), "{e}");
        }
        let e = variants(&format!("{BASE}\n[[variant]]\nname = \"x\"\nexclude = [\"b2\"]\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("key `variant.x.exclude`: unknown indicator or group `b2`; did you mean"),
            "{e}"
        );
        let e = variants(&format!("{BASE}\n[[variant]]\nname = \"no_a\"\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("each variant needs a name of its own"), "{e}");
        // A value the validator refuses names the variant.
        let e = variants(&format!(
            "{BASE}\n[[variant]]\nname = \"x\"\nset = {{ \"group.b.weight\" = -1 }}\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("[variant x]: key `group.b.weight`"), "{e}");
    }
}
