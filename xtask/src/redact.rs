//! Secrets stay out of `Debug`: every generated struct with a field that
//! holds a password, token or key prints `<redacted>` there instead.
//!
//! progenitor derives `Debug` on models, their builders and the request
//! builders alike, so a `{:?}` of an `AuthConfig`, of a login's answer or
//! of a pull about to be sent (its `X-Registry-Auth` header is the
//! credentials in base64) would print them into a log. Here such a struct
//! loses the derive and gets a hand-shaped `Debug` that prints every other
//! field as before.
//!
//! Which fields hold secrets is a list, by field name wherever it appears
//! and by type for names too common to match alone; a test in the tests
//! crate formats every one of them in every version module.

use syn::visit_mut::{self, VisitMut};
use syn::{Fields, Item, ItemStruct, parse_quote};

/// Field names that hold a secret in any struct.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "identity_token",
    "join_token",
    "unlock_key",
    "signing_ca_key",
    "x_registry_auth",
    "x_registry_config",
];

/// Fields whose names are secret only in one type (model or builder).
const SECRET_FIELDS_OF: &[(&str, &[&str])] = &[
    // The swarm's join tokens, as `GET /swarm` answers them.
    ("JoinTokens", &["worker", "manager"]),
    // A secret's payload, base64 in a create or update.
    ("SecretSpec", &["data"]),
];

/// Redacts every struct in `file` that holds a secret; returns how many.
pub fn redact(file: &mut syn::File) -> usize {
    let mut pass = Redact::default();
    pass.visit_file_mut(file);
    pass.redacted
}

#[derive(Default)]
struct Redact {
    redacted: usize,
}

impl VisitMut for Redact {
    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        visit_mut::visit_item_mod_mut(self, module);
        if let Some((_, items)) = &mut module.content {
            self.redact_items(items);
        }
    }

    fn visit_file_mut(&mut self, file: &mut syn::File) {
        visit_mut::visit_file_mut(self, file);
        self.redact_items(&mut file.items);
    }
}

impl Redact {
    /// Replaces the derived `Debug` of each struct in `items` that holds a
    /// secret with one that hides it.
    fn redact_items(&mut self, items: &mut Vec<Item>) {
        let mut impls = Vec::new();
        for item in items.iter_mut() {
            let Item::Struct(item) = item else { continue };
            if secret_fields(item).is_empty() || !drop_derive(item, "Debug") {
                continue;
            }
            impls.push(Item::Impl(redacted_debug(item)));
            self.redacted += 1;
        }
        items.extend(impls);
    }
}

/// The names of `item`'s fields that hold secrets.
fn secret_fields(item: &ItemStruct) -> Vec<String> {
    let name = item.ident.to_string();
    let of_type = SECRET_FIELDS_OF
        .iter()
        .find(|(type_name, _)| *type_name == name)
        .map_or(&[][..], |(_, fields)| fields);
    field_names(item)
        .into_iter()
        .filter(|field| SECRET_FIELDS.contains(&field.as_str()) || of_type.contains(&field.as_str()))
        .collect()
}

fn field_names(item: &ItemStruct) -> Vec<String> {
    match &item.fields {
        Fields::Named(fields) => fields
            .named
            .iter()
            .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// `impl Debug` printing every field of `item`, its secrets as
/// `<redacted>`.
fn redacted_debug(item: &ItemStruct) -> syn::ItemImpl {
    let name = &item.ident;
    let title = name.to_string();
    let secrets = secret_fields(item);
    let fields = field_names(item).into_iter().map(|field| {
        let ident = syn::Ident::new(&field, proc_macro2::Span::call_site());
        if secrets.contains(&field) {
            quote::quote!(.field(#field, &format_args!("<redacted>")))
        } else {
            quote::quote!(.field(#field, &self.#ident))
        }
    });
    let (impl_generics, type_generics, where_clause) = item.generics.split_for_impl();
    parse_quote! {
        impl #impl_generics ::std::fmt::Debug for #name #type_generics #where_clause {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#title) #(#fields)* .finish()
            }
        }
    }
}

/// Removes `name` from `item`'s derives (and a derive left empty); says
/// whether it was there.
fn drop_derive(item: &mut ItemStruct, name: &str) -> bool {
    let mut dropped = false;
    item.attrs.retain_mut(|attr| {
        if !attr.path().is_ident("derive") {
            return true;
        }
        let Ok(paths) =
            attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            return true;
        };
        let before = paths.len();
        let kept: Vec<syn::Path> = paths
            .into_iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != name))
            .collect();
        dropped |= kept.len() < before;
        *attr = parse_quote!(#[derive(#(#kept),*)]);
        !kept.is_empty()
    });
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = r#"
        pub mod types {
            #[derive(::serde::Deserialize, Clone, Debug, Default)]
            pub struct AuthConfig {
                pub password: ::std::option::Option<::std::string::String>,
                pub username: ::std::option::Option<::std::string::String>,
            }
            #[derive(Clone, Debug)]
            pub struct JoinTokens {
                pub manager: ::std::string::String,
            }
            #[derive(Clone, Debug)]
            pub struct Other {
                pub manager: ::std::string::String,
            }
        }
        pub mod builder {
            #[derive(Debug)]
            pub struct ImageCreate<'a> {
                client: &'a super::Client,
                x_registry_auth: Result<Option<::std::string::String>, String>,
            }
        }
    "#;

    #[test]
    fn hides_secret_fields_and_keeps_the_rest() {
        let mut file: syn::File = syn::parse_str(GENERATED).expect("parses");
        assert_eq!(redact(&mut file), 3, "AuthConfig, JoinTokens and ImageCreate");
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains(r#".field("password", &format_args!("<redacted>"))"#),
            "{text}"
        );
        assert!(text.contains(r#".field("username", &self.username)"#), "{text}");
        assert!(
            text.contains("impl<'a> ::std::fmt::Debug for ImageCreate<'a>"),
            "{text}"
        );
        // `manager` is a secret only in JoinTokens: Other keeps its derive.
        assert!(!text.contains("#[derive()]"), "an empty derive is left:\n{text}");
        assert_eq!(
            text.matches("Debug)]").count(),
            1,
            "only Other keeps its derive:\n{text}"
        );
    }
}
