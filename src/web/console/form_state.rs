//! What a console form shows ([`FormState`]): its defaults on a first visit
//! and after a success, or — when the API refused it — everything the user
//! sent, with the refusal next to the field its `extensions.field` names
//! (`aria-invalid`, `aria-describedby`). The widgets ([`FormState::input`],
//! [`FormState::select`], …) render each labelled control from the state,
//! so a page cannot forget to keep a value or to mark a field invalid.

use maud::{Markup, html};

use super::forms::Fields;
use super::{Notice, Shown};

/// What a page's form shows: its defaults (a first visit, or after a
/// success), or the input of a refused submission with the refusal; and the
/// notice at the top of the page.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormState {
    notice: Option<Notice>,
    /// The submitted fields, kept because the API refused them.
    kept: Option<Fields>,
    /// The refusal; shown next to the field it names, if the form has it.
    error: Option<Shown>,
}

impl FormState {
    /// An empty form and no notice.
    pub fn blank() -> FormState {
        FormState::default()
    }

    /// An empty form under a success notice.
    pub fn done(text: &str) -> FormState {
        FormState {
            notice: Some(Notice::ok(text)),
            ..FormState::default()
        }
    }

    /// The refused `fields` kept, `error` at the top and next to its field.
    pub fn refused(fields: Fields, error: Shown) -> FormState {
        FormState {
            notice: Some(error.notice()),
            kept: Some(fields),
            error: Some(error),
        }
    }

    /// An empty form under this state's notice, for a page whose form is not
    /// the one that was sent (a button in a table row).
    pub fn notice_only(&self) -> FormState {
        FormState {
            notice: self.notice.clone(),
            ..FormState::default()
        }
    }

    /// The notice at the top of the page, if any.
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// The notice, or `fallback`'s when there is none (a page whose own
    /// query failed).
    pub fn or_notice(&self, fallback: impl FnOnce() -> Option<Notice>) -> Option<Notice> {
        self.notice.clone().or_else(fallback)
    }

    /// The value the user sent for `name`, as typed.
    fn value(&self, name: &str) -> Option<&str> {
        self.kept
            .iter()
            .flatten()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the checkbox `name` = `value` is checked: as sent, or
    /// `default` in an empty form.
    fn checked(&self, name: &str, value: &str, default: bool) -> bool {
        match &self.kept {
            Some(fields) => fields.iter().any(|(k, v)| k == name && v == value),
            None => default,
        }
    }

    /// The refusal's message when it names `name`.
    fn error_for(&self, name: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field.as_deref() == Some(name))
            .map(|e| e.message.as_str())
    }

    /// `aria-invalid` and `aria-describedby` of the control `name`.
    fn aria(&self, name: &str) -> (Option<&'static str>, Option<String>) {
        match self.error_for(name) {
            Some(_) => (Some("true"), Some(error_id(name))),
            None => (None, None),
        }
    }

    /// The refusal's message next to the control `name`, if it names it.
    fn message(&self, name: &str) -> Markup {
        html! {
            @if let Some(text) = self.error_for(name) {
                span.field-error id=(error_id(name)) { (text) }
            }
        }
    }

    /// A labelled input, empty in an empty form.
    pub fn input(&self, id: &str, label: &str, kind: &str, required: bool) -> Markup {
        self.input_or(id, label, kind, required, "")
    }

    /// A labelled input holding `default` in an empty form.
    pub fn input_or(
        &self,
        id: &str,
        label: &str,
        kind: &str,
        required: bool,
        default: &str,
    ) -> Markup {
        let value = match &self.kept {
            Some(_) => self.value(id).unwrap_or_default(),
            None => default,
        };
        let (invalid, described) = self.aria(id);
        html! {
            label for=(id) { (label) @if required { " (required)" } }
            input type=(kind) id=(id) name=(id) value=(value) required[required]
                aria-invalid=[invalid] aria-describedby=[described];
            (self.message(id))
        }
    }

    /// A labelled `<select>` of enum values (the first one in an empty form).
    pub fn select(&self, id: &str, label: &str, values: &[&str]) -> Markup {
        let options: Vec<(String, String)> = values
            .iter()
            .map(|v| ((*v).to_owned(), (*v).to_owned()))
            .collect();
        self.select_options(id, label, false, &options)
    }

    /// A labelled `<select>` of `(value, text)` options.
    pub fn select_options(
        &self,
        id: &str,
        label: &str,
        required: bool,
        options: &[(String, String)],
    ) -> Markup {
        let chosen = self.value(id);
        let (invalid, described) = self.aria(id);
        html! {
            label for=(id) { (label) @if required { " (required)" } }
            select id=(id) name=(id) required[required]
                aria-invalid=[invalid] aria-describedby=[described] {
                @for (value, text) in options {
                    option value=(value) selected[chosen == Some(value.as_str())] { (text) }
                }
            }
            (self.message(id))
        }
    }

