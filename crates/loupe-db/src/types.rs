//! Which resource types and top-level properties a pack's checks may name:
//! the built-in catalog of CloudFormation and Terraform AWS types
//! (`loupe-catalog`), and the types a pack declares in `loupe.toml`.

use std::collections::{BTreeMap, BTreeSet};

use loupe_catalog::Catalog;

use crate::{Db, Pack, pack_manifest};

const UNKNOWN_HELP: &str = "declare it under `[types]` in loupe.toml if it is a custom resource or another provider's";

/// The types a pack declares (`[types]` in `loupe.toml`): custom resources,
/// other providers. `None` as properties means any property.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DeclaredTypes {
    pub types: BTreeMap<String, Option<BTreeSet<String>>>,
}

/// The pack's declared types, cut off from the rest of the manifest so that
/// editing a lint level re-checks no check.
#[salsa::tracked(returns(ref))]
pub fn pack_types(db: &dyn Db, pack: Pack) -> DeclaredTypes {
    pack_manifest(db, pack).types.clone()
}

impl DeclaredTypes {
    /// Why `ty` names no known type, with a did-you-mean; `None` when it is
    /// known, declared, or outside what the catalog covers.
    pub fn unknown_type(&self, ty: &str) -> Option<String> {
        let catalog = Catalog::builtin();
        let declared = || self.types.keys().map(String::as_str);
        let help = loupe_diagnostics::suggest::suggestion_help;
        if let Some(prefix) = ty.strip_suffix('*') {
            let known = declared().any(|known| known.starts_with(prefix)) || catalog.is_known(ty);
            return (!known).then(|| UNKNOWN_HELP.to_string());
        }
        if self.types.contains_key(ty) || catalog.knows_type(ty) {
            return None;
        }
        // Outside the catalog's namespaces, only a near miss of a declared type is reported.
        let near_declared = loupe_diagnostics::suggest::closest(ty, declared());
        if !catalog.covers(ty) {
            return near_declared.map(help);
        }
        Some(catalog.suggest_type(ty).or(near_declared).map_or_else(|| UNKNOWN_HELP.to_string(), help))
    }

    /// Whether resources of `ty` have the top-level property `prop`; `None`
    /// when it is not known (an undeclared or open type, a prefix).
    fn has_property(&self, ty: &str, prop: &str) -> Option<bool> {
        match self.types.get(ty) {
            Some(Some(properties)) => Some(properties.contains(prop)),
            Some(None) => None,
            None => Catalog::builtin().has_property(ty, prop),
        }
    }

    /// When no type of `types` has the property `prop` (every one of them is
    /// known not to), a help line with the closest property name.
    pub fn missing_property(&self, types: &[String], prop: &str) -> Option<String> {
        if types.is_empty() || !types.iter().all(|ty| self.has_property(ty, prop) == Some(false)) {
            return None;
        }
        let suggestion = types.iter().find_map(|ty| match self.types.get(ty) {
            Some(Some(properties)) => loupe_diagnostics::suggest::closest(prop, properties.iter().map(String::as_str)),
            _ => Catalog::builtin().suggest_property(ty, prop),
        });
        let declared = types.iter().find_map(|ty| self.types.get(ty).cloned().flatten().map(|props| (ty, props)));
        Some(match (suggestion, declared) {
            (Some(known), _) => loupe_diagnostics::suggest::suggestion_help(known),
            (None, Some((ty, props))) => format!(
                "loupe.toml declares {ty} with {}",
                props.iter().map(|prop| format!("`{prop}`")).collect::<Vec<_>>().join(", ")
            ),
            (None, None) => {
                "property names are as the type's schema spells them (CloudFormation PascalCase, Terraform snake_case)"
                    .to_string()
            }
        })
    }
}
