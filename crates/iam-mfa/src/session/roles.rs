//! Role sessions: `sts:AssumeRole` with the MFA session of a role profile's source (so the role
//! session carries `aws:MultiFactorAuthPresent` and the role's own maximum duration applies),
//! then, for a chain, with each previous role's session (role chaining: at most 1 h, as AWS
//! allows). Each role session is cached per (the MFA session's identity: partition, long-term
//! key and serial; and every role of the path: ARN, session name, external id), and renewed
//! from the cached MFA session, without a new code, while that lasts. One lock per path gives
//! the same single flight as the MFA session's, whose lock it nests around.

use super::cache::{Cache, Key, ROLE_PREFIX, Session, digest_name};
use super::source::RoleStep;
use super::{Error, RoleRefused, duration, sts};
use crate::aws::{self, AwsError, AwsErrorKind, ClientOptions};
use crate::ui::tty::notice;
use aws_sdk_sts::config::Credentials;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// AssumeRole's default session length, the AWS CLI's too.
pub const DEFAULT_SECONDS: u64 = 3_600;
/// Role sessions: at most 12 h, the most a role's MaxSessionDuration allows.
pub const ROLE_SESSION: duration::Bounds = duration::Bounds {
    max: 43_200,
    human: "15 min to 12 h, the most any role allows",
};
/// The longest session AWS grants a role assumed with another role's credentials.
pub const CHAINED_MAX_SECONDS: u64 = 3_600;

/// The most roles a chain may have: real chains have two or three, and each role is one lock held
/// and one AssumeRole; a longer one is a configuration mistake (or a hostile file), refused.
pub const MAX_ROLES: usize = 32;

/// Format version of the role-session files; other versions are ignored (and overwritten).
pub const VERSION: u32 = 1;

/// One role of a path, checked and with its length decided.
#[derive(Clone, Debug)]
pub struct Planned {
    pub step: RoleStep,
    /// Seconds to ask for.
    pub duration: u64,
    /// Where the length came from (`--duration`, `duration_seconds of [profile NAME]`), `None`
    /// for the default.
    pub origin: Option<String>,
    /// Assumed with another role's credentials.
    pub chained: bool,
    /// What was asked for when role chaining cut it to 1 h.
    pub cut_from: Option<u64>,
}

/// Checks every role of a chain and decides each session's length: the last role's is
/// `--duration` when given, every other's its profile's `duration_seconds`, else 1 h; a chained
/// role (the second and later) gets at most 1 h.
pub fn plan(roles: &[RoleStep], flag: Option<u64>) -> Result<Vec<Planned>, Error> {
    if let (true, Some(selected)) = (roles.len() > MAX_ROLES, roles.last()) {
        return Err(Error::InvalidRole {
            profile: selected.profile.clone(),
            reason: format!(
                "its source_profile chain has {} roles; iam-mfa follows at most {MAX_ROLES} (every role after the first is role chaining, at most 1 h each): point source_profile at a profile nearer the keys",
                roles.len()
            ),
        });
    }
    let last = roles.len().saturating_sub(1);
    roles
        .iter()
        .enumerate()
        .map(|(index, step)| {
            check_step(step)?;
            let (requested, origin) = match (flag.filter(|_| index == last), &step.duration_seconds)
            {
                (Some(seconds), _) => (
                    duration::validate(seconds, "--duration", ROLE_SESSION)?,
                    Some("--duration".to_owned()),
                ),
                (None, Some(text)) => (
                    duration::parse(
                        text,
                        &format!("duration_seconds of profile `{}`", step.profile),
                        ROLE_SESSION,
                    )?,
                    Some(format!("duration_seconds of [profile {}]", step.profile)),
                ),
                (None, None) => (DEFAULT_SECONDS, None),
            };
            let chained = index > 0;
            let cut = chained && requested > CHAINED_MAX_SECONDS;
            Ok(Planned {
                step: step.clone(),
                duration: if cut { CHAINED_MAX_SECONDS } else { requested },
                origin,
                chained,
                cut_from: cut.then_some(requested),
            })
        })
        .collect()
}

