//! Open string enums: every generated string enum keeps values it does not
//! list.
//!
//! The swagger's enums are what one engine release knows. Engines add values
//! (a container state `"stopping"`, a new health status, an event type),
//! and other engines speaking the API (Podman) send their own. A closed
//! enum turns each such value into a decode error for the whole response,
//! so a container list fails over one container. Here every enum whose
//! variants are all plain (a unit variant per listed string) gains a last
//! variant `Other(String)`, marked `#[serde(untagged)]`: a listed value
//! decodes as before, any other string decodes into `Other` with its text,
//! and both serialise back to the text they came from.
//!
//! The generator's companions for such an enum change with it: `Display`
//! writes an `Other` value's text, and `FromStr` (with the `TryFrom`s that
//! call it) gives `Other` instead of an error. `Copy` goes, since a
//! `String` is not `Copy`.
//!
//! This works on progenitor's output as a syntax tree, before it is
//! formatted, so it is part of generation: `cargo xtask codegen --check`
//! sees it like any other setting.

use std::collections::HashMap;

use syn::visit_mut::{self, VisitMut};
use syn::{Arm, Expr, Fields, Ident, Item, ItemEnum, ItemImpl, Pat, parse_quote};

/// Opens every plain string enum in `file`; returns how many it opened.
pub fn open(file: &mut syn::File) -> usize {
    let mut pass = OpenEnums::default();
    pass.visit_file_mut(file);
    // Impls may come before or after their enum: a second walk fixes them
    // once every enum is known.
    pass.fixing_impls = true;
    pass.visit_file_mut(file);
    pass.opened.len()
}

#[derive(Default)]
struct OpenEnums {
    /// The opened enums, with the name of their catch-all variant.
    opened: HashMap<String, Ident>,
    fixing_impls: bool,
}

impl VisitMut for OpenEnums {
    fn visit_item_mut(&mut self, item: &mut Item) {
        match item {
            Item::Enum(item) if !self.fixing_impls => {
                if let Some(other) = open_enum(item) {
                    self.opened.insert(item.ident.to_string(), other);
                }
            }
            Item::Impl(item) if self.fixing_impls => self.fix_impl(item),
            _ => visit_mut::visit_item_mut(self, item),
        }
    }
}

impl OpenEnums {
    fn fix_impl(&self, item: &mut ItemImpl) {
        let Some(other) = self_type_name(item).and_then(|name| self.opened.get(&name)) else {
            return;
        };
        let Some((_, trait_path, _)) = &item.trait_ else {
            return;
        };
        let arm: Arm = match trait_path.segments.last().map(|s| s.ident.to_string()).as_deref() {
            // `match *self { … }`: the arm binds by reference.
            Some("Display") => parse_quote!(Self::#other(ref value) => f.write_str(value),),
            Some("FromStr") => parse_quote!(_ => Ok(Self::#other(value.to_owned())),),
            _ => return,
        };
        let mut fix = MatchArms { arm };
        fix.visit_item_impl_mut(item);
    }
}

/// Adds the catch-all variant to a plain string enum, or leaves any other
/// enum alone; returns the variant's name.
fn open_enum(item: &mut ItemEnum) -> Option<Ident> {
    let plain = !item.variants.is_empty()
        && item.variants.iter().all(|v| matches!(v.fields, Fields::Unit))
        && derives(item, "Deserialize");
    if !plain {
        return None;
    }
    let taken = |name: &str| item.variants.iter().any(|v| v.ident == name);
    let other: Ident = if taken("Other") {
        parse_quote!(Unlisted)
    } else {
        parse_quote!(Other)
    };
    item.variants.push(parse_quote! {
        /// A value this API version does not list, kept as the engine sent it.
        #[serde(untagged)]
        #other(::std::string::String)
    });
    drop_derive(item, "Copy");
    Some(other)
}

fn derives(item: &ItemEnum, name: &str) -> bool {
    item.attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                .is_ok_and(|paths| {
                    paths
                        .iter()
                        .any(|p| p.segments.last().is_some_and(|s| s.ident == name))
                })
        })
}

fn drop_derive(item: &mut ItemEnum, name: &str) {
    for attr in item.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) =
            attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let kept: Vec<syn::Path> = paths
            .into_iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != name))
            .collect();
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
}

fn self_type_name(item: &ItemImpl) -> Option<String> {
    match &*item.self_ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Puts `arm` into every `match` of one impl: for `Display` it is added;
/// for `FromStr` it replaces the wildcard arm that gave an error.
struct MatchArms {
    arm: Arm,
}

impl VisitMut for MatchArms {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::Match(m) = expr {
            let wildcard = m.arms.iter().position(|a| matches!(a.pat, Pat::Wild(_)));
            match (wildcard, matches!(self.arm.pat, Pat::Wild(_))) {
                (Some(index), true) => m.arms[index] = self.arm.clone(),
                (None, false) => m.arms.push(self.arm.clone()),
                _ => {}
            }
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = r#"
        pub mod types {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, PartialEq)]
            pub enum State {
                #[serde(rename = "running")]
                Running,
            }
            impl ::std::fmt::Display for State {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self {
                        Self::Running => f.write_str("running"),
                    }
                }
            }
            impl ::std::str::FromStr for State {
                type Err = ::std::string::String;
                fn from_str(value: &str) -> ::std::result::Result<Self, ::std::string::String> {
                    match value {
                        "running" => Ok(Self::Running),
                        _ => Err("invalid value".into()),
                    }
                }
            }
            #[derive(::serde::Deserialize, Clone, Debug)]
            pub enum Either {
                A(::std::string::String),
                B(i64),
            }
        }
    "#;

    #[test]
    fn opens_plain_string_enums_and_their_impls() {
        let mut file: syn::File = syn::parse_str(GENERATED).expect("parses");
        assert_eq!(open(&mut file), 1, "only State is a plain string enum");
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains("#[serde(untagged)]\n        Other(::std::string::String)"),
            "{text}"
        );
        assert!(!text.contains("Copy"), "{text}");
        assert!(
            text.contains("Self::Other(ref value) => f.write_str(value)"),
            "{text}"
        );
        assert!(text.contains("_ => Ok(Self::Other(value.to_owned()))"), "{text}");
        assert!(!text.contains("invalid value"), "{text}");
        assert!(text.contains("B(i64),\n"), "other enums stay: {text}");
    }
}
