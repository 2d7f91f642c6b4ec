//! The shape of the code, checked on `src/`: no file over 800 lines, no function over
//! 100, no circle among the files' imports, and no file importing from a module above
//! it (a `mod.rs`, or `x.rs` beside `x/`, is its folder's entry point, not its shared
//! base: its children import from their siblings).
//!
//! The import graph is read off the text, as rustfmt leaves it: a file points at the
//! file of every module a `crate::`, `super::` or `self::` path names (the longest
//! prefix that is a module file; a name the crate root re-exports points at the module
//! it comes from; a module brought in by name, `use crate::output;`, is followed
//! through its paths, `output::set::Reader`), and at each child module it declares and
//! then names. Comments, string literals and `#[cfg(test)]` modules (and `tests.rs`
//! files) are left out: tests may reach anywhere, and their functions may be long. A
//! macro's expansion is not seen at its call sites (`say!` calls `cli::terminal`).

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 100;

/// Every `.rs` file under `src/` but `main.rs`, by path relative to `src/`, as lines.
fn sources() -> BTreeMap<String, Vec<String>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, Vec<String>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&path).unwrap();
                out.insert(rel, text.lines().map(str::to_string).collect());
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out.remove("main.rs");
    assert!(out.len() > 20, "src/ read: {} files", out.len());
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The lines of `lines` outside comments and `#[cfg(test)]` modules; a file that is a
/// test module itself (`tests.rs`) has none.
fn code(rel: &str, lines: &[String]) -> Vec<String> {
    if rel.ends_with("/tests.rs") || rel == "tests.rs" {
        return Vec::new();
    }
    let test_mod = Regex::new(r"^\s*(pub(\([^)]*\))? )?mod \w+ \{").unwrap();
    let string = Regex::new(r#""(?:[^"\\]|\\.)*""#).unwrap();
    let comment = Regex::new(r"\s//.*$").unwrap();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        // `#[cfg(test)]`, perhaps other attributes, then the module.
        let module = (i + 1..lines.len()).find(|&j| !lines[j].trim_start().starts_with("#["));
        if line.trim() == "#[cfg(test)]" && module.is_some_and(|j| test_mod.is_match(&lines[j])) {
            let start = module.unwrap();
            let depth = indent(&lines[start]);
            i = start;
            // To the module's closing line (or its only line, `mod tests {}`).
            let closes = |i: usize| {
                lines[i].trim_end().ends_with("{}")
                    || i > start && indent(&lines[i]) == depth && lines[i].trim_start().starts_with('}')
            };
            while !closes(i) {
                i += 1;
            }
        } else if !line.trim_start().starts_with("//") {
            let line = line.replace(r#"'"'"#, "' '").replace(r#"'\"'"#, "' '");
            out.push(comment.replace(&string.replace_all(&line, r#""""#), "").into_owned());
        }
        i += 1;
    }
    out
}

/// `text` with each `use` tree on one line (rustfmt breaks long ones after `{` and `,`).
fn joined(text: &str) -> String {
    let text = Regex::new(r"\{\s*\n\s*").unwrap().replace_all(text, "{");
    let text = Regex::new(r",\s*\n\s*").unwrap().replace_all(&text, ", ");
    Regex::new(r"\s*\n\s*\}").unwrap().replace_all(&text, "}").into_owned()
}

/// A file's module path: `events/mod.rs` and `events.rs` are `events`, `lib.rs` the root.
fn module_of(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The paths a `use` tree names below `prefix`: `{a, b::{c, d}}` gives `a`, `b::c`,
/// `b::d`; `*` and `self` give the prefix itself.
fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if let Some(inner) = tree.strip_prefix('{') {
        let (mut depth, mut item) = (0usize, String::new());
        for ch in inner.chars() {
            match ch {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(prefix, &std::mem::take(&mut item), out);
                    continue;
                }
                _ => {}
            }
            item.push(ch);
        }
        expand(prefix, &item, out);
        return;
    }
    if tree.is_empty() {
        return;
    }
    if tree == "*" || tree == "self" {
        out.push(prefix.to_vec());
        return;
    }
    let (path, rest) = match tree.find("::{") {
        Some(at) => (&tree[..at], Some(&tree[at + 2..])),
        None => (tree, None),
    };
    let mut full = prefix.to_vec();
    full.extend(
        path.split("::")
            .map(|s| s.trim().to_string())
            .take_while(|s| !s.is_empty()),
    );
    match rest {
        Some(rest) => expand(&full, rest, out),
        None => out.push(full),
    }
}

/// The import graph of `src/`, read once for the tests that look at it.
fn src_graph() -> &'static BTreeMap<String, BTreeSet<String>> {
    static GRAPH: std::sync::OnceLock<BTreeMap<String, BTreeSet<String>>> = std::sync::OnceLock::new();
    GRAPH.get_or_init(|| graph(&sources()))
}

/// The file-level import graph: file -> files it imports from.
fn graph(files: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let file_of: BTreeMap<Vec<String>, String> = files.keys().map(|r| (module_of(r), r.clone())).collect();
    // Names the crate root re-exports, and the module path they come from.
    let reexport = Regex::new(r"^pub use (\w+)((?:::\w+)*)::(?:\{([^}]*)\}|(\w+));").unwrap();
    let mut root_names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in joined(&code("lib.rs", &files["lib.rs"]).join("\n")).lines() {
        if let Some(c) = reexport.captures(line.trim()) {
            let mut from = vec![c[1].to_string()];
            from.extend(c[2].split("::").filter(|s| !s.is_empty()).map(str::to_string));
            let names = c.get(3).or(c.get(4)).unwrap().as_str();
            for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                root_names.insert(name.to_string(), from.clone());
            }
        }
    }
    let resolve = |segs: &[String]| -> Option<&String> {
        let k = (0..=segs.len()).rev().find(|&k| file_of.contains_key(&segs[..k]))?;
        if k == 0 {
            let from = root_names.get(segs.first()?)?;
            let k = (1..=from.len()).rev().find(|&k| file_of.contains_key(&from[..k]))?;
            return file_of.get(&from[..k]);
        }
        file_of.get(&segs[..k])
    };
    // A use tree runs to its statement's `;`: `{a::{b, c}, d}` whole.
    let path = Regex::new(r"\b(crate|super|self)((?:::super)*)::(\{[^;]*\}|\*|\w+(?:::\w+)*(?:::\{[^;]*\})?)").unwrap();
    let visibility = Regex::new(r"pub\(in [^)]*\)").unwrap();
    let child = Regex::new(r"(?m)^\s*(?:pub(?:\([^)]*\))? )?mod (\w+);").unwrap();
    let mut edges = BTreeMap::new();
    for (rel, lines) in files {
        let here = module_of(rel);
        let text = joined(&visibility.replace_all(&code(rel, lines).join("\n"), "pub"));
        let mut to = BTreeSet::new();
        for c in path.captures_iter(&text) {
            let base: Vec<String> = match &c[1] {
                "crate" => Vec::new(),
                "self" => here.clone(),
                _ => here[..here.len().saturating_sub(1 + c[2].matches("super").count())].to_vec(),
            };
            let mut named = Vec::new();
            expand(&base, &c[3], &mut named);
            to.extend(named.iter().filter_map(|segs| resolve(segs)).cloned());
            // A module brought in by name (`use crate::output;`): its paths
            // (`output::set::Reader`) name modules below it.
            for module in named
                .iter()
                .filter(|segs| !segs.is_empty() && file_of.contains_key(*segs))
            {
                let name = module.last().unwrap();
                let below = Regex::new(&format!(r"(?:^|[^:\w]){name}::(\w+(?:::\w+)*)")).unwrap();
                for b in below.captures_iter(&text) {
                    let mut segs = module.clone();
                    segs.extend(b[1].split("::").map(str::to_string));
                    to.extend(resolve(&segs).cloned());
                }
            }
        }
        for c in child.captures_iter(&text) {
            let name = &c[1];
            let used = Regex::new(&format!(r"(?:^|[^:\w]){name}::|\buse {name}(?:::|;)")).unwrap();
            if used.is_match(&text) {
                let mut segs = here.clone();
                segs.push(name.to_string());
                to.extend(resolve(&segs).cloned());
            }
        }
        to.remove(rel);
        to.remove("lib.rs");
        edges.insert(rel.clone(), to);
    }
    edges.remove("lib.rs");
    edges
}

/// A circle through `start`, if any (depth-first, shortest found first by levels).
fn circle_through(edges: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut paths = vec![vec![start.to_string()]];
    let mut seen = BTreeSet::new();
    while !paths.is_empty() {
        let mut next = Vec::new();
        for path in paths {
            for to in edges.get(path.last().unwrap()).into_iter().flatten() {
                let mut longer = path.clone();
                longer.push(to.clone());
                if to == start {
                    return Some(longer);
                }
                if seen.insert(to.clone()) {
                    next.push(longer);
                }
            }
        }
        paths = next;
    }
    None
}

#[test]
fn no_file_over_800_lines() {
    let long: Vec<String> = sources()
        .iter()
        .filter(|(_, lines)| lines.len() > MAX_FILE_LINES)
        .map(|(rel, lines)| format!("src/{rel}: {} lines", lines.len()))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn no_function_over_100_lines() {
    let signature = Regex::new(r"^\s*(pub(\([^)]*\))? )?(const )?(async )?(unsafe )?(extern \S+ )?fn \w+").unwrap();
    let mut long = Vec::new();
    let mut counted = 0;
    for (rel, lines) in sources() {
        let lines = code(&rel, &lines);
        for (i, line) in lines.iter().enumerate() {
            if !signature.is_match(line) {
                continue;
            }
            // A declaration ends in `;` before any body opens; a body on one line ends
            // in `}`; else the body ends at the first `}` line at the signature's indent.
            let opened = (i..lines.len()).find(|&j| lines[j].trim_end().ends_with(['{', ';', '}']));
            if opened.is_none_or(|j| !lines[j].trim_end().ends_with('{')) {
                continue;
            }
            let depth = indent(line);
            let Some(end) =
                (i + 1..lines.len()).find(|&j| indent(&lines[j]) == depth && lines[j].trim_start().starts_with('}'))
            else {
                continue;
            };
            counted += 1;
            if end - i + 1 > MAX_FN_LINES {
                long.push(format!("src/{rel}: `{}` ({} lines)", line.trim(), end - i + 1));
            }
        }
    }
    assert!(counted > 500, "functions found: {counted}");
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// Whether `to` is the file of a module above `from` (the crate root aside).
fn is_above(from: &str, to: &str) -> bool {
    let (a, b) = (module_of(from), module_of(to));
    !b.is_empty() && b.len() < a.len() && a.starts_with(&b)
}

#[test]
fn the_graph_is_read() {
    let edges = src_graph();
    let count: usize = edges.values().map(BTreeSet::len).sum();
    assert!(count > 400, "imports found: {count}");
    for (from, to) in [
        ("cli/audit.rs", "cli/args.rs"),
        ("events/problems.rs", "events/scan.rs"),
        ("score/mod.rs", "plan.rs"),
        ("output/tables.rs", "framework/mod.rs"),
    ] {
        assert!(edges[from].contains(to), "{from} -> {to} not seen: {:?}", edges[from]);
    }
}

#[test]
fn no_file_imports_from_a_module_above_it() {
    let up: Vec<String> = src_graph()
        .iter()
        .flat_map(|(from, tos)| {
            tos.iter()
                .filter(|to| is_above(from, to))
                .map(move |to| format!("{from} -> {to}"))
        })
        .collect();
    assert!(up.is_empty(), "imports from a module above:\n{}", up.join("\n"));
}

#[test]
fn no_circle_among_the_files() {
    let edges = src_graph();
    let circles: Vec<String> = edges
        .keys()
        .filter_map(|f| circle_through(edges, f))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(circles.is_empty(), "import circles:\n{}", circles.join("\n"));
}

#[test]
fn no_circle_among_the_top_modules() {
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in src_graph() {
        let a = module_of(from)[0].clone();
        for to in tos {
            let b = module_of(to)[0].clone();
            if a != b {
                top.entry(a.clone()).or_default().insert(b);
            }
        }
    }
    assert!(top.len() > 10, "top modules with imports: {}", top.len());
    let circles: Vec<String> = top
        .keys()
        .filter_map(|m| circle_through(&top, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(
        circles.is_empty(),
        "import circles among the top modules:\n{}",
        circles.join("\n")
    );
}

/// The checker sees what it must: a child importing from its parent is a circle and
/// an import from above; use trees broken over lines, `pub(in ..)`, strings, test
/// modules with more attributes, `super::super` and globs are read as rustc reads them.
#[test]
fn the_graph_sees_a_child_importing_from_its_parent() {
    let files: BTreeMap<String, Vec<String>> = [
        ("lib.rs", "mod a;\nmod z;\npub use a::{\n    Thing,\n    Other,\n};"),
        ("a/mod.rs", "mod b;\nmod c;\nmod d;\npub struct Thing;\nfn f() { b::g(); }"),
        ("a/b.rs", "use super::Thing;\nuse super::c::{self, h};\n// use crate::a::Thing;\npub fn g() {}"),
        (
            "a/c.rs",
            "use crate::Other;\npub fn h() {}\n#[cfg(test)]\n#[allow(unused)]\nmod tests {\n    use super::super::b;\n}",
        ),
        (
            "a/d.rs",
            "pub(in crate::a) fn k() {\n    let s = \"crate::z::Y\";\n}\nuse crate::{\n    a::c::h,\n    z::{Y, W},\n};",
        ),
        ("z.rs", "pub struct Y;\npub struct W;\nmod w;"),
        ("z/w.rs", "use super::super::a::b::*;"),
        ("y.rs", "use crate::a;\nfn f() { a::c::h(); }"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.lines().map(str::to_string).collect()))
    .collect();
    let edges = graph(&files);
    let of = |f: &str| edges[f].iter().cloned().collect::<Vec<_>>();
    assert_eq!(of("a/mod.rs"), ["a/b.rs"]);
    assert_eq!(of("a/b.rs"), ["a/c.rs", "a/mod.rs"]);
    assert_eq!(
        of("a/c.rs"),
        ["a/mod.rs"],
        "through the root's re-export; not the test module's import"
    );
    assert_eq!(
        of("a/d.rs"),
        ["a/c.rs", "z.rs"],
        "a joined use tree; not `pub(in ..)` nor a string"
    );
    assert_eq!(of("z/w.rs"), ["a/b.rs"]);
    assert_eq!(of("y.rs"), ["a/c.rs", "a/mod.rs"], "a module's path through its name");
    assert!(of("z.rs").is_empty(), "a child declared but not named");
    assert_eq!(
        circle_through(&edges, "a/mod.rs").unwrap(),
        ["a/mod.rs", "a/b.rs", "a/mod.rs"]
    );
    assert!(circle_through(&edges, "a/d.rs").is_none());
    assert!(is_above("a/b.rs", "a/mod.rs") && is_above("z/w.rs", "z.rs"));
    assert!(!is_above("a/b.rs", "a/c.rs") && !is_above("a/mod.rs", "a/b.rs"));
}