/// Checks what AWS would refuse in a role profile before anything is asked or sent.
fn check_step(step: &RoleStep) -> Result<(), Error> {
    let invalid = |reason: String| Error::InvalidRole {
        profile: step.profile.clone(),
        reason,
    };
    crate::names::role_arn(&step.role_arn).map_err(|err| invalid(err.to_string()))?;
    if let Some(name) = &step.session_name {
        crate::names::role_session_name(name).map_err(|err| invalid(err.to_string()))?;
    }
    if let Some(id) = &step.external_id {
        crate::names::external_id(id).map_err(|err| invalid(err.to_string()))?;
    }
    Ok(())
}

/// One cached role session (`role-<digest>.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoleRecord {
    pub version: u32,
    /// The role profile.
    pub profile: String,
    /// The profile with the long-term keys whose MFA session it was obtained through.
    pub source_profile: String,
    pub role_arn: String,
    /// The MFA session's serial, partition and long-term key id (not secret).
    pub serial: String,
    pub partition: String,
    pub source_access_key_id: String,
    /// Obtained with another role's credentials.
    pub chained: bool,
    pub session: Session,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
}

/// The file name of the role session at the end of `path`, on the MFA session `mfa`. A session
/// name iam-mfa chose is left out, as botocore leaves out the one it generates.
pub fn file_name(mfa: &Key, path: &[Planned]) -> String {
    let mut text = format!("{}\n{}\n{}", mfa.partition, mfa.access_key_id, mfa.serial);
    for planned in path {
        let step = &planned.step;
        text += &format!(
            "\n{}\n{}\n{}",
            step.role_arn,
            step.session_name.as_deref().unwrap_or_default(),
            step.external_id.as_deref().unwrap_or_default()
        );
    }
    format!("{ROLE_PREFIX}{}.json", digest_name(&text))
}

/// Every readable role-session record, with its path, ordered by profile.
pub fn records(cache: &Cache) -> Vec<(std::path::PathBuf, RoleRecord)> {
    let mut records: Vec<(std::path::PathBuf, RoleRecord)> = cache
        .files(|name| name.starts_with(ROLE_PREFIX))
        .into_iter()
        .filter(|(_, record): &(_, RoleRecord)| record.version == VERSION)
        .collect();
    records.sort_by(|a, b| a.1.profile.cmp(&b.1.profile).then(a.0.cmp(&b.0)));
    records
}

/// What a role session is obtained from and with.
pub struct Context<'a> {
    pub cache: &'a Cache,
    /// The MFA session's cache key.
    pub mfa: &'a Key,
    /// The source profile (for the records).
    pub source_profile: &'a str,
    pub region: &'a str,
    pub endpoint_url: Option<&'a str>,
    pub sts_endpoints: aws::StsEndpoints,
    /// The refresh margin (seconds).
    pub margin: i64,
    /// The MFA session's "someone is asking for a code" marker: waiters stay quiet while it exists.
    pub marker: &'a std::path::Path,
}

/// The session of the last role of `path`: cached while it has more than the margin left (unless
/// `refresh`), else assumed under the path's lock with the session of the path without its last
/// role, got the same way (cached, or assumed) down to the MFA session `mfa_session` returns.
pub fn session(
    context: &Context<'_>,
    path: &[Planned],
    refresh: bool,
    mfa_session: &mut dyn FnMut() -> Result<Session, Error>,
) -> Result<Session, Error> {
    let Some((planned, before)) = path.split_last() else {
        return mfa_session();
    };
    let name = file_name(context.mfa, path);
    let fresh = |record: &RoleRecord| {
        super::obtain::fresh(&record.session, Some(record.issued_at), context.margin)
    };
    let cached = || {
        context
            .cache
            .read::<RoleRecord>(&name)
            .filter(|record| record.version == VERSION)
    };
    if !refresh && let Some(record) = cached().filter(fresh) {
        tracing::debug!(profile = %planned.step.profile, "cached role session is still good");
        return Ok(record.session);
    }
    let lock_path = context.cache.path(&name).with_extension("lock");
    let _lock = super::obtain::wait_for_lock(
        &lock_path,
        context.marker,
        super::obtain::QUIET_WAIT,
        super::lock::DEFAULT_WAIT,
        || notice("waiting for another iam-mfa process to finish getting this role session"),
    )?;
    if !refresh && let Some(record) = cached().filter(fresh) {
        return Ok(record.session);
    }
    let previous = match session(context, before, false, mfa_session) {
        Ok(previous) => previous,
        Err(Error::NoCode { serial }) => {
            let what = format!("the role session of `{}`", planned.step.profile);
            let record = super::obtain::usable_without_code(
                cached(),
                |record| &record.session,
                serial,
                &what,
            )?;
            return Ok(record.session);
        }
        Err(err) => return Err(err),
    };
    let record = assume(context, planned, before.last(), &previous)?;
    context.cache.write(&name, &record)?;
    Ok(record.session)
}

