//! The layout holds: no import cycle among the modules (of the function, and of the emulator),
//! `decide/` pure, and files and functions of a size a reader can take in.
//!
//! Read from the sources: a module's dependencies are the `crate::…` and `super::…` paths its
//! files name (comments aside).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// `src/decide/target.rs` -> `[decide, target]`; `mod.rs` is its directory; lib.rs, main.rs and
/// `src/bin/*` are the root.
fn module_of(root: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(root).expect("under the root");
    let mut parts: Module = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.first().is_some_and(|p| p == "bin") || parts == ["lib"] || parts == ["main"] {
        return Vec::new();
    }
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The text without comments, string and char literals (so that paths, `async` or braces in
/// them count for nothing).
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&chars, i)
        {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            while i < chars.len() && !chars[i..].iter().collect::<String>().starts_with(&close) {
                if chars[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += close.len();
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if chars.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
        } else if c == '\'' && next == Some('\\') {
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The modules a file's code names, resolved to the longest known module.
fn references(code: &str, me: &Module, modules: &BTreeSet<Module>) -> BTreeSet<Module> {
    let mut found = BTreeSet::new();
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| w.starts_with("crate::") || w.starts_with("super::"))
        .collect();
    for word in words {
        let mut parts: Vec<&str> = word.split("::").filter(|p| !p.is_empty()).collect();
        let mut base: Module = Vec::new();
        if parts.first() == Some(&"crate") {
            parts.remove(0);
        } else {
            base = me.clone();
            while parts.first() == Some(&"super") {
                parts.remove(0);
                base.pop();
            }
        }
        let mut path = base;
        let mut best = path.clone();
        for part in parts {
            path.push(part.to_string());
            if modules.contains(&path) {
                best = path.clone();
            }
        }
        found.insert(best);
    }
    found
}

/// A cycle of the graph, if any, as the modules along it.
fn cycle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        node: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        state: &mut BTreeMap<Module, u8>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|m| m == next).unwrap_or(0);
                    let mut found = stack[start..].to_vec();
                    found.push(next.clone());
                    return Some(found);
                }
                0 => {
                    if let Some(found) = visit(next, graph, state, stack) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(found) = visit(node, graph, &mut state, &mut stack) {
                return Some(found);
            }
        }
    }
    None
}

struct Crate {
    /// Module -> the code of its file(s).
    code: BTreeMap<Module, String>,
    files: Vec<(PathBuf, String)>,
}

fn load(root: &Path) -> Crate {
    let mut paths = Vec::new();
    rust_files(root, &mut paths);
    paths.sort();
    let mut code = BTreeMap::new();
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("readable source");
        code.entry(module_of(root, &path))
            .or_insert_with(String::new)
            .push_str(&code_only(&text));
        files.push((path, text));
    }
    Crate { code, files }
}

/// Edges between the top-level modules, and between sibling modules of each directory (a
/// parent's own `mod`/`pub use` of its children is how Rust builds a module, not a dependency).
fn graphs(krate: &Crate) -> Vec<(String, BTreeMap<Module, BTreeSet<Module>>)> {
    let modules: BTreeSet<Module> = krate.code.keys().cloned().collect();
    let mut by_parent: BTreeMap<Module, BTreeMap<Module, BTreeSet<Module>>> = BTreeMap::new();
    for (module, code) in &krate.code {
        if module.is_empty() {
            continue;
        }
        for target in references(code, module, &modules) {
            // The common ancestor's children through which the two modules meet.
            let common = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common == module.len() || common == target.len() {
                continue; // a module and its own ancestor or descendant
            }
            let parent: Module = module[..common].to_vec();
            let from = module[..=common].to_vec();
            let to = target[..=common].to_vec();
            by_parent
                .entry(parent)
                .or_default()
                .entry(from)
                .or_default()
                .insert(to);
        }
    }
    by_parent
        .into_iter()
        .map(|(parent, graph)| (format!("crate::{}", parent.join("::")), graph))
        .collect()
}

