//! The fuzz property, shared by the `cargo fuzz` target and the proptest that runs it on stable
//! (`tests/props.rs`): any text the parser accepts prints back byte for byte and re-parses to the same document,
//! also after edits, and edits do what they say.

use aws_profiles::{Document, FileKind};

/// Checks one input; panics on a violated property.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [FileKind::Config, FileKind::Credentials] {
        let Ok(mut doc) = Document::parse(text, kind) else {
            continue;
        };
        assert_eq!(doc.to_string(), text);
        assert_reparses(&doc);
        let line_count = text.split_inclusive('\n').count();
        for difference in doc.botocore_differences() {
            assert!((1..=line_count).contains(&difference.line));
        }
        let profiles = doc.profile_names();
        let target = profiles.first().cloned().unwrap_or_else(|| "fz".to_owned());

        doc.set(&target, "fz_key", "fz value");
        assert_eq!(doc.get(&target, "fz_key"), Some("fz value"));
        assert_reparses(&doc);

        doc.set(&target, "fz_key", "\nnested = 1");
        assert_eq!(doc.get(&target, "fz_key"), Some("\nnested = 1"));
        assert_reparses(&doc);

        for other in profiles.iter().skip(1) {
            doc.set(other, "region", "r");
            assert_eq!(doc.get(other, "region"), Some("r"));
        }
        assert_reparses(&doc);

        assert!(doc.remove_key(&target, "fz_key"));
        assert_eq!(doc.get(&target, "fz_key"), None);
        assert_reparses(&doc);

        doc.remove_profile(&target);
        assert!(!doc.has_profile(&target));
        assert_reparses(&doc);
    }
}

fn assert_reparses(doc: &Document) {
    let printed = doc.to_string();
    let reparsed =
        Document::parse(&printed, doc.kind()).unwrap_or_else(|err| panic!("{err} in {printed:?}"));
    assert_eq!(&reparsed, doc, "{printed:?}");
}