/// One AssumeRole for `planned` with `previous` (the MFA session, or role `before`'s session).
fn assume(
    context: &Context<'_>,
    planned: &Planned,
    before: Option<&Planned>,
    previous: &Session,
) -> Result<RoleRecord, Error> {
    let step = &planned.step;
    if let (Some(asked), Some(before)) = (planned.cut_from, before) {
        notice(&format!(
            "role chaining: `{}` is assumed with the credentials of role `{}`, and AWS allows such a session at most 1 h; asked for {}, getting 1h 00m",
            step.profile,
            before.step.profile,
            duration::human(i64::try_from(asked).unwrap_or(i64::MAX))
        ));
    }
    let credentials = Credentials::new(
        &previous.access_key_id,
        &previous.secret_access_key,
        Some(previous.session_token.clone()),
        Some(std::time::SystemTime::from(previous.expiration)),
        "iam-mfa-session",
    );
    let options = ClientOptions {
        profile: Some(step.profile.clone()),
        region: Some(context.region.to_owned()),
        endpoint_url: context.endpoint_url.map(str::to_owned),
        credentials: Some(credentials),
    };
    let now = OffsetDateTime::now_utc();
    let session_name = step
        .session_name
        .clone()
        .unwrap_or_else(|| format!("iam-mfa-{}", now.unix_timestamp()));
    let request = sts::AssumeRequest {
        role_arn: &step.role_arn,
        session_name: &session_name,
        external_id: step.external_id.as_deref(),
        duration: planned.duration,
    };
    tracing::debug!(profile = %step.profile, role = %step.role_arn, duration = planned.duration, "calling sts:AssumeRole");
    let runtime = aws::runtime().map_err(|err| Error::Runtime(err.to_string()))?;
    let session = runtime.block_on(async {
        let config = aws::sdk_config(&options).await;
        match sts::assume_role(&config, context.sts_endpoints, &request).await {
            Ok(session) => Ok(session),
            Err(err) => Err(explain(&config, planned, before, err).await),
        }
    })?;
    Ok(RoleRecord {
        version: VERSION,
        profile: step.profile.clone(),
        source_profile: context.source_profile.to_owned(),
        role_arn: step.role_arn.clone(),
        serial: context.mfa.serial.clone(),
        partition: context.mfa.partition.clone(),
        source_access_key_id: context.mfa.access_key_id.clone(),
        chained: planned.chained,
        session,
        issued_at: now,
    })
}

/// Turns a failed AssumeRole into advice naming the role, the profile and the caller.
async fn explain(
    config: &aws_config::SdkConfig,
    planned: &Planned,
    before: Option<&Planned>,
    err: AwsError,
) -> Error {
    let step = &planned.step;
    let with_what = match before {
        None => "an MFA session".to_owned(),
        Some(before) => format!("the session of role profile `{}`", before.step.profile),
    };
    let advice = match err.kind {
        AwsErrorKind::AccessDenied => access_denied(step, &with_what, &err.detail),
        AwsErrorKind::Invalid if err.detail.contains("MaxSessionDuration") => {
            let maximum = max_session_duration(config, &step.role_arn).await;
            too_long(planned, maximum)
        }
        _ => return Error::Aws(err),
    };
    Error::AssumeRole(Box::new(RoleRefused {
        profile: step.profile.clone(),
        role_arn: step.role_arn.clone(),
        advice,
        cause: err,
    }))
}