    /// A labelled checkbox sending `name=true`, checked by `default` in an
    /// empty form.
    pub fn checkbox(&self, name: &str, label: &str, default: bool) -> Markup {
        let (invalid, described) = self.aria(name);
        html! {
            label {
                input type="checkbox" name=(name) value="true"
                    checked[self.checked(name, "true", default)]
                    aria-invalid=[invalid] aria-describedby=[described];
                " " (label)
            }
            (self.message(name))
        }
    }

    /// A fieldset of data-category checkboxes named `categories`.
    pub fn categories(&self, legend: &str) -> Markup {
        let (invalid, described) = self.aria("categories");
        html! {
            fieldset aria-describedby=[described] {
                legend { (legend) }
                @for c in CATEGORIES {
                    label {
                        input type="checkbox" name="categories" value=(c)
                            checked[self.checked("categories", c, false)]
                            aria-invalid=[invalid];
                        " " (c)
                    }
                }
                (self.message("categories"))
            }
        }
    }
}

/// The id of the message next to the control `name`.
fn error_id(name: &str) -> String {
    format!("{name}-error")
}

/// A labelled `<select>` of enum values with `selected` chosen (a filter of
/// a `GET` form, which keeps what was asked in its URL).
pub(crate) fn select(id: &str, label: &str, values: &[&str], selected: Option<&str>) -> Markup {
    html! {
        label for=(id) { (label) }
        select id=(id) name=(id) {
            @for v in values {
                option value=(v) selected[Some(*v) == selected] { (v) }
            }
        }
    }
}

/// The data categories of DESIGN.md section 4.
const CATEGORIES: &[&str] = &[
    "IDENTITY",
    "CONTACT",
    "DEMOGRAPHICS",
    "SENSITIVE",
    "ENROLLMENT",
    "PROGRESS",
    "CREDENTIALS",
    "MENTORSHIP",
    "EDUCATION_RECORDS",
    "SERVICES",
    "OUTCOMES",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(field: &str) -> FormState {
        FormState::refused(
            vec![
                ("csrf".into(), "x".into()),
                ("name".into(), "Dana \"D\" <W>".into()),
                ("kind".into(), "UNION".into()),
                ("categories".into(), "CONTACT".into()),
                ("categories".into(), "PROGRESS".into()),
            ],
            Shown {
                code: "BAD_USER_INPUT".into(),
                message: "is wrong".into(),
                field: Some(field.into()),
            },
        )
    }

    #[test]
    fn a_refused_form_keeps_what_was_typed_escaped() {
        let form = refused("other");
        let html = form.input("name", "Name", "text", true).into_string();
        assert!(
            html.contains(r#"value="Dana &quot;D&quot; &lt;W&gt;""#),
            "{html}"
        );
        assert!(!html.contains("aria-invalid"), "{html}");
        let html = form
            .select("kind", "Kind", &["EMPLOYER", "UNION"])
            .into_string();
        assert!(
            html.contains(r#"<option value="UNION" selected>"#),
            "{html}"
        );
        assert!(
            !html.contains(r#"<option value="EMPLOYER" selected>"#),
            "{html}"
        );
        let html = form.categories("Shared").into_string();
        assert_eq!(html.matches(" checked").count(), 2, "{html}");
        // A checkbox checked by default stays unchecked when it was sent so.
        assert!(
            !form
                .checkbox("active", "Active", true)
                .into_string()
                .contains("checked")
        );
    }

    #[test]
    fn the_refusal_sits_next_to_the_field_it_names() {
        let html = refused("name")
            .input("name", "Name", "text", true)
            .into_string();
        assert!(html.contains(r#"aria-invalid="true""#), "{html}");
        assert!(html.contains(r#"aria-describedby="name-error""#), "{html}");
        assert!(
            html.contains(r#"<span class="field-error" id="name-error">is wrong</span>"#),
            "{html}"
        );
        let html = refused("categories").categories("Shared").into_string();
        assert!(html.contains(r#"<fieldset aria-describedby="categories-error">"#));
        assert_eq!(
            html.matches(r#"aria-invalid="true""#).count(),
            CATEGORIES.len()
        );
    }

    #[test]
    fn an_empty_form_shows_its_defaults() {
        let form = FormState::done("Added.");
        assert!(
            form.checkbox("active", "Active", true)
                .into_string()
                .contains("checked")
        );
        let html = form
            .input_or("signedOn", "Signed on", "date", true, "2026-01-02")
            .into_string();
        assert!(html.contains(r#"value="2026-01-02""#), "{html}");
        assert!(
            refused("x")
                .notice_only()
                .input_or("signedOn", "Signed on", "date", true, "2026-01-02")
                .into_string()
                .contains("2026-01-02")
        );
    }
}
