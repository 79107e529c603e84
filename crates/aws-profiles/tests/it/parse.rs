//! Table tests of the reader against the SDKs. Each case notes what botocore 1.43 (`raw_config_parse` +
//! `build_profile_map`, the AWS CLI's reader) does with the same text; where it differs from the Rust SDK we follow
//! the Rust SDK and say so.

use aws_profiles::{Document, FileKind, ParseError, Problem, ProfileSet, Section, sub_properties};

fn config(text: &str) -> Document {
    Document::parse(text, FileKind::Config).unwrap()
}

/// (text, expected (profile, key, value) lookups; `None` = absent, profile names in order)
type Case = (
    &'static str,
    &'static [(&'static str, &'static str, Option<&'static str>)],
    &'static [&'static str],
);

/// Checks each case's lookups and profile names, and that the text prints back unchanged.
fn run(kind: FileKind, cases: &[Case]) {
    for (text, lookups, names) in cases {
        let doc = Document::parse(text, kind).unwrap();
        for (profile, key, want) in *lookups {
            assert_eq!(
                doc.get(profile, key),
                *want,
                "get({profile}, {key}) in {text:?}"
            );
        }
        assert_eq!(doc.profile_names(), *names, "profile names of {text:?}");
        assert_eq!(doc.to_string(), *text, "round trip of {text:?}");
    }
}

#[test]
fn config_file_constructs() {
    let cases: &[Case] = &[
        // Same in botocore: `[default]` and `[profile x]` are profiles, a bare `[x]` is not.
        (
            "[default]\nregion = us-east-1\n[profile dev]\nregion=eu-west-1\n[stray]\nregion = x\n",
            &[
                ("default", "region", Some("us-east-1")),
                ("dev", "region", Some("eu-west-1")),
                ("stray", "region", None),
            ],
            &["default", "dev"],
        ),
        // Same in botocore: full-line comments with `#` and `;`, blank lines, whitespace around `=`, tabs.
        (
            "# top\n; also\n\n[profile a]\n# c\nkey\t=\t v 1 \nk2= \n",
            &[("a", "key", Some("v 1")), ("a", "k2", Some(""))],
            &["a"],
        ),
        // Keys are case-insensitive (botocore lowercases too); section names are not.
        (
            "[profile A]\nRegion = r\n",
            &[
                ("A", "region", Some("r")),
                ("A", "REGION", Some("r")),
                ("a", "region", None),
            ],
            &["A"],
        ),
        // Inline comments: after whitespace they end the value (Rust/Go/Java SDKs); botocore keeps `1 # c` as value.
        (
            "[default]\na = 1 # c\nb = 2;c\nc = x ; y\nd = http://h/#frag\n",
            &[
                ("default", "a", Some("1")),
                ("default", "b", Some("2;c")),
                ("default", "c", Some("x")),
                ("default", "d", Some("http://h/#frag")),
            ],
            &["default"],
        ),
        // A comment after a header, with or without a space (botocore: same).
        (
            "[profile x] # hdr\nk=v\n[profile y]; c\nk=w\n",
            &[("x", "k", Some("v")), ("y", "k", Some("w"))],
            &["x", "y"],
        ),
        // Nested values: the raw value is returned as the SDK returns it (botocore parses it into a dict).
        (
            "[default]\ns3 =\n  addressing_style = path\n  signature_version = s3v4\nregion=1\n",
            &[
                (
                    "default",
                    "s3",
                    Some("\naddressing_style = path\nsignature_version = s3v4"),
                ),
                ("default", "region", Some("1")),
            ],
            &["default"],
        ),
        // Continuation lines join with `\n`; a blank line inside does not end the value (botocore keeps it as an empty
        // line of the value: `foo\nbar\n\nbaz`).
        (
            "[default]\na = foo\n  bar\n\n  baz\nb=1\n",
            &[
                ("default", "a", Some("foo\nbar\nbaz")),
                ("default", "b", Some("1")),
            ],
            &["default"],
        ),
        // CRLF (botocore: same).
        (
            "[default]\r\na = 1\r\n[profile b]\r\nc = 2",
            &[("default", "a", Some("1")), ("b", "c", Some("2"))],
            &["default", "b"],
        ),
        // Duplicate sections merge, later keys win (Rust SDK); botocore rejects the file (DuplicateSectionError).
        (
            "[profile a]\nx = 1\ny = 1\n[profile b]\nx = b\n[profile a]\ny = 2\n",
            &[
                ("a", "x", Some("1")),
                ("a", "y", Some("2")),
                ("b", "x", Some("b")),
            ],
            &["a", "b"],
        ),
        // A duplicate key: last wins (Rust SDK); botocore rejects the file (DuplicateOptionError).
        (
            "[default]\na = 1\nA = 2\n",
            &[("default", "a", Some("2"))],
            &["default"],
        ),
        // `[profile default]` replaces `[default]` entirely (Rust SDK); botocore takes whichever section comes last.
        (
            "[profile default]\na = p\n[default]\na = d\nb = d\n",
            &[("default", "a", Some("p")), ("default", "b", None)],
            &["default"],
        ),
        // Extra whitespace in headers: the SDK trims it; botocore ignores a header with leading spaces in the brackets.
        (
            "[  profile   spaced  ]\nk = v\n",
            &[("spaced", "k", Some("v"))],
            &["spaced"],
        ),
        // Names the SDK ignores: a space inside the name, keys with spaces.
        (
            "[profile a b]\nk = v\n[profile ok]\nmy key = v\n",
            &[("a b", "k", None), ("ok", "my key", None)],
            &["ok"],
        ),
        // sso-session and services sections are not profiles (botocore: same).
        (
            "[sso-session s]\nsso_region = r\n[services x]\ns3 =\n  endpoint_url = http://e\n",
            &[("s", "sso_region", None)],
            &[],
        ),
        // A value may contain `=` (botocore: same).
        (
            "[default]\nx = a=b==\n",
            &[("default", "x", Some("a=b=="))],
            &["default"],
        ),
        // An empty file and a file without a final newline.
        ("", &[], &[]),
        (
            "[default]\nk = v",
            &[("default", "k", Some("v"))],
            &["default"],
        ),
    ];
    run(FileKind::Config, cases);
}

