//! A partner's JSON records mapped into ours with the declared mapping
//! (JSON paths and value maps). A record that does not fit is refused with
//! a reason naming the setting, never with the record's content.

use chrono::NaiveDate;
use entity::enums::{DualEnrollmentStatus, HourKind, UnionMembershipStatus};
use serde_json::Value;
use uuid::Uuid;

use crate::ground::config::partners::{RecordKind, RecordMapping};
use crate::ground::json_path::JsonPath;

/// Hours from a partner's tracker (PROGRESS).
#[derive(Debug, Clone, PartialEq)]
pub struct HourLogRecord {
    pub external_id: String,
    pub kind: HourKind,
    pub worked_on: NaiveDate,
    pub hours: f64,
    pub approved: bool,
    /// The partner's id of the enrollment the hours belong to, if it says.
    pub enrollment_external_id: Option<String>,
}

/// A dual-enrollment course from a college's student system (EDUCATION_RECORDS).
#[derive(Debug, Clone, PartialEq)]
pub struct DualEnrollmentRecord {
    pub external_id: String,
    pub course_code: String,
    pub course_title: String,
    pub term: String,
    pub units_attempted: f64,
    pub units_earned: Option<f64>,
    pub grade: Option<String>,
    pub status: DualEnrollmentStatus,
    /// The high school's organization slug, if the partner names it.
    pub high_school_org: Option<String>,
}

/// A person's standing on a union local's roster (OUTCOMES).
#[derive(Debug, Clone, PartialEq)]
pub struct UnionMembershipRecord {
    pub external_id: String,
    /// The local, as the union names it (`IATSE Local 600`).
    pub union_local: String,
    pub status: UnionMembershipStatus,
    /// The craft or classification on the roster (`Camera Utility`).
    pub classification: Option<String>,
    /// The day the person joined (or applied), if the roster says.
    pub joined_on: Option<NaiveDate>,
}

/// One mapped record.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    HourLog(HourLogRecord),
    DualEnrollment(DualEnrollmentRecord),
    UnionMembership(UnionMembershipRecord),
}

/// A partner record about one participant, as the hub returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerRecord {
    /// The partner's name (the record's `source`).
    pub source: String,
    /// The partner organization: the record's owner.
    pub owner_org_id: Uuid,
    /// The hub id of the participant.
    pub participant_id: Uuid,
    pub record: Record,
}

/// A record of the answer mapped, with the partner's participant id.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub participant_external_id: String,
    pub record: Record,
}

struct Item<'a> {
    value: &'a Value,
    mapping: &'a RecordMapping,
    kind: RecordKind,
}

impl Item<'_> {
    fn at(&self, field: &str) -> Option<&Value> {
        let path = self.mapping.fields.get(field)?;
        JsonPath::parse(path).ok()?.get(self.value)
    }

    fn why(&self, field: &str, what: &str) -> String {
        format!("records.{}.fields.{field} {what}", self.kind.as_str())
    }

    fn text(&self, field: &str) -> Result<Option<String>, String> {
        match self.at(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(self.why(field, "is not a text value")),
        }
    }

    fn required_text(&self, field: &str) -> Result<String, String> {
        self.text(field)?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| self.why(field, "points at nothing"))
    }

    fn number(&self, field: &str) -> Result<Option<f64>, String> {
        match self.at(field) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.why(field, "is not a number")),
            Some(Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| self.why(field, "is not a number")),
            Some(_) => Err(self.why(field, "is not a number")),
        }
    }

    fn required_number(&self, field: &str) -> Result<f64, String> {
        self.number(field)?
            .filter(|n| n.is_finite())
            .ok_or_else(|| self.why(field, "points at nothing"))
    }

    fn date(&self, field: &str) -> Result<NaiveDate, String> {
        let text = self.required_text(field)?;
        let day = text.get(..10).unwrap_or(&text);
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map_err(|_| self.why(field, "is not a date (YYYY-MM-DD)"))
    }

    fn optional_date(&self, field: &str) -> Result<Option<NaiveDate>, String> {
        match self.text(field)? {
            Some(text) if !text.trim().is_empty() => self.date(field).map(Some),
            _ => Ok(None),
        }
    }

    fn flag(&self, field: &str) -> Result<bool, String> {
        match self.at(field) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" => Ok(true),
                "false" | "no" | "n" | "0" | "" => Ok(false),
                _ => Err(self.why(field, "is not a yes/no value")),
            },
            Some(_) => Err(self.why(field, "is not a yes/no value")),
        }
    }

    /// The partner's value through the value map, else taken as ours.
    fn enumerated<T>(&self, field: &str, parse: fn(&str) -> Option<T>) -> Result<T, String> {
        let theirs = self.required_text(field)?;
        let ours = self
            .mapping
            .values
            .get(field)
            .and_then(|map| map.get(&theirs))
            .map(String::as_str)
            .unwrap_or(theirs.as_str());
        parse(ours).ok_or_else(|| self.why(field, "has a value the value map does not name"))
    }
}

