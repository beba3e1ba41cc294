//! Where the hub may send events. A listener's callback is a URL a client chose, and the
//! server POSTs to it: without limits that is a way to make the server reach what only it can
//! reach (cloud metadata, the loopback interface, the private network).
//!
//! The rules: `http` or `https` only, no credentials in the URL; never an unspecified,
//! multicast, broadcast, link-local or cloud-metadata address (169.254.169.254 and its
//! kin); loopback and private addresses only when the server allows them
//! ([`crate::ServerConfig::allow_private_callbacks`], off by default; the tests and a
//! developer's own listener need it). Literal addresses are checked when a listener is
//! registered and again before each delivery; host names are checked when they are resolved
//! for each delivery ([`GuardedResolver`]), so a name that later resolves elsewhere (DNS
//! rebinding) reaches nothing refused either. Redirects are never followed and no proxy is
//! used, so the checked address is the one connected to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

use crate::limits::MAX_CALLBACK_CHARS;

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Never reachable through the hub.
    Always(&'static str),
    /// Reachable only when private callbacks are allowed.
    Private(&'static str),
}

/// Metadata services of cloud providers outside the link-local range.
const METADATA_V4: [Ipv4Addr; 2] = [
    // Alibaba Cloud.
    Ipv4Addr::new(100, 100, 100, 200),
    // Oracle Cloud's second address.
    Ipv4Addr::new(192, 0, 0, 192),
];
/// AWS's IPv6 instance metadata service.
const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254);

fn classify_v4(ip: Ipv4Addr) -> Option<Refusal> {
    let [a, b, ..] = ip.octets();
    if METADATA_V4.contains(&ip) {
        return Some(Refusal::Always("a cloud metadata address"));
    }
    if ip.is_link_local() {
        return Some(Refusal::Always("a link-local address (cloud metadata lives there)"));
    }
    if a == 0 || ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        return Some(Refusal::Always("not a unicast host address"));
    }
    if ip.is_loopback() {
        return Some(Refusal::Private("a loopback address"));
    }
    // RFC 1918, shared address space (RFC 6598), IETF protocol assignments, benchmarking
    // and documentation ranges.
    if ip.is_private()
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0)
        || (a == 198 && (b == 18 || b == 19 || b == 51))
        || (a == 203 && b == 0)
    {
        return Some(Refusal::Private("a private address"));
    }
    None
}

fn classify_v6(ip: Ipv6Addr) -> Option<Refusal> {
    // Addresses that carry an IPv4 address are judged by it: mapped (::ffff:a.b.c.d),
    // compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
    let seg = ip.segments();
    let o = ip.octets();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    if ip.is_loopback() {
        return Some(Refusal::Private("a loopback address"));
    }
    if ip.is_unspecified() || ip.is_multicast() {
        return Some(Refusal::Always("not a unicast host address"));
    }
    if ip == METADATA_V6 {
        return Some(Refusal::Always("a cloud metadata address"));
    }
    if seg.first().is_some_and(|s| s & 0xffc0 == 0xfe80) {
        return Some(Refusal::Always("a link-local address (cloud metadata lives there)"));
    }
    let embedded = |a: usize| -> Option<Ipv4Addr> {
        let b: [u8; 4] = o.get(a..a.checked_add(4)?)?.try_into().ok()?;
        Some(Ipv4Addr::from(b))
    };
    let v4 = match seg {
        [0, 0, 0, 0, 0, 0, _, _] => embedded(12),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => embedded(12),
        [0x2002, ..] => embedded(2),
        _ => None,
    };
    if let Some(v4) = v4 {
        return classify_v4(v4);
    }
    // Unique local (fc00::/7) and the old site-local (fec0::/10).
    if seg.first().is_some_and(|s| s & 0xfe00 == 0xfc00 || s & 0xffc0 == 0xfec0) {
        return Some(Refusal::Private("a private address"));
    }
    None
}

/// Why `ip` may not receive events, if it may not.
pub fn classify(ip: IpAddr) -> Option<Refusal> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// Whether events may go to `ip`; `Err` says why not.
pub fn allowed(ip: IpAddr, allow_private: bool) -> Result<(), String> {
    match classify(ip) {
        None => Ok(()),
        Some(Refusal::Private(_)) if allow_private => Ok(()),
        Some(Refusal::Always(why)) => Err(format!("{ip} is {why}")),
        Some(Refusal::Private(why)) => {
            Err(format!("{ip} is {why}; this server does not send events to private networks"))
        }
    }
}