#[test]
fn credentials_file_constructs() {
    let cases: &[Case] = &[
        // Plain `[name]`, `[default]` (botocore: same).
        (
            "[default]\naws_access_key_id = AKIA1\n[dev]\naws_access_key_id=AKIA2\n",
            &[
                ("default", "aws_access_key_id", Some("AKIA1")),
                ("dev", "aws_access_key_id", Some("AKIA2")),
            ],
            &["default", "dev"],
        ),
        // `[profile x]` is not profile `x` in the credentials file (botocore reads it as a profile named
        // "profile x", which no one can select because profile names cannot contain spaces in config).
        (
            "[profile x]\nk = v\n",
            &[("x", "k", None), ("profile x", "k", None)],
            &[],
        ),
    ];
    run(FileKind::Credentials, cases);
}

#[test]
fn other_sections_and_sub_properties() {
    let doc = config(
        "[sso-session s]\nsso_region = eu\n[services x]\ns3 =\n  endpoint_url = http://e\n  a=b\n",
    );
    assert_eq!(
        doc.get_in(Section::SsoSession("s"), "sso_region"),
        Some("eu")
    );
    let nested = doc.get_in(Section::Services("x"), "s3").unwrap();
    assert_eq!(
        sub_properties(nested),
        vec![
            ("endpoint_url".to_owned(), "http://e".to_owned()),
            ("a".to_owned(), "b".to_owned())
        ]
    );
    assert_eq!(doc.get_in(Section::Services("s"), "sso_region"), None);
    assert!(!doc.has_profile("s"));
}

