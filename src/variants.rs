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
use crate::framework::schema::{RawData, RawDefaults, RawDerived, RawGroup, RawIndex, RawIndicator, RawScreen};
use crate::framework::Framework;
use serde::de::DeserializeOwned;
use std::path::Path;
use toml::{Table, Value};

/// One variant, validated.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub description: Option<String>,
    pub framework: Framework,
    /// The framework text it was built from (hashed in manifests).
    pub text: String,
}

/// Reads `path`: its base framework (named `base_name`) and its `[[variant]]` entries.
pub fn read(path: &Path, base_name: &str) -> Result<Vec<Variant>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read framework file", e))?;
    let file = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|e| Error::Toml {
        file: file.clone(),
        message: format!("the file is not UTF-8 text: {e}"),
    })?;
    let base = Framework::from_toml(&text, &file)?;
    let mut table: Table = text.parse().map_err(|e: toml::de::Error| Error::Toml {
        file: file.clone(),
        message: e.to_string().trim_end().to_string(),
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
                let other_text = std::fs::read_to_string(&other_path)
                    .map_err(|e| Error::io(&other_path, "cannot read the variant's framework file", e))?;
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

/// The keys serde accepts for `T` (read off its "unknown field" message).
fn known_keys<T: DeserializeOwned>() -> Vec<String> {
    let message = match toml::from_str::<T>("__probe__ = 0") {
        Err(e) => e.to_string(),
        Ok(_) => return Vec::new(),
    };
    let Some(list) = message
        .split("expected one of")
        .nth(1)
        .or_else(|| message.split("expected").nth(1))
    else {
        return Vec::new();
    };
    list.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

fn keys_of(section: &str) -> Option<Vec<String>> {
    Some(match section {
        "index" => known_keys::<RawIndex>(),
        "defaults" => known_keys::<RawDefaults>(),
        "data" => known_keys::<RawData>(),
        "screen" => known_keys::<RawScreen>(),
        "group" => known_keys::<RawGroup>(),
        "indicator" => known_keys::<RawIndicator>(),
        "derived" => known_keys::<RawDerived>(),
        _ => return None,
    })
}

const SECTIONS: &[&str] = &["index", "defaults", "data", "screen", "group", "indicator", "derived"];

/// Sets `path` (`section.key` or `section.id.key`) to `value` in the framework table.
fn apply(t: &mut Table, path: &str, value: Value) -> std::result::Result<(), String> {
    // `set = { index = { aggregation = "x" } }` is the same as `"index.aggregation" = "x"`.
    if let Value::Table(inner) = &value {
        let parts: Vec<&str> = path.split('.').collect();
        let full = matches!(parts.first(), Some(&("group" | "indicator" | "derived"))) && parts.len() >= 3
            || parts.len() >= 2 && !matches!(parts.first(), Some(&("group" | "indicator" | "derived")));
        if !full {
            for (k, v) in inner {
                apply(t, &format!("{path}.{k}"), v.clone())?;
            }
            return Ok(());
        }
    }
    let parts: Vec<&str> = path.splitn(3, '.').collect();
    let section = parts[0];
    let Some(keys) = keys_of(section) else {
        return Err(format!(
            "unknown section `{section}`: expected one of {}{}",
            list_ids(SECTIONS.iter().copied()),
            suggest(section, SECTIONS.iter().copied())
        ));
    };
    let check_key = |key: &str| -> std::result::Result<(), String> {
        if keys.iter().any(|k| k == key) {
            Ok(())
        } else {
            Err(format!(
                "unknown key `{key}` in [{section}]{}",
                suggest(key, keys.iter().map(String::as_str))
            ))
        }
    };
    match section {
        "group" | "indicator" | "derived" => {
            if parts.len() < 3 {
                return Err(format!("expected `{section}.<id>.<key>`, found `{path}`"));
            }
            let (id, key) = (parts[1], parts[2]);
            check_key(key)?;
            let Some(Value::Array(items)) = t.get_mut(section) else {
                return Err(format!("the framework has no [[{section}]] entries"));
            };
            let ids: Vec<String> = items
                .iter()
                .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            let Some(item) = items
                .iter_mut()
                .find(|i| i.get("id").and_then(Value::as_str) == Some(id))
                .and_then(Value::as_table_mut)
            else {
                return Err(format!(
                    "unknown {section} `{id}`{}",
                    suggest(id, ids.iter().map(String::as_str))
                ));
            };
            item.insert(key.to_string(), value);
        }
        _ => {
            let rest = parts[1..].join(".");
            if rest.is_empty() {
                return Err(format!("expected `{section}.<key>`, found `{path}`"));
            }
            check_key(&rest)?;
            let entry = t
                .entry(section.to_string())
                .or_insert_with(|| Value::Table(Table::new()));
            match entry.as_table_mut() {
                Some(s) => {
                    s.insert(rest, value);
                }
                None => return Err(format!("[{section}] is not a table")),
            }
        }
    }
    Ok(())
}

/// Removes an indicator, or a group with every group and indicator under it.
fn exclude(t: &mut Table, id: &str) -> std::result::Result<(), String> {
    let ids_in = |t: &Table, section: &str| -> Vec<String> {
        t.get(section)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let groups = ids_in(t, "group");
    let indicators = ids_in(t, "indicator");
    if indicators.iter().any(|i| i == id) {
        if let Some(Value::Array(items)) = t.get_mut("indicator") {
            items.retain(|i| i.get("id").and_then(Value::as_str) != Some(id));
        }
        return Ok(());
    }
    if !groups.iter().any(|g| g == id) {
        let all: Vec<&str> = groups.iter().chain(&indicators).map(String::as_str).collect();
        return Err(format!(
            "unknown indicator or group `{id}`{}",
            suggest(id, all.iter().copied())
        ));
    }
    // The group and its descendants.
    let mut gone: Vec<String> = vec![id.to_string()];
    loop {
        let more: Vec<String> = t
            .get("group")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|g| {
                g.get("parent")
                    .and_then(Value::as_str)
                    .is_some_and(|p| gone.iter().any(|x| x == p))
            })
            .filter_map(|g| g.get("id").and_then(Value::as_str).map(str::to_string))
            .filter(|g| !gone.contains(g))
            .collect();
        if more.is_empty() {
            break;
        }
        gone.extend(more);
    }
    if let Some(Value::Array(items)) = t.get_mut("group") {
        items.retain(|g| {
            !g.get("id")
                .and_then(Value::as_str)
                .is_some_and(|x| gone.iter().any(|y| y == x))
        });
    }
    if let Some(Value::Array(items)) = t.get_mut("indicator") {
        items.retain(|i| {
            !i.get("group")
                .and_then(Value::as_str)
                .is_some_and(|x| gone.iter().any(|y| y == x))
        });
    }
    Ok(())
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

    #[test]
    fn known_keys_come_from_the_schema() {
        let keys = known_keys::<RawIndex>();
        assert!(
            keys.contains(&"aggregation".to_string()) && keys.contains(&"geometric_range".to_string()),
            "{keys:?}"
        );
        assert!(known_keys::<RawIndicator>().contains(&"transform".to_string()));
    }
}
