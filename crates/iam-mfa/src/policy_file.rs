//! Reading a policy document from a file: capped (an endless or huge file costs bounded memory
//! and time) and UTF-8, with messages naming the file. Used by `policy` and by the admin
//! commands that take a policy file.

use anyhow::{Context as _, anyhow};
use std::io::Read;
use std::path::Path;

/// Reads the policy file at `path`: at most [`iam_policy::MAX_DOCUMENT_BYTES`], UTF-8.
pub fn read(path: &Path) -> anyhow::Result<String> {
    let what = || format!("policy file {}", path.display());
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", what()))?;
    let bytes = read_capped(file, iam_policy::MAX_DOCUMENT_BYTES)
        .with_context(|| format!("cannot read {}", what()))?
        .ok_or_else(|| {
            anyhow!(
                "{} is larger than {} bytes, the cap per policy document (1 MiB; AWS allows at most 10,240 characters)",
                what(),
                iam_policy::MAX_DOCUMENT_BYTES
            )
        })?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            what(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Everything `reader` holds, or `None` when it holds more than `cap` bytes. Reads at most
/// `cap + 1` bytes, so an endless source (`/dev/zero`, a pipe that never closes its end after
/// writing too much) costs bounded memory and time.
pub fn read_capped(reader: impl Read, cap: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(limit).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= cap).then_some(bytes))
}