/// Lines botocore rejects too (ConfigParseError), except where noted; the error names the 1-based line.
#[test]
fn malformed_lines_are_errors_naming_the_line() {
    let cases: &[(&str, usize, Problem)] = &[
        ("a=1\n[default]\n", 1, Problem::NoSection),
        ("# c\n\n  a = 1\n[default]\n", 3, Problem::NoSection),
        ("[default]\n[profile x\nk=v\n", 2, Problem::UnclosedHeader),
        // botocore accepts this as profile `a#b`; the SDK cuts the header at `#`.
        (
            "[default]\nk = v\n[profile a#b]\n",
            3,
            Problem::UnclosedHeader,
        ),
        ("[default]\njustakey\n", 2, Problem::NoEquals),
        // botocore accepts `key: value`; the SDKs do not.
        ("[default]\nregion: us-east-1\n", 2, Problem::NoEquals),
        ("[default]\n= v\n", 2, Problem::EmptyKey),
        // botocore reads an indented first key as a key; the Rust SDK rejects it.
        ("[default]\n  a = 1\n", 2, Problem::OrphanContinuation),
        (
            "[default]\ns3 =\n  novalue\n",
            3,
            Problem::SubPropertyNoEquals,
        ),
        // botocore accepts this as a nested key named ``.
        ("[default]\ns3 =\n  = 1\n", 3, Problem::SubPropertyEmptyKey),
        ("\u{feff}[default]\na=1\n", 1, Problem::NoSection),
        ("[default]\r\nok = 1\r\nbad\r\n", 3, Problem::NoEquals),
    ];
    for (text, line, problem) in cases {
        let err = Document::parse(text, FileKind::Config).unwrap_err();
        assert_eq!(
            err,
            ParseError {
                line: *line,
                problem: *problem
            },
            "{text:?}"
        );
    }
}

#[test]
fn parse_error_messages_name_file_and_line_but_not_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    std::fs::write(&path, "[default]\naws_secret_access_key SECRETSECRET\n").unwrap();
    let err = aws_profiles::read_document(&path, FileKind::Credentials).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("{}:2: ", path.display())), "{msg}");
    assert!(msg.contains("no `=`"), "{msg}");
    assert!(!msg.contains("SECRET"), "{msg}");
}

#[test]
fn credentials_override_config_per_key() {
    let dir = tempfile::tempdir().unwrap();
    let paths = aws_profiles::Paths {
        config: dir.path().join("config"),
        credentials: dir.path().join("credentials"),
    };
    std::fs::write(
        &paths.config,
        "[default]\nregion = us-east-1\naws_access_key_id = FROMCONFIG\n[profile only-config]\nregion = r\n",
    )
    .unwrap();
    std::fs::write(
        &paths.credentials,
        "[default]\naws_access_key_id = FROMCREDS\n[only-creds]\naws_access_key_id = K\n",
    )
    .unwrap();
    let set = ProfileSet::load(&paths).unwrap();
    assert_eq!(set.get("default", "aws_access_key_id"), Some("FROMCREDS"));
    assert_eq!(set.get("default", "region"), Some("us-east-1"));
    assert_eq!(set.get("only-creds", "aws_access_key_id"), Some("K"));
    assert_eq!(
        set.profile_names(),
        vec!["default", "only-config", "only-creds"]
    );
    assert!(
        set.has_profile("only-creds") && set.has_profile("only-config") && !set.has_profile("nope")
    );
}

#[test]
fn profile_set_loads_missing_files_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let paths = aws_profiles::Paths {
        config: dir.path().join("none/config"),
        credentials: dir.path().join("credentials"),
    };
    std::fs::write(&paths.credentials, "[p]\nk = v\n").unwrap();
    let set = ProfileSet::load(&paths).unwrap();
    assert_eq!(set.get("p", "k"), Some("v"));
    assert_eq!(set.profile_names(), vec!["p"]);
}
