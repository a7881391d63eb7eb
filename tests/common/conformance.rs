//! Checks a GraphQL answer against the schema it claims to follow.
//!
//! [`Schema::parse`] reads the SDL once; [`check`] then walks one answer
//! (`{"data": ..., "errors": [...]}`) along the query's selections, the way
//! the spec's "Value Completion" builds it, and reports every place where the
//! answer could not have come from a conforming server: a null in a non-null
//! position, a wrong scalar, an unknown enum value, a selected key missing, a
//! key nobody selected. Each report starts with the response path, e.g.
//! `data.participants.edges[0].node.enrollments[1].ojtHours: null in a
//! non-null position (Float!)`.
//!
//! Whatever the query, the envelope is checked too ([`envelope::check`]):
//! every error has a message and a known `extensions.code`, and an answer
//! without data (`null` or absent) has errors.
//!
//! Only the parser is used: the query is not validated, the resolvers are not
//! known. Batches are the caller's business (one call per answer).
// In the project: `use async_graphql::parser as async_graphql_parser;`
use async_graphql::parser as async_graphql_parser;

use std::collections::{HashMap, HashSet};

use async_graphql_parser::Positioned;
use async_graphql_parser::types::{
    BaseType, Directive, ExecutableDocument, OperationDefinition, OperationType, Selection,
    SelectionSet, Type, TypeDefinition, TypeKind, TypeSystemDefinition,
};
use serde_json::{Map, Value as Json};

pub mod envelope;

/// The kind of a named type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    Input,
}

/// What the checker needs to know about one named type.
#[derive(Debug)]
struct TypeInfo {
    kind: Kind,
    /// Field name → declared type (objects and interfaces).
    fields: HashMap<String, Type>,
    /// Implemented interfaces (object), members (union) or values (enum).
    names: Vec<String>,
}

impl TypeInfo {
    fn new(kind: Kind) -> Self {
        TypeInfo {
            kind,
            fields: HashMap::new(),
            names: Vec::new(),
        }
    }
}

/// The schema, parsed once from SDL: every named type (with `extend`
/// definitions merged in) and the root operation types.
#[derive(Debug)]
pub struct Schema {
    types: HashMap<String, TypeInfo>,
    query: Option<String>,
    mutation: Option<String>,
    subscription: Option<String>,
}

