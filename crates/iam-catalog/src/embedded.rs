//! The embedded action catalog: its text (inflated at build time, see `build.rs`), parsed once,
//! on first use. The types and lookups are in `catalog`; the text format is in `format`.

use std::sync::OnceLock;

use crate::catalog::Catalog;
use crate::format::parse_actions;
use crate::text::checked;
use crate::{CatalogError, manifest};

static TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/actions.tsv"));
static CATALOG: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
static EMPTY: OnceLock<Catalog> = OnceLock::new();

/// The embedded action catalog, decoded on first use.
///
/// Should the embedded data fail to decode (only possible if its files were damaged after
/// generation; the tests decode it), this is an empty catalog; [`try_catalog`] gives the error.
pub fn catalog() -> &'static Catalog {
    try_catalog().unwrap_or_else(|_| EMPTY.get_or_init(Catalog::default))
}

/// The embedded action catalog, or why it could not be decoded.
pub fn try_catalog() -> Result<&'static Catalog, &'static CatalogError> {
    CATALOG.get_or_init(decode).as_ref()
}

fn decode() -> Result<Catalog, CatalogError> {
    parse_actions(actions_text()?)
}

/// The embedded action catalog's text, checked against the manifest (the first step of decoding).
pub fn actions_text() -> Result<&'static str, CatalogError> {
    checked("action catalog", TEXT, manifest::ACTIONS_RAW_LEN)
}