fn assert_acyclic(root: &Path) -> usize {
    let krate = load(root);
    let mut edges = 0;
    for (scope, graph) in graphs(&krate) {
        edges += graph.values().map(BTreeSet::len).sum::<usize>();
        if let Some(found) = cycle(&graph) {
            let names: Vec<String> = found.iter().map(|m| m.join("::")).collect();
            panic!(
                "import cycle among the children of {scope} in {}: {}",
                root.display(),
                names.join(" -> ")
            );
        }
    }
    edges
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_import_cycle_among_the_functions_modules() {
    let edges = assert_acyclic(&root().join("src"));
    assert!(
        edges > 10,
        "the dependency graph was not read ({edges} edges)"
    );
}

#[test]
fn no_import_cycle_among_the_emulators_modules() {
    assert_acyclic(&root().join("emulator/src"));
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    let m = |s: &str| vec![s.to_string()];
    graph.entry(m("a")).or_default().insert(m("b"));
    graph.entry(m("b")).or_default().insert(m("c"));
    assert_eq!(cycle(&graph), None);
    graph.entry(m("c")).or_default().insert(m("a"));
    assert_eq!(cycle(&graph), Some(vec![m("a"), m("b"), m("c"), m("a")]));
    let modules: BTreeSet<Module> = [m("input"), vec!["input".into(), "plan".into()]].into();
    let me = vec!["input".to_string(), "config".to_string()];
    let found = references(
        "use super::plan::Plan; crate::input::plan::X",
        &me,
        &modules,
    );
    assert_eq!(
        found,
        [vec!["input".to_string(), "plan".to_string()]].into()
    );
    assert_eq!(
        code_only("a // crate::x\n\"crate::y\" r#\"{\"#"),
        "a \n\"\" \"\""
    );
}

#[test]
fn decide_is_pure() {
    let forbidden = [
        "async ",
        ".await",
        "aws_sdk",
        "aws_smithy",
        "aws_config",
        "tokio",
        "std::fs",
        "std::net",
        "std::io",
        "SystemTime",
        "Instant::now",
        "crate::lightsail",
        "crate::reconcile",
        "crate::clock",
        "crate::handler",
        "tracing::",
        "println!",
        "eprintln!",
    ];
    // What decide/ may name of the crate: the shared words, the validated input, the errors.
    let allowed = ["decide", "model", "input", "error"];
    let krate = load(&root().join("src"));
    let modules: BTreeSet<Module> = krate.code.keys().cloned().collect();
    let mut checked = 0;
    for (module, code) in &krate.code {
        if module.first().is_some_and(|m| m == "decide") {
            checked += 1;
            for target in references(code, module, &modules) {
                let top = target.first().map(String::as_str).unwrap_or("");
                assert!(
                    allowed.contains(&top),
                    "crate::{} imports crate::{}: decide/ may use only {allowed:?}",
                    module.join("::"),
                    target.join("::")
                );
            }
            for word in forbidden {
                assert!(
                    !code.contains(word),
                    "crate::{} uses `{word}`",
                    module.join("::")
                );
            }
        }
    }
    assert!(checked >= 4, "decide/ has {checked} modules");
}

/// The number of lines of each function with a body, and the lines just above it.
fn functions(text: &str) -> Vec<(String, usize, String)> {
    let code = code_only(text);
    let lines: Vec<&str> = code.lines().collect();
    let original: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.split("fn ").nth(1).filter(|_| {
            let before = trimmed.split("fn ").next().unwrap_or("");
            before.split_whitespace().all(|w| {
                matches!(w, "pub" | "async" | "const" | "unsafe" | "extern")
                    || w.starts_with("pub(")
            })
        }) else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut depth = 0usize;
        let mut opened = false;
        let mut end = None;
        'scan: for (offset, l) in lines[at..].iter().enumerate() {
            for c in l.chars() {
                match c {
                    ';' if !opened && depth == 0 => break 'scan,
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => {
                        depth = depth.saturating_sub(1);
                        if opened && depth == 0 {
                            end = Some(at + offset);
                            break 'scan;
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(end) = end {
            let above = original[at.saturating_sub(4)..at].join("\n");
            found.push((name, end - at + 1, above));
        }
    }
    found
}

#[test]
fn files_and_functions_are_short_unless_a_comment_says_why() {
    // Both crates: the function's src/ and the emulator's.
    const MAX_FILE: usize = 400;
    const MAX_FN: usize = 80;
    let mut problems = Vec::new();
    let (mut files, mut fns) = (0, 0);
    let sources = load(&root().join("src"))
        .files
        .into_iter()
        .chain(load(&root().join("emulator/src")).files);
    for (path, text) in sources {
        files += 1;
        let name = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        let lines = text.lines().count();
        let head: String = text.lines().take(8).collect::<Vec<_>>().join("\n");
        if lines > MAX_FILE && !head.contains("longer than 400 lines because") {
            problems.push(format!("{name}: {lines} lines"));
        }
        for (function, length, above) in functions(&text) {
            fns += 1;
            if length > MAX_FN && !above.contains("longer than 80 lines because") {
                problems.push(format!("{name}: fn {function} is {length} lines"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "too long, with no comment saying why:\n{}",
        problems.join("\n")
    );
    assert!(
        files > 20 && fns > 100,
        "{files} files, {fns} functions read"
    );
}

#[test]
fn the_length_check_measures_functions() {
    let text = "fn a() {\n    let x = \"}\";\n}\n\npub async fn b(\n    x: u8,\n) -> u8 {\n    x\n}\nfn c();\n";
    let found: Vec<(String, usize)> = functions(text)
        .into_iter()
        .map(|(n, l, _)| (n, l))
        .collect();
    assert_eq!(found, [("a".to_string(), 3), ("b".to_string(), 5)]);
}
