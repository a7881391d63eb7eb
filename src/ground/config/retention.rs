//! `[retention]`: how many days after its last change the hub keeps a row
//! of a category, e.g. `SERVICES = 2555` (seven years). Categories left out
//! are kept. Profile categories (IDENTITY, CONTACT, DEMOGRAPHICS, SENSITIVE)
//! are not removed by age: a person leaves through `eraseParticipant`.

use std::collections::BTreeMap;

use entity::enums::Category;

/// Days kept, by category.
pub type RetentionConfig = BTreeMap<Category, u32>;

/// The categories `retention run` can remove rows of.
pub const RETAINABLE: &[Category] = &[
    Category::Enrollment,
    Category::Progress,
    Category::Credentials,
    Category::Mentorship,
    Category::EducationRecords,
    Category::Services,
    Category::Outcomes,
];

/// Checks the table; the error names the setting and why.
pub fn validate(retention: &RetentionConfig) -> Result<(), (String, String)> {
    for (category, days) in retention {
        let at = format!("retention.{}", category.as_str());
        if !RETAINABLE.contains(category) {
            return Err((
                at,
                "is a profile category: a person leaves through eraseParticipant".into(),
            ));
        }
        if *days == 0 {
            return Err((at, "must be at least 1 day".into()));
        }
    }
    Ok(())
}
