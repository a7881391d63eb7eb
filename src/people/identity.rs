//! Identity resolution: the match key that lets the hub recognise one person
//! known to several partners without keeping names in clear (DESIGN.md §3).

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;

/// Normalises a name for matching: Unicode-decomposed with accents removed,
/// lower-cased, and with spaces, hyphens, apostrophes and dots dropped, so
/// that "José María" and "jose-maria" compare equal.
pub fn normalize_name(name: &str) -> String {
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The match key of a person: HMAC-SHA256 (keyed with the configured secret)
/// over the normalised family name, given name and birth date, hex-encoded.
/// Without the secret the key reveals nothing about the person.
pub fn match_key(
    secret: &[u8],
    given_name: &str,
    family_name: &str,
    birth_date: NaiveDate,
) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
    };
    mac.update(normalize_name(family_name).as_bytes());
    mac.update(b"\x1f");
    mac.update(normalize_name(given_name).as_bytes());
    mac.update(b"\x1f");
    mac.update(birth_date.format("%Y-%m-%d").to_string().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_spaces_and_hyphens_do_not_matter() {
        assert_eq!(normalize_name("José  María"), normalize_name("jose-maria"));
        assert_eq!(normalize_name("O'Brien"), "obrien");
        let d = NaiveDate::from_ymd_opt(2007, 3, 9).unwrap();
        assert_eq!(
            match_key(b"k", "Ana Lucía", "Peña-Ruiz", d),
            match_key(b"k", "ana lucia", "PENA RUIZ", d)
        );
        assert_ne!(
            match_key(b"k", "Ana", "Pena", d),
            match_key(b"other", "Ana", "Pena", d)
        );
    }
}
