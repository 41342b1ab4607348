//! Filters for list, prune and events calls, converted as docker-py's
//! `convert_filters` does: every value becomes a list of strings, booleans
//! are `"true"`/`"false"`, and the whole map is sent as JSON.

use std::collections::BTreeMap;

/// A set of filters, such as `label=env=prod` or `dangling=true`.
///
/// Adding a key twice keeps both values: the engine matches either.
///
/// ```
/// use docker_sdk::Filters;
///
/// let filters = Filters::new().add("label", "env=prod").add("label", "team=web").add("dangling", true);
/// assert_eq!(filters.to_json(), r#"{"dangling":["true"],"label":["env=prod","team=web"]}"#);
///
/// let from_pairs: Filters = [("status", "exited")].into_iter().collect();
/// assert_eq!(from_pairs.to_json(), r#"{"status":["exited"]}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters(BTreeMap<String, Vec<String>>);

/// One filter value: a string, a number, a boolean, or a list of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterValue(Vec<String>);

impl Filters {
    /// No filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value` (or each of its values) under `key`.
    pub fn add(mut self, key: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        self.0.entry(key.into()).or_default().extend(value.into().0);
        self
    }

    /// These filters and `other`'s together.
    pub(crate) fn merge(self, other: Filters) -> Self {
        other
            .into_iter()
            .fold(self, |all, (key, values)| all.add(key, values))
    }

    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The filters as the engine takes them in `filters=`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".to_owned())
    }

    /// `None` for no filters, so that the query carries none.
    pub(crate) fn to_query(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.to_json())
    }
}

impl IntoIterator for Filters {
    type Item = (String, Vec<String>);
    type IntoIter = std::collections::btree_map::IntoIter<String, Vec<String>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<K: Into<String>, V: Into<FilterValue>> FromIterator<(K, V)> for Filters {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        pairs
            .into_iter()
            .fold(Filters::new(), |filters, (k, v)| filters.add(k, v))
    }
}

impl<K: Into<String>, V: Into<FilterValue>, const N: usize> From<[(K, V); N]> for Filters {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<FilterValue>> From<std::collections::HashMap<K, V>> for Filters {
    fn from(map: std::collections::HashMap<K, V>) -> Self {
        map.into_iter().collect()
    }
}

impl From<bool> for FilterValue {
    fn from(value: bool) -> Self {
        FilterValue(vec![if value { "true" } else { "false" }.to_owned()])
    }
}

impl From<&str> for FilterValue {
    fn from(value: &str) -> Self {
        FilterValue(vec![value.to_owned()])
    }
}

impl From<String> for FilterValue {
    fn from(value: String) -> Self {
        FilterValue(vec![value])
    }
}

impl From<&String> for FilterValue {
    fn from(value: &String) -> Self {
        FilterValue(vec![value.clone()])
    }
}

macro_rules! number_values {
    ($($t:ty),*) => {$(
        impl From<$t> for FilterValue {
            fn from(value: $t) -> Self {
                FilterValue(vec![value.to_string()])
            }
        }
    )*};
}
number_values!(i32, i64, u16, u32, u64, usize);

impl<T: Into<FilterValue>> From<Vec<T>> for FilterValue {
    fn from(values: Vec<T>) -> Self {
        FilterValue(values.into_iter().flat_map(|v| v.into().0).collect())
    }
}

impl<T: Into<FilterValue>, const N: usize> From<[T; N]> for FilterValue {
    fn from(values: [T; N]) -> Self {
        FilterValue(values.into_iter().flat_map(|v| v.into().0).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The meanings of docker-py's ConvertFiltersTest and its documented
    // behaviour: scalars become one-element lists, booleans are lowercase
    // words, lists stay lists, numbers become their decimal text.
    #[test]
    fn converts_like_docker_py() {
        let cases: Vec<(Filters, &str)> = vec![
            (Filters::new().add("dangling", true), r#"{"dangling":["true"]}"#),
            (Filters::new().add("dangling", false), r#"{"dangling":["false"]}"#),
            (Filters::new().add("exited", 0), r#"{"exited":["0"]}"#),
            (Filters::new().add("label", "a=b"), r#"{"label":["a=b"]}"#),
            (
                Filters::new().add("label", vec!["a=b", "c"]),
                r#"{"label":["a=b","c"]}"#,
            ),
            (
                Filters::new().add("label", ["a", "b"]).add("label", "c"),
                r#"{"label":["a","b","c"]}"#,
            ),
            (Filters::new().add("id", vec![1, 2]), r#"{"id":["1","2"]}"#),
            (Filters::new(), "{}"),
        ];
        for (filters, expected) in cases {
            assert_eq!(filters.to_json(), expected);
        }
    }

    #[test]
    fn empty_filters_send_nothing() {
        assert_eq!(Filters::new().to_query(), None);
        assert_eq!(
            Filters::from([("name", "web")]).to_query().as_deref(),
            Some(r#"{"name":["web"]}"#)
        );
    }
}
