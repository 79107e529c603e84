//! No core dumps: a crash while long-term keys, session tokens or MFA codes are in memory must not
//! write them to disk (or hand them to a crash reporter).

/// Sets the soft `RLIMIT_CORE` to 0 (children inherit it, and may raise it again up to the hard
/// limit) and, on Linux, marks the process non-dumpable, which also covers crash handlers that
/// receive the dump through a pipe and keeps other processes of the user from reading its
/// memory. Call first thing in `main`, before any secret is read. Failures are ignored: neither
/// can fail for an unprivileged process lowering its own limits.
pub fn disable() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let Rlimit { maximum, .. } = getrlimit(Resource::Core);
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum,
            },
        );
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
}
