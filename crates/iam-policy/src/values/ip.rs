//! `IpAddress`/`NotIpAddress` values: IPv4 or IPv6 CIDR blocks; a bare address is a single-host
//! block (/32 or /128) (R26).

use std::net::IpAddr;

use ipnet::IpNet;

/// Parses a CIDR block or a bare address.
pub(crate) fn parse_net(text: &str) -> Option<IpNet> {
    let t = text.trim();
    t.parse::<IpNet>()
        .ok()
        .or_else(|| t.parse::<IpAddr>().ok().map(IpNet::from))
}

/// Parses a request's address (a bare address; a CIDR is read as its address).
pub(crate) fn parse_addr(text: &str) -> Option<IpAddr> {
    let t = text.trim();
    t.parse::<IpAddr>()
        .ok()
        .or_else(|| t.parse::<IpNet>().ok().map(|n| n.addr()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_v6_and_bare() {
        let net = parse_net("203.0.113.0/24").unwrap();
        assert!(net.contains(&parse_addr("203.0.113.9").unwrap()));
        assert!(!net.contains(&parse_addr("203.0.114.9").unwrap()));
        let host = parse_net("203.0.113.7").unwrap();
        assert!(host.contains(&parse_addr("203.0.113.7").unwrap()));
        assert!(!host.contains(&parse_addr("203.0.113.8").unwrap()));
        let v6 = parse_net("2001:db8::/32").unwrap();
        assert!(v6.contains(&parse_addr("2001:db8::1").unwrap()));
        assert!(!v6.contains(&parse_addr("203.0.113.7").unwrap()));
        assert!(parse_net("300.1.1.1/8").is_none());
        assert!(parse_net("10.0.0.0/33").is_none());
    }
}
