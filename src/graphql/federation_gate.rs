//! Outside demo mode the subgraph's SDL (`_service { sdl }`) needs a
//! token (DESIGN.md section 11): with introspection off, the whole schema
//! should not be one anonymous request away. The gateway that composes the
//! hub sends one.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerError, ServerResult, Value};

use super::RequestContext;
use crate::ground::error::codes;

/// The schema extension that refuses `_service` without a token.
pub(crate) struct ServiceNeedsToken;

impl ExtensionFactory for ServiceNeedsToken {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ServiceNeedsToken)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ServiceNeedsToken {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type == "Query" && info.name == "_service" {
            let signed_in = ctx
                .data_opt::<RequestContext>()
                .is_some_and(|r| r.viewer.is_some());
            if !signed_in {
                let mut error = ServerError::new(
                    "the subgraph's SDL needs a bearer token outside demo mode",
                    None,
                );
                error.path = vec![async_graphql::PathSegment::Field("_service".into())];
                let mut extensions = async_graphql::ErrorExtensionValues::default();
                extensions.set("code", codes::UNAUTHENTICATED);
                error.extensions = Some(extensions);
                return Err(error);
            }
        }
        next.run(ctx, info).await
    }
}