impl Schema {
    /// Parses SDL: `type`, `interface`, `union`, `enum`, `input`, `scalar`,
    /// `extend …` (merged into the type, in either order), `implements A & B`,
    /// `schema { … }`; descriptions and directives are ignored. The built-in
    /// scalars need not be declared. Roots come from the `schema` definition
    /// when it names any, else from the types named `Query`, `Mutation` and
    /// `Subscription`.
    ///
    /// # Errors
    /// The parser's message when the SDL does not parse, or a message naming
    /// a type defined twice with different kinds (e.g. `type X` and `enum X`).
    pub fn parse(sdl: &str) -> Result<Schema, String> {
        let doc = async_graphql_parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut schema = Schema {
            types: ["Int", "Float", "String", "Boolean", "ID"]
                .into_iter()
                .map(|name| (name.to_string(), TypeInfo::new(Kind::Scalar)))
                .collect(),
            query: None,
            mutation: None,
            subscription: None,
        };
        let mut roots_declared = false;
        for definition in doc.definitions {
            match definition {
                TypeSystemDefinition::Schema(def) => {
                    let def = def.node;
                    for (slot, root) in [
                        (&mut schema.query, def.query),
                        (&mut schema.mutation, def.mutation),
                        (&mut schema.subscription, def.subscription),
                    ] {
                        let root = root.map(|name| name.node.to_string());
                        if root.is_some() {
                            roots_declared = true;
                            *slot = root;
                        }
                    }
                }
                TypeSystemDefinition::Type(def) => schema.add(def.node)?,
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        if !roots_declared {
            for (slot, name) in [
                (&mut schema.query, "Query"),
                (&mut schema.mutation, "Mutation"),
                (&mut schema.subscription, "Subscription"),
            ] {
                if schema.types.contains_key(name) {
                    *slot = Some(name.to_string());
                }
            }
        }
        Ok(schema)
    }

    /// Adds one definition, merging it into an earlier one of the same name.
    fn add(&mut self, def: TypeDefinition) -> Result<(), String> {
        let (kind, fields, names) = match def.kind {
            TypeKind::Scalar => (Kind::Scalar, Vec::new(), Vec::new()),
            TypeKind::Object(t) => (Kind::Object, t.fields, names(t.implements)),
            TypeKind::Interface(t) => (Kind::Interface, t.fields, Vec::new()),
            TypeKind::Union(t) => (Kind::Union, Vec::new(), names(t.members)),
            TypeKind::Enum(t) => (
                Kind::Enum,
                Vec::new(),
                names(t.values.into_iter().map(|v| v.node.value).collect()),
            ),
            TypeKind::InputObject(_) => (Kind::Input, Vec::new(), Vec::new()),
        };
        let name = def.name.node.to_string();
        let info = self
            .types
            .entry(name.clone())
            .or_insert_with(|| TypeInfo::new(kind));
        if info.kind != kind {
            return Err(format!(
                "type `{name}` is defined twice with different kinds"
            ));
        }
        info.fields.extend(
            fields
                .into_iter()
                .map(|f| (f.node.name.node.to_string(), f.node.ty.node)),
        );
        info.names.extend(names);
        Ok(())
    }

    /// Whether object type `object` is `condition`, implements it, or is a member of it.
    fn is_within(&self, object: &str, condition: &str) -> bool {
        let listed = |ty: &str, name: &str| {
            self.types
                .get(ty)
                .is_some_and(|t| t.names.iter().any(|n| n == name))
        };
        object == condition
            || match self.kind(condition) {
                Some(Kind::Interface) => {
                    self.kind(object) == Some(Kind::Object) && listed(object, condition)
                }
                Some(Kind::Union) => listed(condition, object),
                _ => false,
            }
    }

    /// Whether `name` is an object type that may appear where `ty` is expected.
    fn is_object_of(&self, name: &str, ty: &str) -> bool {
        self.kind(name) == Some(Kind::Object) && self.is_within(name, ty)
    }

    /// The declared type of field `field` on object or interface `ty`.
    fn field_type(&self, ty: &str, field: &str) -> Option<&Type> {
        self.types.get(ty)?.fields.get(field)
    }

    /// The kind of type `name`, if defined.
    fn kind(&self, name: &str) -> Option<Kind> {
        self.types.get(name).map(|t| t.kind)
    }
}

/// Checks one answer to `query` (run as `operation_name` with `variables`)
/// against `schema`, and returns every violation found, each starting with
/// its response path. An empty list means the answer conforms.
///
/// Always checks the envelope ([`envelope::check`]): errors' shape and
/// codes, and that a missing or null `data` comes with errors. When `data`
/// is present, not null and the query parses, also reports: an operation
/// that cannot be chosen; a value that is not what its field's type
/// completes to (nulls in non-null positions, non-lists, wrong built-in
/// scalars, unknown enum values, non-objects); a selected key that is
/// missing; a key that was not selected; a `__typename` that is not an
/// object type of the position; a selected field the schema does not
/// define.
pub fn check(
    schema: &Schema,
    query: &str,
    operation_name: Option<&str>,
    variables: &Json,
    answer: &Json,
) -> Vec<String> {
    let mut violations = envelope::check(answer);
    // A query that does not parse, or an answer without data (a request
    // refused before execution), has no data to walk.
    let Ok(doc) = async_graphql_parser::parse_query(query) else {
        return violations;
    };
    let Some(data) = answer.get("data").filter(|data| !data.is_null()) else {
        return violations;
    };
    violations.extend(check_data(schema, &doc, operation_name, variables, data));
    violations
}

/// The violations of present, non-null `data` (see [`check`]).
fn check_data(
    schema: &Schema,
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Json,
    data: &Json,
) -> Vec<String> {
    let operation = match pick_operation(doc, operation_name) {
        Ok(operation) => operation,
        Err(message) => return vec![format!("data: {message}, yet data is present")],
    };
    let root = match operation.ty {
        OperationType::Query => &schema.query,
        OperationType::Mutation => &schema.mutation,
        OperationType::Subscription => &schema.subscription,
    };
    let Some(root) = root else {
        return vec![format!(
            "data: the schema has no {} root type",
            operation.ty
        )];
    };
    // The operation's defaults, overridden by the variables actually sent.
    let mut values: HashMap<String, Json> = HashMap::new();
    for var in &operation.variable_definitions {
        if let Some(default) = &var.node.default_value
            && let Ok(json) = default.node.clone().into_json()
        {
            values.insert(var.node.name.node.to_string(), json);
        }
    }
    if let Some(sent) = variables.as_object() {
        values.extend(sent.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let mut checker = Checker {
        schema,
        doc,
        variables: values,
        violations: Vec::new(),
    };
    checker.check_object(root, &[&operation.selection_set.node], data, "data");
    checker.violations
}

/// The operation named `name`, or the only one (spec: GetOperation).
fn pick_operation<'d>(
    doc: &'d ExecutableDocument,
    name: Option<&str>,
) -> Result<&'d OperationDefinition, String> {
    match name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(op_name, _)| op_name.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| &op.node)
            .ok_or_else(|| format!("the query has no operation named `{name}`")),
        None => {
            let mut ops = doc.operations.iter();
            match (ops.next(), ops.next()) {
                (Some((_, op)), None) => Ok(&op.node),
                _ => Err(
                    "the query has several operations and no operation name was given".to_string(),
                ),
            }
        }
    }
}