/// Maps one item of the answer.
pub fn map_item(
    kind: RecordKind,
    mapping: &RecordMapping,
    value: &Value,
) -> Result<Mapped, String> {
    let item = Item {
        value,
        mapping,
        kind,
    };
    let participant_external_id = item.required_text("participant")?;
    let external_id = item.required_text("external_id")?;
    let record = match kind {
        RecordKind::HourLogs => Record::HourLog(HourLogRecord {
            external_id,
            kind: item.enumerated("kind", HourKind::parse)?,
            worked_on: item.date("worked_on")?,
            hours: item.required_number("hours")?,
            approved: item.flag("approved")?,
            enrollment_external_id: item.text("enrollment_external_id")?,
        }),
        RecordKind::DualEnrollments => Record::DualEnrollment(DualEnrollmentRecord {
            external_id,
            course_code: item.required_text("course_code")?,
            course_title: item.required_text("course_title")?,
            term: item.required_text("term")?,
            units_attempted: item.required_number("units_attempted")?,
            units_earned: item.number("units_earned")?,
            grade: item.text("grade")?,
            status: item.enumerated("status", DualEnrollmentStatus::parse)?,
            high_school_org: item.text("high_school_org")?,
        }),
        RecordKind::UnionMemberships => Record::UnionMembership(UnionMembershipRecord {
            external_id,
            union_local: item.required_text("union_local")?,
            status: item.enumerated("status", UnionMembershipStatus::parse)?,
            classification: item.text("classification")?,
            joined_on: item.optional_date("joined_on")?,
        }),
    };
    Ok(Mapped {
        participant_external_id,
        record,
    })
}

/// The answer's list of records, mapped; an answer without the list at
/// `items` does not fit the mapping at all (`Err`). Each record that does
/// not fit is returned as `Err(reason)` in its place.
pub fn map_answer(
    kind: RecordKind,
    mapping: &RecordMapping,
    answer: &Value,
) -> Result<Vec<Result<Mapped, String>>, String> {
    let items = JsonPath::parse(&mapping.items)
        .ok()
        .and_then(|p| p.get(answer))
        .and_then(Value::as_array)
        .ok_or_else(|| format!("records.{}.items points at no list", kind.as_str()))?;
    Ok(items
        .iter()
        .map(|value| map_item(kind, mapping, value))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping() -> RecordMapping {
        let toml = r#"
            path = "/hours"
            items = "data.hours"
            [fields]
            participant = "apprentice.id"
            external_id = "id"
            kind = "type"
            worked_on = "date"
            hours = "hrs"
            approved = "ok"
            [values.kind]
            "On the job" = "OJT"
        "#;
        toml_from(toml)
    }

    fn toml_from(text: &str) -> RecordMapping {
        use figment::providers::{Format, Toml};
        figment::Figment::new()
            .merge(Toml::string(text))
            .extract()
            .unwrap()
    }

    #[test]
    fn an_answer_maps_through_paths_and_value_maps() {
        let answer = json!({"data": {"hours": [
            {"id": 7, "apprentice": {"id": "A-1"}, "type": "On the job", "date": "2026-03-02T00:00:00Z", "hrs": "6.5", "ok": true},
            {"id": 8, "apprentice": {"id": "A-1"}, "type": "Lunch", "date": "2026-03-02", "hrs": 1}
        ]}});
        let mapped = map_answer(RecordKind::HourLogs, &mapping(), &answer).unwrap();
        let first = mapped[0].as_ref().unwrap();
        assert_eq!(first.participant_external_id, "A-1");
        let Record::HourLog(h) = &first.record else {
            panic!()
        };
        assert_eq!(
            (h.kind, h.hours, h.approved, h.external_id.as_str()),
            (HourKind::Ojt, 6.5, true, "7")
        );
        assert!(mapped[1].as_ref().unwrap_err().contains("fields.kind"));
    }

    #[test]
    fn an_answer_without_the_list_does_not_fit() {
        let err = map_answer(RecordKind::HourLogs, &mapping(), &json!({"hours": []})).unwrap_err();
        assert!(err.contains("records.hour_logs.items"), "{err}");
    }
}
