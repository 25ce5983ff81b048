//! Builds the console's in-browser proof checker: the `eiraku-proof-wasm`
//! crate for `wasm32-unknown-unknown` (a nested cargo, in its own target
//! folder so it never waits on this build's lock), then `wasm-bindgen` for
//! the page's glue. The node embeds both.
//!
//! Without the wasm target, clang (blst's C code) or `wasm-bindgen-cli`
//! (`.ci/setup` installs all three), the node is built without them: a
//! warning says why, and the console checks proofs on the node instead,
//! saying so on the page.

use std::{
    env,
    path::{Path, PathBuf},
    process::Command,
};

const CRATE: &str = "eiraku-proof-wasm";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The glue's files, as the console serves them.
const GLUE: &str = "proof_checker.js";
const MODULE: &str = "proof_checker_bg.wasm";

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let workspace = manifest.join("../..");
    for input in [
        "crates/eiraku-proof-wasm/src",
        "crates/eiraku-proof-wasm/Cargo.toml",
        "crates/eiraku-core/src",
        "crates/eiraku-core/Cargo.toml",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(input).display());
    }
    println!("cargo:rerun-if-env-changed=EIRAKU_NO_WASM");
    let dest = out.join("proof-checker");
    std::fs::create_dir_all(&dest).expect("OUT_DIR is writable");
    let built = if env::var_os("EIRAKU_NO_WASM").is_some() {
        Err("EIRAKU_NO_WASM is set".to_owned())
    } else {
        build(&workspace, &target_folder(&out), &dest)
    };
    if let Err(why) = built {
        println!(
            "cargo:warning=the console's in-browser proof checker was not built ({why}); \
             the console checks proofs on the node. `.ci/setup` installs what it needs."
        );
        for file in [GLUE, MODULE] {
            std::fs::write(dest.join(file), b"").expect("OUT_DIR is writable");
        }
    }
}

/// `<target folder>/proof-checker`: one folder for every profile of this
/// build, so the wasm build is done once, not per profile. OUT_DIR is
/// `<target>[/<triple>]/<profile>/build/<crate>-<hash>/out`; an unusual
/// layout gets a folder of its own inside OUT_DIR.
fn target_folder(out: &Path) -> PathBuf {
    let build = out
        .ancestors()
        .find(|folder| folder.file_name().is_some_and(|name| name == "build"));
    let Some(mut target) = build.and_then(Path::parent).and_then(Path::parent) else {
        return out.join("proof-checker-target");
    };
    // With an explicit `--target`, the profile folder sits one level lower.
    let triple = env::var("TARGET").unwrap_or_default();
    if target.file_name().is_some_and(|name| *name == *triple) {
        target = target.parent().unwrap_or(target);
    }
    target.join("proof-checker")
}

fn build(workspace: &Path, target: &Path, dest: &Path) -> Result<(), String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut nested = Command::new(cargo);
    nested
        .current_dir(workspace)
        .args([
            "build",
            "--release",
            "--package",
            CRATE,
            "--target",
            WASM_TARGET,
        ])
        .arg("--target-dir")
        .arg(target);
    // This build's flags, compilers and wrappers are for the host, not
    // the browser (blst's C code needs clang's wasm32 target).
    for variable in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
        "CC",
        "CFLAGS",
        "AR",
    ] {
        nested.env_remove(variable);
    }
    run(&mut nested, "the wasm build", dest)?;
    let module = target
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{}.wasm", CRATE.replace('-', "_")));
    let mut glue = Command::new(wasm_bindgen());
    glue.args([
        "--target",
        "web",
        "--no-typescript",
        "--out-name",
        "proof_checker",
    ])
    .arg("--out-dir")
    .arg(dest)
    .arg(&module);
    run(&mut glue, "wasm-bindgen", dest)
}

/// `wasm-bindgen` on the PATH, or where `cargo install` puts it.
fn wasm_bindgen() -> PathBuf {
    let installed = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin").join("wasm-bindgen"));
    match installed {
        Some(path) if path.exists() => path,
        _ => PathBuf::from("wasm-bindgen"),
    }
}

/// Runs `command`; when it fails, its whole output goes to `build.log`
/// in `dest`, which the error names.
fn run(command: &mut Command, what: &str, dest: &Path) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("{what} could not start: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let log = dest.join("build.log");
    let text = [output.stdout, output.stderr].concat();
    let _ = std::fs::write(&log, &text);
    let text = String::from_utf8_lossy(&text);
    let first = (text.lines())
        .find(|line| line.starts_with("error"))
        .unwrap_or("no error line");
    Err(format!(
        "{what} failed: {} (all of it: {})",
        first.trim(),
        log.display()
    ))
}