/// Checks a listener's callback; `Err` names the problem. Host names other than `localhost`
/// are checked when they are resolved, at each delivery.
pub fn check_url(text: &str, allow_private: bool) -> Result<Url, String> {
    if text.chars().count() > MAX_CALLBACK_CHARS {
        return Err(format!("at most {MAX_CALLBACK_CHARS} characters"));
    }
    let url = Url::parse(text).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("use an http or https URL, not {}:", url.scheme()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("no credentials in the URL".into());
    }
    match url.host() {
        None => return Err("the URL needs a host".into()),
        Some(url::Host::Ipv4(ip)) => allowed(IpAddr::V4(ip), allow_private)?,
        Some(url::Host::Ipv6(ip)) => allowed(IpAddr::V6(ip), allow_private)?,
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if !allow_private && (name == "localhost" || name.ends_with(".localhost")) {
                return Err(format!(
                    "{name} is a loopback address; this server does not send events to private networks"
                ));
            }
        }
    }
    Ok(url)
}

/// A resolver that leaves out every address events may not go to, so a delivery connects
/// only to an allowed one; a name with none left fails to resolve.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    /// Whether loopback and private addresses are allowed.
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match allowed(a.ip(), allow_private) {
                    Ok(()) => true,
                    Err(why) => {
                        refused = Some(why);
                        false
                    }
                })
                .collect();
            if kept.is_empty() {
                let why = refused.unwrap_or_else(|| "no address".into());
                return Err(format!("{host}: {why}").into());
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn metadata_and_link_local_are_always_refused() {
        for a in [
            "169.254.169.254",
            "169.254.170.2",
            "100.100.100.200",
            "192.0.0.192",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "0.0.0.0",
            "::",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(matches!(classify(ip(a)), Some(Refusal::Always(_))), "{a}");
            assert!(allowed(ip(a), true).is_err(), "{a} even with private allowed");
        }
    }

    #[test]
    fn private_needs_the_flag() {
        for a in [
            "127.0.0.1",
            "::1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "fd12::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(matches!(classify(ip(a)), Some(Refusal::Private(_))), "{a}");
            assert!(allowed(ip(a), false).is_err(), "{a}");
            assert_eq!(allowed(ip(a), true), Ok(()), "{a}");
        }
        for a in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"] {
            assert_eq!(classify(ip(a)), None, "{a}");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("https://listener.example/events", false).is_ok());
        assert!(check_url("ftp://listener.example/", true).is_err_and(|e| e.contains("http")));
        assert!(check_url("http://user:pw@listener.example/", true).is_err());
        assert!(check_url("http://169.254.169.254/latest/meta-data/", true).is_err());
        assert!(check_url("http://[fd00:ec2::254]/", true).is_err());
        assert!(check_url("http://127.0.0.1:9/", false).is_err());
        assert!(check_url("http://2130706433/", false).is_err(), "a decimal 127.0.0.1");
        assert!(check_url("http://localhost:9/", false).is_err());
        assert!(check_url("http://localhost:9/", true).is_ok());
        assert!(check_url("not a url", true).is_err());
        assert!(check_url(&format!("http://a.example/{}", "x".repeat(MAX_CALLBACK_CHARS)), true)
            .is_err());
    }

    #[tokio::test]
    async fn names_resolving_to_refused_addresses_do_not_resolve() {
        let refuse = GuardedResolver { allow_private: false };
        let name: Name = match "localhost".parse() {
            Ok(n) => n,
            Err(_) => panic!("a valid name"),
        };
        assert!(refuse.resolve(name).await.is_err());
        let allow = GuardedResolver { allow_private: true };
        let name: Name = match "localhost".parse() {
            Ok(n) => n,
            Err(_) => panic!("a valid name"),
        };
        let addrs: Vec<SocketAddr> = match allow.resolve(name).await {
            Ok(a) => a.collect(),
            Err(e) => panic!("localhost resolves: {e}"),
        };
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
