//! `[[variant]]`: each variant's `set` keys checked against the schema (any key the
//! framework accepts in that section, with the nearest one on a typo) and applied,
//! and its `exclude` ids removed with everything under them. The variant's framework
//! is then validated like any other ([`crate::variants`] builds it).

use crate::error::{list_ids, suggest};
use crate::framework::schema::{RawData, RawDefaults, RawDerived, RawGroup, RawIndex, RawIndicator, RawScreen};
use serde::de::DeserializeOwned;
use toml::{Table, Value};

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
pub(crate) fn apply(t: &mut Table, path: &str, value: Value) -> std::result::Result<(), String> {
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
pub(crate) fn exclude(t: &mut Table, id: &str) -> std::result::Result<(), String> {
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
