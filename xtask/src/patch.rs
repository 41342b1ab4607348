//! The patch overlay: `spec/patches/*.yaml`, applied to the upstream swagger
//! before conversion.
//!
//! Each file fixes one place where the swagger disagrees with what a real
//! engine sends, for a range of API versions:
//!
//! ```yaml
//! why: The engine sends `null` for an image without labels.
//! evidence: [tests/fixtures/engine/v1.41/ImageList/untagged.json]
//! versions: { from: "1.41", to: "1.43" }   # inclusive; `to` may be left out
//! patch:                                   # RFC 6902, against the swagger 2.0 document
//!   - { op: test, path: /definitions/ImageSummary/required/5, value: Labels }
//!   - { op: remove, path: /definitions/ImageSummary/required/5 }
//! ```
//!
//! A patch that no longer applies to a version in its range is an error, so a
//! fix that upstream has made (or moved) is noticed at the next regeneration.
//! Start a patch with `test` operations to make that check precise.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;

use crate::version::ApiVersion;

/// One file of the overlay.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    #[serde(skip)]
    pub file: PathBuf,
    /// Why the swagger is wrong, in a sentence or two.
    pub why: String,
    /// Recorded engine responses (paths from the repository root) showing it.
    pub evidence: Vec<PathBuf>,
    pub versions: VersionRange,
    pub patch: json_patch::Patch,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRange {
    pub from: ApiVersion,
    #[serde(default)]
    pub to: Option<ApiVersion>,
}

impl VersionRange {
    fn contains(&self, version: ApiVersion) -> bool {
        self.from <= version && self.to.is_none_or(|to| version <= to)
    }
}

/// Reads every patch in `dir`, in file-name order, and checks that each
/// names evidence that exists.
pub fn load(root: &Path, dir: &Path) -> Result<Vec<Patch>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();

    let mut patches = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        let mut patch: Patch = serde_yaml::from_str(&text)
            .with_context(|| format!("{} is not a valid patch", file.display()))?;
        if patch.why.trim().is_empty() || patch.evidence.is_empty() {
            bail!("{}: every patch says why and names its evidence", file.display());
        }
        for evidence in &patch.evidence {
            if !root.join(evidence).is_file() {
                bail!(
                    "{}: evidence {} does not exist",
                    file.display(),
                    evidence.display()
                );
            }
        }
        patch.file = file;
        patches.push(patch);
    }
    Ok(patches)
}

/// Applies the patches whose range holds `version`; returns how many did.
pub fn apply(patches: &[Patch], version: ApiVersion, swagger: &mut Value) -> Result<usize> {
    let mut applied = 0;
    for patch in patches.iter().filter(|p| p.versions.contains(version)) {
        json_patch::patch(swagger, &patch.patch)
            .with_context(|| format!("{} no longer applies to v{version}", patch.file.display()))?;
        applied += 1;
    }
    Ok(applied)
}
