//! Cross-cutting request handling, hung on progenitor's `ClientHooks` (the
//! `impl` for each version's `Client` is in `lib.rs`).

/// `/_ping` is sent without the version prefix, as the docker CLI sends it:
/// the engine refuses a prefix above its own version on every path, `/_ping`
/// included, and ping is how a client learns that version.
pub(crate) fn unversion_ping(request: &mut reqwest::Request, operation_id: &str, version: &str) {
    if operation_id != "system_ping" && operation_id != "system_ping_head" {
        return;
    }
    let url = request.url_mut();
    let versioned = format!("/v{version}/_ping");
    if let Some(base) = url.path().strip_suffix(&versioned) {
        let path = format!("{base}/_ping");
        url.set_path(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping(url: &str, operation_id: &str) -> String {
        let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
        unversion_ping(&mut request, operation_id, "1.44");
        request.url().to_string()
    }

    #[test]
    fn ping_drops_the_version_prefix() {
        assert_eq!(
            ping("http://localhost/v1.44/_ping", "system_ping"),
            "http://localhost/_ping"
        );
        assert_eq!(
            ping("http://h:2375/proxy/v1.44/_ping", "system_ping_head"),
            "http://h:2375/proxy/_ping"
        );
    }

    #[test]
    fn other_operations_keep_it() {
        assert_eq!(
            ping("http://localhost/v1.44/info", "system_info"),
            "http://localhost/v1.44/info"
        );
    }
}