/// The causes of an AccessDenied on AssumeRole, with the caller AWS named.
pub fn access_denied(step: &RoleStep, with_what: &str, detail: &str) -> String {
    let caller = detail
        .split("User: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map_or_else(|| "the caller".to_owned(), |arn| format!("`{arn}`"));
    let external_id = match &step.external_id {
        None => format!(
            "; or it requires an external ID (sts:ExternalId), which [profile {}] does not set (add external_id)",
            step.profile
        ),
        Some(_) => format!(
            "; or the external_id of [profile {}] is not the one it requires (sts:ExternalId)",
            step.profile
        ),
    };
    format!(
        "AWS denied {caller} (signing with {with_what}). Usually either the role's trust policy does not allow {caller} (ask the role's administrator to name it, or its account, as Principal), or it requires MFA (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge) and the call carried none or too old a one{external_id}. The caller's own policies must also allow sts:AssumeRole on the role ({detail})"
    )
}

/// A duration above the role's MaxSessionDuration: what it is when `iam:GetRole` tells.
pub fn too_long(planned: &Planned, maximum: Option<i32>) -> String {
    let origin = planned
        .origin
        .clone()
        .unwrap_or_else(|| "the default".to_owned());
    let lower = if planned.origin.as_deref() == Some("--duration") {
        "lower --duration"
    } else {
        "lower duration_seconds"
    };
    match maximum {
        Some(maximum) => format!(
            "{} s ({origin}) is more than the role's maximum session duration, {maximum} s ({}); {lower} to at most {maximum}",
            planned.duration,
            duration::human(i64::from(maximum))
        ),
        None => format!(
            "{} s ({origin}) is more than the role's maximum session duration, which iam-mfa cannot read (iam:GetRole is not allowed, or the role is in another account); it is 3600 s unless its administrator raised it: {lower}, or ask them",
            planned.duration
        ),
    }
}

/// The role's MaxSessionDuration, when the caller may read it with `iam:GetRole`.
async fn max_session_duration(config: &aws_config::SdkConfig, role_arn: &str) -> Option<i32> {
    let name = role_arn.rsplit('/').next()?;
    let role = aws::iam_client(config)
        .get_role()
        .role_name(name)
        .send()
        .await
        .ok()?
        .role?;
    (role.arn == role_arn)
        .then_some(role.max_session_duration)
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(profile: &str, duration: Option<&str>) -> RoleStep {
        RoleStep {
            profile: profile.to_owned(),
            role_arn: format!("arn:aws:iam::222222222222:role/{profile}"),
            session_name: None,
            external_id: None,
            duration_seconds: duration.map(str::to_owned),
        }
    }

    #[test]
    fn durations_default_to_an_hour_and_chained_roles_are_cut_to_one() {
        let planned = plan(&[step("a", Some("7200")), step("b", Some("7200"))], None).unwrap();
        assert_eq!(planned[0].duration, 7200, "on the MFA session: not chained");
        assert!(!planned[0].chained && planned[0].cut_from.is_none());
        assert_eq!(planned[1].duration, 3600);
        assert!(planned[1].chained);
        assert_eq!(planned[1].cut_from, Some(7200));
        let planned = plan(&[step("a", None), step("b", None)], Some(1800)).unwrap();
        assert_eq!(planned[0].duration, DEFAULT_SECONDS);
        assert_eq!(planned[1].duration, 1800, "--duration is the last role's");
        assert_eq!(planned[1].cut_from, None);
    }

    #[test]
    fn a_chain_longer_than_the_cap_is_refused() {
        let steps: Vec<RoleStep> = (0..=MAX_ROLES)
            .map(|n| step(&format!("r{n}"), None))
            .collect();
        assert_eq!(plan(&steps[..MAX_ROLES], None).unwrap().len(), MAX_ROLES);
        let err = plan(&steps, None).unwrap_err().to_string();
        assert!(
            err.contains(
                "profile `r32`: its source_profile chain has 33 roles; iam-mfa follows at most 32"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_duration_or_name_aws_would_refuse_is_refused_first() {
        for (text, want) in [
            ("899", "outside 900..=43200"),
            ("43201", "outside"),
            ("1h", "whole number"),
        ] {
            let err = plan(&[step("a", Some(text))], None)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(want) && err.contains("duration_seconds of profile `a`"),
                "{err}"
            );
        }
        assert!(
            plan(&[step("a", None)], Some(50_000))
                .unwrap_err()
                .to_string()
                .contains("--duration")
        );
        let mut bad = step("a", None);
        bad.role_arn = "arn:aws:iam::222222222222:user/alice".to_owned();
        assert!(matches!(plan(&[bad], None), Err(Error::InvalidRole { .. })));
        let mut bad = step("a", None);
        bad.session_name = Some("has space".to_owned());
        assert!(matches!(plan(&[bad], None), Err(Error::InvalidRole { .. })));
        let mut bad = step("a", None);
        bad.external_id = Some("x".to_owned());
        let err = plan(&[bad], None).unwrap_err().to_string();
        assert!(err.contains("external ID") && !err.contains("`x`"), "{err}");
    }

    #[test]
    fn each_role_of_a_path_and_each_mfa_identity_has_its_own_file() {
        let mfa = Key {
            partition: "aws".to_owned(),
            access_key_id: "AKIAEXAMPLE".to_owned(),
            serial: "arn:aws:iam::111111111111:mfa/alice".to_owned(),
        };
        let planned = plan(&[step("a", None), step("b", None)], None).unwrap();
        let mut named = planned[0].clone();
        named.step.session_name = Some("me".to_owned());
        let mut with_id = planned[0].clone();
        with_id.step.external_id = Some("xyz".to_owned());
        let other_key = Key {
            access_key_id: "AKIAOTHER".to_owned(),
            ..mfa.clone()
        };
        let names = [
            file_name(&mfa, &planned[..1]),
            file_name(&mfa, &planned),
            file_name(&mfa, std::slice::from_ref(&named)),
            file_name(&mfa, std::slice::from_ref(&with_id)),
            file_name(&other_key, &planned[..1]),
        ];
        for (i, a) in names.iter().enumerate() {
            assert!(a.starts_with(ROLE_PREFIX) && a.ends_with(".json"));
            for b in &names[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(
            names[0],
            file_name(&mfa, &plan(&[step("a", Some("1800"))], None).unwrap()),
            "the duration is not part of the key"
        );
    }

    #[test]
    fn access_denied_names_the_caller_and_the_usual_causes() {
        let detail = "AccessDenied: User: arn:aws:sts::111111111111:assumed-role/x/y is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/a";
        let text = access_denied(&step("a", None), "an MFA session", detail);
        assert!(text.contains("AWS denied `arn:aws:sts::111111111111:assumed-role/x/y` (signing with an MFA session)"), "{text}");
        assert!(text.contains("trust policy does not allow"));
        assert!(text.contains("aws:MultiFactorAuthPresent"));
        assert!(text.contains("which [profile a] does not set (add external_id)"));
        let mut with_id = step("a", None);
        with_id.external_id = Some("secret-id".to_owned());
        let text = access_denied(&with_id, "an MFA session", "AccessDenied: no user named");
        assert!(
            text.contains("AWS denied the caller") && text.contains("is not the one it requires")
        );
        assert!(!text.contains("secret-id"));
    }

    #[test]
    fn too_long_says_the_maximum_when_known() {
        let planned = plan(&[step("a", Some("7200"))], None).unwrap();
        let known = too_long(&planned[0], Some(3600));
        assert!(known.contains("7200 s (duration_seconds of [profile a]) is more than the role's maximum session duration, 3600 s (1h 00m); lower duration_seconds to at most 3600"), "{known}");
        let flag = plan(&[step("a", Some("3600"))], Some(43_200)).unwrap();
        let known = too_long(&flag[0], Some(7200));
        assert!(
            known.contains("43200 s (--duration)")
                && known.contains("lower --duration to at most 7200"),
            "{known}"
        );
        assert!(too_long(&flag[0], None).contains("lower --duration, or ask them"));
        let unknown = too_long(&planned[0], None);
        assert!(
            unknown.contains("cannot read") && unknown.contains("3600 s unless"),
            "{unknown}"
        );
    }
}
