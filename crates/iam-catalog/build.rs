//! Inflates the embedded data (`data/*.zlib`, as `scripts/gen-catalog` writes it, compressed to
//! keep the repository small) into `OUT_DIR`, where the crate includes the text as it is: a
//! program pays no inflating at run time, and a damaged file (the zlib checksum) or one that is
//! not UTF-8 fails the build instead.

use std::io::Read;
use std::path::Path;
use std::{env, fs};

fn main() -> Result<(), String> {
    let out = env::var_os("OUT_DIR").ok_or("cargo sets OUT_DIR")?;
    for (zlib, text) in [
        ("data/actions.zlib", "actions.tsv"),
        ("data/managed-policies.zlib", "managed-policies.tsv"),
    ] {
        println!("cargo::rerun-if-changed={zlib}");
        let bytes = fs::read(zlib).map_err(|e| format!("cannot read {zlib}: {e}"))?;
        let mut inflated = String::new();
        flate2::read::ZlibDecoder::new(bytes.as_slice())
            .read_to_string(&mut inflated)
            .map_err(|e| format!("cannot inflate {zlib}: {e}"))?;
        let path = Path::new(&out).join(text);
        fs::write(&path, inflated).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
