//! The house rules of `crates/iam-mfa/src`, checked on the source text (as jj's layout tests do):
//! dependencies point down only, `commands → iam → session → aws → args → ui`, no command family
//! uses another, nothing outside `commands/` uses it (but `main.rs`), and every test module here
//! is declared in `main.rs`.

use std::fs;
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
const TESTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it");

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The module paths `file` names with `crate::` (`crate::iam::client::Clients` gives `iam`),
/// outside comments, with the line they are on.
fn crate_uses(file: &Path) -> Vec<(usize, String)> {
    let text = fs::read_to_string(file).unwrap();
    let mut uses = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            uses.push((index + 1, path));
        }
    }
    uses
}

/// Where in the tree a source file sits: its layer (`commands`, `iam`, `session`, `aws`,
/// `args`, `ui`, or a leaf module's name) and, under `commands/`, its family.
fn place(file: &Path) -> (String, Option<String>) {
    let relative = file.strip_prefix(SRC).unwrap();
    let mut parts = relative.iter().map(|p| p.to_string_lossy().into_owned());
    let first = parts.next().unwrap();
    let layer = first.trim_end_matches(".rs").to_owned();
    let family = (layer == "commands")
        .then(|| parts.next())
        .flatten()
        .map(|f| f.trim_end_matches(".rs").to_owned());
    (layer, family)
}

/// The layers, lowest first: a layer may use only those before it.
const LAYERS: [&str; 6] = ["ui", "args", "aws", "session", "iam", "commands"];

/// Leaf modules any layer may use; they use no layer themselves.
const LEAVES: [&str; 3] = ["names", "policy_file", "core_dumps"];

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

/// Every violation of the layering in the source tree, as `file:line: message`.
fn violations() -> Vec<String> {
    let mut found = Vec::new();
    for file in rust_files(Path::new(SRC)) {
        let (layer, family) = place(&file);
        if layer == "main" || layer == "lib" {
            continue;
        }
        for (line, path) in crate_uses(&file) {
            let used = path.split("::").next().unwrap_or_default().to_owned();
            let at = format!("{}:{line}", file.display());
            if used == layer {
                let used_family = path.split("::").nth(1);
                if let (Some(own), Some(other)) = (&family, used_family)
                    && layer == "commands"
                    && own != other
                {
                    found.push(format!(
                        "{at}: commands/{own} uses crate::commands::{other}"
                    ));
                }
                continue;
            }
            if LEAVES.contains(&used.as_str()) {
                if LEAVES.contains(&layer.as_str()) {
                    found.push(format!("{at}: leaf module {layer} uses {used}"));
                }
                continue;
            }
            match (rank(&layer), rank(&used)) {
                (Some(from), Some(to)) if to < from => {}
                (_, Some(_)) => found.push(format!(
                    "{at}: {layer} uses crate::{used}, a layer above it"
                )),
                _ => found.push(format!(
                    "{at}: {layer} uses crate::{used}, which is in no layer"
                )),
            }
        }
    }
    found
}

#[test]
fn dependencies_point_down_and_no_command_family_uses_another() {
    let found = violations();
    assert!(
        found.is_empty(),
        "layering violations:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layering_check_sees_a_back_edge_and_a_family_edge() {
    // The check itself must be able to fail: the same scan over a planted tree.
    let dir = tempfile::tempdir().unwrap();
    let planted = dir.path().join("session.rs");
    fs::write(&planted, "use crate::iam::Error; // a back edge\n").unwrap();
    assert_eq!(crate_uses(&planted), vec![(1, "iam::Error".to_owned())]);
    assert!(rank("iam") > rank("session"));
    let commented = dir.path().join("ui.rs");
    fs::write(
        &commented,
        "// crate::commands::admin in a comment is fine\n",
    )
    .unwrap();
    assert!(crate_uses(&commented).is_empty());
    let family = Path::new(SRC).join("commands/admin/devices.rs");
    assert_eq!(
        place(&family),
        ("commands".to_owned(), Some("admin".to_owned()))
    );
}

#[test]
fn nothing_outside_commands_and_main_uses_commands() {
    let mut found = Vec::new();
    for file in rust_files(Path::new(SRC)) {
        let (layer, _) = place(&file);
        if layer == "commands" || layer == "main" {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        for (index, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("crate::commands") || code.contains("iam_mfa::commands") {
                found.push(format!("{}:{}", file.display(), index + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "uses of commands outside commands/: {found:?}"
    );
}

#[test]
fn commands_do_not_reach_a_sibling_family_through_super() {
    let mut found = Vec::new();
    for file in rust_files(&Path::new(SRC).join("commands")) {
        let text = fs::read_to_string(&file).unwrap();
        let depth = file
            .strip_prefix(Path::new(SRC).join("commands"))
            .unwrap()
            .iter()
            .count();
        // commands/X/mod.rs may not use `super::` at all (that is commands/); commands/X/y.rs
        // may not use `super::super::`.
        let forbidden = if file.ends_with("mod.rs") || depth == 1 {
            "super::"
        } else {
            "super::super::"
        };
        for (index, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let in_tests = code.trim_start().starts_with("use super::*");
            if code.contains(forbidden) && !in_tests {
                found.push(format!("{}:{}", file.display(), index + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "commands reaching above their family: {found:?}"
    );
}

#[test]
fn every_test_module_is_declared() {
    let main = fs::read_to_string(Path::new(TESTS).join("main.rs")).unwrap();
    let mut forgotten = Vec::new();
    for entry in fs::read_dir(TESTS).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let module = path.extension().is_some_and(|e| e == "rs") || path.join("mod.rs").exists();
        if module && name != "main" && !main.contains(&format!("mod {name};")) {
            forgotten.push(name);
        }
    }
    assert!(
        forgotten.is_empty(),
        "test modules not declared in tests/it/main.rs: {forgotten:?}"
    );
}

#[test]
fn the_doctor_crate_depends_on_no_aws_sdk_and_no_async_runtime() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            "mfa-doctor",
            "--all-features",
        ])
        .args(["-e", "normal,build", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    assert!(
        tree.contains("iam-policy"),
        "not the doctor's tree:\n{tree}"
    );
    let forbidden: Vec<&str> = tree
        .lines()
        .filter(|line| line.starts_with("aws-") || line.starts_with("tokio"))
        .collect();
    assert!(forbidden.is_empty(), "mfa-doctor depends on {forbidden:?}");
}
