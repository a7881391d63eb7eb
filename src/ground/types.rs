//! Input newtypes: values are parsed once at the edge, so the rest of the
//! hub never sees an unchecked slug, code, name or email.

use crate::ground::error::{Error, Result};

/// An organization slug: 2–63 of `a-z`, `0-9` and `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug given in input `field`.
    pub fn parse(value: &str, field: &str) -> Result<Slug> {
        let ok = (2..=63).contains(&value.len())
            && value.starts_with(|c: char| c.is_ascii_lowercase())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !value.ends_with('-');
        if ok {
            Ok(Slug(value.to_owned()))
        } else {
            Err(Error::bad_input(
                field,
                "must be 2-63 lowercase letters, digits or hyphens, starting with a letter",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A pathway code: 2–40 of `A-Z`, `0-9`, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code(String);

impl Code {
    /// Parses a code given in input `field`.
    pub fn parse(value: &str, field: &str) -> Result<Code> {
        let ok = (2..=40).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if ok {
            Ok(Code(value.to_owned()))
        } else {
            Err(Error::bad_input(
                field,
                "must be 2-40 uppercase letters, digits, '_' or '-'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trimmed, non-empty text of at most `max` characters, without control
/// characters.
pub fn text(value: &str, field: &str, max: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::bad_input(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(Error::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::bad_input(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// Like [`text`], for optional inputs; an empty string counts as absent.
pub fn optional_text(value: Option<&str>, field: &str, max: usize) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(v, field, max).map(Some),
    }
}

/// A plausible email address (one `@`, a dotted domain, no spaces), lower-cased domain.
pub fn email(value: &str, field: &str) -> Result<String> {
    let value = text(value, field, 254)?;
    let bad = || Error::bad_input(field, "must be an email address");
    let (local, domain) = value.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || value.contains(char::is_whitespace)
        || domain.contains('@')
    {
        return Err(bad());
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

/// A non-negative, finite number of hours or a percentage at most `max`.
pub fn amount(value: f64, field: &str, max: f64) -> Result<f64> {
    if value.is_finite() && (0.0..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::bad_input(
            field,
            format!("must be between 0 and {max}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_codes_and_emails() {
        assert!(Slug::parse("iatse-local-600", "slug").is_ok());
        for bad in ["", "A", "-x", "x-", "has space", "ñandu", "x"] {
            let err = Slug::parse(bad, "slug").unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{bad}");
        }
        assert!(Code::parse("POST_PRODUCTION", "code").is_ok());
        assert!(Code::parse("post", "code").is_err());
        assert_eq!(
            email("Mentor@Local600.ORG", "email").unwrap(),
            "Mentor@local600.org"
        );
        assert!(email("no-at-sign", "email").is_err());
        assert!(email("a@b", "email").is_err());
        assert!(text("  ", "name", 10).is_err());
        assert!(text("a\u{0}b", "name", 10).is_err());
        assert!(amount(f64::NAN, "hours", 10.0).is_err());
        assert!(amount(-1.0, "hours", 10.0).is_err());
    }
}
