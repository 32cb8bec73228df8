//! Where [`FakeProcess::binary`](super::FakeProcess::binary) finds the fake: beside this
//! crate's sources (built with cargo), or on `PATH`.

use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{FAKE_BINARY, FAKE_BINARY_ENV, FakeProcessError};

/// The package whose binary it is, for `cargo build -p`.
const FAKE_PACKAGE: &str = "openai-invites-fake";

/// The binary, from the first place that has it (the order is
/// [`FakeProcess::binary`](super::FakeProcess::binary)'s).
pub(super) fn find() -> Result<PathBuf, FakeProcessError> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    if let Some(path) = std::env::var_os(FAKE_BINARY_ENV) {
        return Ok(PathBuf::from(path));
    }
    if let Some(manifest) = sources_beside() {
        return BUILT
            .get_or_init(|| build(&manifest).map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| FakeProcessError::Io(io::Error::other(e)));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    on_path(&path).ok_or(FakeProcessError::NotFound)
}

/// The fake's own manifest, when its sources sit beside this crate's (in the repository, not
/// in a registry's copy of this crate alone).
fn sources_beside() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = here.parent()?.join(FAKE_PACKAGE).join("Cargo.toml");
    manifest.is_file().then_some(manifest)
}

/// The binary in one of the folders of `path` (a `PATH` value).
fn on_path(path: &OsStr) -> Option<PathBuf> {
    let name = format!("{FAKE_BINARY}{}", std::env::consts::EXE_SUFFIX);
    std::env::split_paths(path)
        .map(|dir| dir.join(&name))
        .find(|candidate| candidate.is_file())
}

/// Builds the binary of the package at `manifest` into the calling program's target directory
/// and returns its path.
fn build(manifest: &Path) -> Result<PathBuf, FakeProcessError> {
    let exe = std::env::current_exe()?;
    let profile_dir = profile_dir(&exe).ok_or_else(|| {
        io::Error::other(format!(
            "{} is not in a cargo target directory: set {FAKE_BINARY_ENV}",
            exe.display()
        ))
    })?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--quiet", "-p", FAKE_PACKAGE, "--bin", FAKE_BINARY])
        .arg("--manifest-path")
        .arg(manifest);
    if let Some(target_dir) = profile_dir.parent() {
        build.env("CARGO_TARGET_DIR", target_dir);
    }
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        build.arg("--release");
    }
    let status = build.status()?;
    if !status.success() {
        return Err(FakeProcessError::Build {
            command: format!("cargo build -p {FAKE_PACKAGE} --bin {FAKE_BINARY}"),
            status,
        });
    }
    Ok(profile_dir.join(format!("{FAKE_BINARY}{}", std::env::consts::EXE_SUFFIX)))
}

/// `target/<profile>` for a test (`deps/`), an example (`examples/`) or a binary.
fn profile_dir(exe: &Path) -> Option<PathBuf> {
    let dir = exe.parent()?;
    let nested = dir
        .file_name()
        .is_some_and(|name| name == "deps" || name == "examples");
    let profile = if nested { dir.parent()? } else { dir };
    Some(profile.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_this_workspace_the_fake_is_built_from_its_sources() {
        let manifest = sources_beside().unwrap();
        assert!(
            manifest.ends_with("openai-invites-fake/Cargo.toml"),
            "{manifest:?}"
        );
    }

    #[test]
    fn on_path_finds_the_installed_binary_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("fake-on-path-{}", std::process::id()));
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let path = std::env::join_paths([dir.join("empty"), bin.clone()]).unwrap();
        assert_eq!(on_path(&path), None);
        let installed = bin.join(format!("{FAKE_BINARY}{}", std::env::consts::EXE_SUFFIX));
        std::fs::write(&installed, b"").unwrap();
        assert_eq!(on_path(&path), Some(installed));
        std::fs::remove_dir_all(&dir).unwrap();
        let message = FakeProcessError::NotFound.to_string();
        assert!(
            message.contains("cargo install openai-invites-fake"),
            "{message}"
        );
    }

    #[test]
    fn the_profile_dir_of_tests_examples_and_binaries() {
        for exe in [
            "/w/target/debug/deps/cli-0123abcd",
            "/w/target/debug/examples/quickstart",
            "/w/target/debug/openai-invites",
        ] {
            assert_eq!(
                profile_dir(Path::new(exe)),
                Some(PathBuf::from("/w/target/debug"))
            );
        }
    }
}
