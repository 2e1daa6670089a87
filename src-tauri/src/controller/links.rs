//! Text helpers for URLs: filling the meeting-link template, reading `ringer://` deep links, and
//! checking a template.

/// The meeting link for a channel: `template` with `{channel}` replaced by the percent-encoded
/// channel id; `None` when no template is configured.
pub fn meeting_url(template: &str, channel: Option<&str>) -> Option<String> {
    let template = template.trim();
    if template.is_empty() {
        return None;
    }
    if !template.contains("{channel}") {
        return Some(template.to_owned());
    }
    let channel = channel?;
    Some(template.replace("{channel}", &percent_encode(channel)))
}

/// Checks a meeting-link template: empty, or an `http(s)://` URL without spaces.
pub fn check_template(template: &str) -> Result<(), String> {
    let template = template.trim();
    if template.is_empty() {
        return Ok(());
    }
    let rest = template
        .strip_prefix("https://")
        .or_else(|| template.strip_prefix("http://"))
        .ok_or("the meeting link must start with https:// or http://")?;
    if rest.is_empty() || rest.starts_with('/') || rest.starts_with('{') {
        return Err("the meeting link needs a host name".into());
    }
    if template
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("the meeting link must not contain spaces".into());
    }
    Ok(())
}

/// The uid of a `ringer://call/<uid>` link (percent-decoded), or why it is not one.
pub fn deep_link_uid(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("ringer://call/")
        .ok_or_else(|| format!("not a ringer://call/ link: {url}"))?;
    let uid = rest.trim_end_matches('/');
    let uid = uid.split(['?', '#']).next().unwrap_or_default();
    let uid = percent_decode(uid).ok_or_else(|| format!("bad escape in link: {url}"))?;
    if uid.is_empty() {
        return Err(format!("no uid in link: {url}"));
    }
    Ok(uid)
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_the_template_with_the_encoded_channel() {
        assert_eq!(
            meeting_url("https://meet.example.org/{channel}", Some("ringer-ab12")),
            Some("https://meet.example.org/ringer-ab12".into())
        );
        assert_eq!(
            meeting_url("https://meet.example.org/{channel}", Some("a b/c")),
            Some("https://meet.example.org/a%20b%2Fc".into())
        );
        assert_eq!(meeting_url("  ", Some("x")), None);
        assert_eq!(
            meeting_url("https://meet.example.org/{channel}", None),
            None
        );
        assert_eq!(
            meeting_url("https://meet.example.org/team", None),
            Some("https://meet.example.org/team".into())
        );
    }

    #[test]
    fn checks_templates() {
        assert!(check_template("").is_ok());
        assert!(check_template("https://meet.example.org/{channel}").is_ok());
        assert!(check_template("http://meet.local/{channel}").is_ok());
        assert!(check_template("javascript:alert(1)").is_err());
        assert!(check_template("file:///etc/passwd").is_err());
        assert!(check_template("https://").is_err());
        assert!(check_template("https://meet.example.org/a b").is_err());
    }

    #[test]
    fn reads_deep_links() {
        assert_eq!(deep_link_uid("ringer://call/alice"), Ok("alice".into()));
        assert_eq!(deep_link_uid("ringer://call/alice/"), Ok("alice".into()));
        assert_eq!(
            deep_link_uid("ringer://call/Ann%20Lee"),
            Ok("Ann Lee".into())
        );
        assert!(deep_link_uid("ringer://call/").is_err());
        assert!(deep_link_uid("ringer://hangup/alice").is_err());
        assert!(deep_link_uid("https://call/alice").is_err());
        assert!(deep_link_uid("ringer://call/%zz").is_err());
    }
}