/// One response key of an object, with every field selected under it.
struct Entry<'a> {
    key: &'a str,
    /// The sub-selections of every field merged under this key.
    sets: Vec<&'a SelectionSet>,
    /// The field's name (all merged fields share it in a valid query).
    name: &'a str,
    /// The type the field is looked up on: the runtime object type when
    /// known, else the type condition it was selected under.
    scope: &'a str,
    /// False when selected only under a type condition that may not match
    /// (runtime type unknown): then it is checked only if present.
    certain: bool,
}

/// The walk over one answer; collects violations as it goes.
struct Checker<'a> {
    schema: &'a Schema,
    doc: &'a ExecutableDocument,
    variables: HashMap<String, Json>,
    violations: Vec<String>,
}

impl<'a> Checker<'a> {
    fn report(&mut self, path: &str, message: impl std::fmt::Display) {
        self.violations.push(format!("{path}: {message}"));
    }

    /// Checks `value` completed as `ty` with the given sub-selections.
    fn check_value(&mut self, ty: &'a Type, sets: &[&'a SelectionSet], value: &Json, path: &str) {
        if value.is_null() {
            if !ty.nullable {
                self.report(path, format!("null in a non-null position ({ty})"));
            }
            return;
        }
        let name = match &ty.base {
            BaseType::List(item_ty) => {
                match value.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            self.check_value(item_ty, sets, item, &format!("{path}[{i}]"));
                        }
                    }
                    None => {
                        self.report(path, format!("expected a list ({ty}), got {}", show(value)))
                    }
                }
                return;
            }
            BaseType::Named(name) => name.as_str(),
        };
        let Some(info) = self.schema.types.get(name) else {
            self.report(path, format!("type {name} is not defined in the schema"));
            return;
        };
        match info.kind {
            Kind::Scalar => {
                let ok = match name {
                    "Int" => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
                    "Float" => value.is_number(),
                    "String" | "ID" => value.is_string(),
                    "Boolean" => value.is_boolean(),
                    _ => true, // custom scalar: any non-null JSON value
                };
                if !ok {
                    self.report(path, format!("expected {name} ({ty}), got {}", show(value)));
                }
            }
            Kind::Enum => {
                if !value
                    .as_str()
                    .is_some_and(|s| info.names.iter().any(|v| v == s))
                {
                    self.report(
                        path,
                        format!("{} is not a value of enum {name}", show(value)),
                    );
                }
            }
            Kind::Object | Kind::Interface | Kind::Union => {
                self.check_object(name, sets, value, path);
            }
            Kind::Input => self.report(path, format!("input type {name} in an output position")),
        }
    }

    /// Checks that `value` is an object holding exactly the fields collected
    /// from `sets` for its type, and checks each of them.
    fn check_object(
        &mut self,
        static_ty: &'a str,
        sets: &[&'a SelectionSet],
        value: &Json,
        path: &str,
    ) {
        let Some(object) = value.as_object() else {
            self.report(
                path,
                format!("expected an object ({static_ty}), got {}", show(value)),
            );
            return;
        };
        let runtime = self.runtime_type(static_ty, object);
        let mut collector = Collector {
            checker: self,
            static_ty,
            runtime,
            visited: HashSet::new(),
            entries: Vec::new(),
        };
        for set in sets {
            collector.collect(set, runtime.unwrap_or(static_ty), true);
        }
        let entries = collector.entries;
        for entry in &entries {
            let field_path = format!("{path}.{}", entry.key);
            match object.get(entry.key) {
                None if entry.certain => {
                    self.report(&field_path, "missing (selected, not in the answer)")
                }
                None => {}
                Some(field_value) => self.check_field(static_ty, entry, field_value, &field_path),
            }
        }
        for key in object.keys() {
            if !entries.iter().any(|entry| entry.key == key) {
                self.report(&format!("{path}.{key}"), "unexpected key (not selected)");
            }
        }
    }

    /// The object type of a value in a `static_ty` position: the type itself
    /// for an object type, else the value's `__typename` when it names an
    /// object type of that position; `None` when unknown.
    fn runtime_type(&self, static_ty: &'a str, object: &Map<String, Json>) -> Option<&'a str> {
        if self.schema.kind(static_ty) == Some(Kind::Object) {
            return Some(static_ty);
        }
        let typename = object.get("__typename")?.as_str()?;
        let (name, _) = self.schema.types.get_key_value(typename)?;
        self.schema
            .is_object_of(name, static_ty)
            .then_some(name.as_str())
    }

    /// Checks one present field's value.
    fn check_field(&mut self, static_ty: &str, entry: &Entry<'a>, value: &Json, path: &str) {
        match entry.name {
            "__typename" => match value.as_str() {
                Some(name) if self.schema.is_object_of(name, static_ty) => {}
                Some(_) => self.report(
                    path,
                    format!("{} is not an object type of {static_ty}", show(value)),
                ),
                None if value.is_null() => {
                    self.report(path, "null in a non-null position (String!)")
                }
                None => self.report(
                    path,
                    format!("expected a type name (String!), got {}", show(value)),
                ),
            },
            "__schema" | "__type" => {} // introspection: contents not checked
            name => match self.schema.field_type(entry.scope, name) {
                None => self.report(
                    path,
                    format!("field `{name}` is not defined on type {}", entry.scope),
                ),
                Some(ty) => self.check_value(ty, &entry.sets, value, path),
            },
        }
    }

    /// Whether `@skip`/`@include` keep a selection. An `if` that is not a
    /// boolean (e.g. a variable neither sent nor defaulted) keeps it.
    fn included(&self, directives: &[Positioned<Directive>]) -> bool {
        directives
            .iter()
            .all(|directive| match directive.node.name.node.as_str() {
                "skip" => self.condition(&directive.node) != Some(true),
                "include" => self.condition(&directive.node) != Some(false),
                _ => true,
            })
    }

    /// The boolean value of a directive's `if` argument, variables resolved.
    fn condition(&self, directive: &Directive) -> Option<bool> {
        let value = directive.get_argument("if")?.node.clone();
        let value = value
            .into_const_with(|var| {
                self.variables
                    .get(var.as_str())
                    .cloned()
                    .unwrap_or(Json::Null)
                    .try_into()
            })
            .ok()?;
        value.into_json().ok()?.as_bool()
    }
}

/// The spec's CollectFields for one object value.
struct Collector<'c, 'a> {
    checker: &'c Checker<'a>,
    /// The type the schema gives the value's position.
    static_ty: &'a str,
    /// The value's object type, when known; when not, fragments whose
    /// condition is not `static_ty` are collected as uncertain.
    runtime: Option<&'a str>,
    /// Fragments already spread (each is collected once).
    visited: HashSet<&'a str>,
    entries: Vec<Entry<'a>>,
}

impl<'a> Collector<'_, 'a> {
    /// Collects one selection set, merging fields by response key into
    /// `entries`; `scope` and `certain` are as in [`Entry`].
    fn collect(&mut self, set: &'a SelectionSet, scope: &'a str, certain: bool) {
        for selection in &set.items {
            if !self.checker.included(selection.node.directives()) {
                continue;
            }
            let (condition, sub_set) = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.as_str();
                    match self.entries.iter_mut().find(|entry| entry.key == key) {
                        Some(entry) => {
                            entry.sets.push(&field.selection_set.node);
                            if certain && !entry.certain {
                                entry.certain = true;
                                entry.scope = scope;
                            }
                        }
                        None => self.entries.push(Entry {
                            key,
                            sets: vec![&field.selection_set.node],
                            name: field.name.node.as_str(),
                            scope,
                            certain,
                        }),
                    }
                    continue;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if !self.visited.insert(name) {
                        continue;
                    }
                    let Some(fragment) = self.checker.doc.fragments.get(name) else {
                        continue;
                    };
                    (
                        Some(fragment.node.type_condition.node.on.node.as_str()),
                        &fragment.node.selection_set.node,
                    )
                }
                Selection::InlineFragment(inline) => (
                    inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str()),
                    &inline.node.selection_set.node,
                ),
            };
            match (condition, self.runtime) {
                (None, _) => self.collect(sub_set, scope, certain),
                (Some(condition), Some(object)) => {
                    if self.checker.schema.is_within(object, condition) {
                        self.collect(sub_set, scope, certain);
                    }
                }
                (Some(condition), None) => {
                    let certain = certain && condition == self.static_ty;
                    self.collect(sub_set, condition, certain);
                }
            }
        }
    }
}

/// The names in a list of positioned names (the `Name` type is not re-exported).
fn names<T: ToString>(list: Vec<Positioned<T>>) -> Vec<String> {
    list.into_iter().map(|name| name.node.to_string()).collect()
}

/// A JSON value for a message, cut to a readable length.
fn show(value: &Json) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
