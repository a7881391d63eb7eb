//! A small JSON path: `$`, `data.hours`, `$.student.courses[0].code`.
//! Enough to point at a field of a partner's answer; nothing clever.

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath(Vec<Step>);

impl JsonPath {
    /// Parses `$`, `a.b`, `$.a[2].b`; keys are non-empty and hold no `.[]`.
    pub(crate) fn parse(text: &str) -> Result<JsonPath, ()> {
        let text = text.trim();
        let rest = text.strip_prefix('$').unwrap_or(text);
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        let mut steps = Vec::new();
        if rest.is_empty() {
            return if text.starts_with('$') {
                Ok(JsonPath(steps))
            } else {
                Err(())
            };
        }
        for part in rest.split('.') {
            let (key, mut indexes) = match part.find('[') {
                Some(at) => (&part[..at], &part[at..]),
                None => (part, ""),
            };
            if key.is_empty() && indexes.is_empty() {
                return Err(());
            }
            if !key.is_empty() {
                steps.push(Step::Key(key.to_owned()));
            }
            while !indexes.is_empty() {
                let close = indexes.find(']').ok_or(())?;
                let n = indexes
                    .get(1..close)
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or(())?;
                steps.push(Step::Index(n));
                indexes = &indexes[close + 1..];
                if !(indexes.is_empty() || indexes.starts_with('[')) {
                    return Err(());
                }
            }
        }
        Ok(JsonPath(steps))
    }

    /// The value at this path, if any (JSON `null` counts as absent).
    pub fn get<'a>(&self, mut value: &'a Value) -> Option<&'a Value> {
        for step in &self.0 {
            value = match step {
                Step::Key(k) => value.get(k)?,
                Step::Index(i) => value.get(*i)?,
            };
        }
        (!value.is_null()).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_reach_nested_values() {
        let v = json!({"data": {"rows": [{"id": "a"}, {"id": "b"}]}});
        let p = JsonPath::parse("$.data.rows[1].id").unwrap();
        assert_eq!(p.get(&v), Some(&json!("b")));
        assert_eq!(
            JsonPath::parse("data.rows")
                .unwrap()
                .get(&v)
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(JsonPath::parse("$").unwrap().get(&v), Some(&v));
        assert_eq!(JsonPath::parse("data.nothing").unwrap().get(&v), None);
    }

    #[test]
    fn bad_paths_are_refused() {
        for bad in ["", "a..b", "a[x]", "a[1", ".", "a[1]b"] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
    }
}
