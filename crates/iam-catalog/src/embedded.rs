//! The embedded action catalog: its compressed bytes, inflated and parsed once, on first use.
//! The types and lookups are in `catalog`; the text format is in `format`.

use std::sync::OnceLock;

use crate::catalog::Catalog;
use crate::format::parse_actions;
use crate::inflate::inflate;
use crate::{CatalogError, manifest};

static ACTIONS_ZLIB: &[u8] = include_bytes!("../data/actions.zlib");
static TEXT: OnceLock<String> = OnceLock::new();
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
    let text = inflate_actions()?;
    parse_actions(TEXT.get_or_init(|| text))
}

/// Inflates the embedded action catalog to its text (the first step of decoding).
pub fn inflate_actions() -> Result<String, CatalogError> {
    inflate("action catalog", ACTIONS_ZLIB, manifest::ACTIONS_RAW_LEN)
}
