//! `environment`, `labels`, `extra_hosts`, `sysctls` and `tmpfs`: maps and
//! lists of `key=value`-like strings.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{Refusal, check_refusal, ensure, text_of};
use crate::convert::{
    EnvVar, ExtraHost, Label, Sysctl, TmpfsMount, environment, extra_hosts, labels, sysctls, tmpfs,
};

#[derive(Clone, Debug)]
enum Input {
    /// Any variables, pairs and `NAME=value` entries mixed.
    Environment(Vec<EnvVar>),
    /// docker-py's map: names without `=`, values anything or `None`.
    EnvMap(BTreeMap<String, Option<String>>),
    Labels(Vec<Label>),
    /// Any extra hosts; then valid pairs, which read back as entries.
    ExtraHosts(Vec<ExtraHost>, Vec<(String, IpAddr)>),
    Sysctls(Vec<(String, String)>),
    Tmpfs(Vec<TmpfsMount>),
}

/// Keys and values with the separators these formats use.
fn word() -> impl Strategy<Value = String> {
    text_of("AZaz09_=:/ .[]\n", 10)
}

fn strategy() -> impl Strategy<Value = Input> {
    let var = prop_oneof![
        word().prop_map(EnvVar::Entry),
        (word(), prop::option::of(word())).prop_map(|(name, value)| EnvVar::Var(name, value)),
    ];
    let name = "[A-Za-z_][A-Za-z0-9_.-]{0,8}";
    let value = prop::option::of(prop_oneof![word(), any::<String>()]);
    let label = prop_oneof![
        word().prop_map(Label::Key),
        (word(), word()).prop_map(|(k, v)| Label::Pair(k, v)),
    ];
    let ip = prop_oneof![
        any::<u32>().prop_map(|n| IpAddr::V4(Ipv4Addr::from(n))),
        any::<u128>().prop_map(|n| IpAddr::V6(Ipv6Addr::from(n))),
    ];
    let host = prop_oneof![
        word().prop_map(ExtraHost::Entry),
        (
            word(),
            prop_oneof![word(), Just("host-gateway".to_owned()), Just("[::1]".to_owned())]
        )
            .prop_map(|(name, ip)| ExtraHost::Pair(name, ip)),
    ];
    let mount = prop_oneof![
        word().prop_map(TmpfsMount::Entry),
        (word(), word()).prop_map(|(path, options)| TmpfsMount::Pair(path, options)),
    ];
    prop_oneof![
        list(var).prop_map(Input::Environment),
        prop::collection::btree_map(name, value, 0..6).prop_map(Input::EnvMap),
        list(label).prop_map(Input::Labels),
        (list(host), list(("[a-z][a-z0-9.-]{0,10}", ip)))
            .prop_map(|(any, valid)| Input::ExtraHosts(any, valid)),
        list((word(), word())).prop_map(Input::Sysctls),
        list(mount).prop_map(Input::Tmpfs),
    ]
}

fn list<S: Strategy>(element: S) -> impl Strategy<Value = Vec<S::Value>> {
    prop::collection::vec(element, 0..5)
}

/// `Ok`, or the refusal named `argument`.
fn ok_or_refused<T>(result: crate::Result<T>, argument: &'static str) -> Result<Option<T>, TestCaseError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) => check_refusal(&error, Refusal::InvalidArgument(argument)).map(|()| None),
    }
}

fn property(input: Input) -> Result<(), TestCaseError> {
    match input {
        Input::Environment(vars) => {
            if let Some(entries) = ok_or_refused(environment(&vars), "environment")? {
                ensure!(entries.len() == vars.len(), "{vars:?} gave {entries:?}");
                for entry in &entries {
                    ensure!(
                        !entry.is_empty() && !entry.starts_with('='),
                        "{vars:?} gave an entry without a name: {entry:?}"
                    );
                }
            }
        }
        Input::EnvMap(map) => {
            let vars: Vec<EnvVar> = map
                .iter()
                .map(|(k, v)| EnvVar::Var(k.clone(), v.clone()))
                .collect();
            let entries =
                environment(&vars).map_err(|e| TestCaseError::fail(format!("{map:?} refused: {e}")))?;
            // As the engine reads `Env`: the name is up to the first `=`,
            // and a bare name has no value.
            let read_back: BTreeMap<String, Option<String>> = entries
                .iter()
                .map(|entry| match entry.split_once('=') {
                    Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                    None => (entry.clone(), None),
                })
                .collect();
            ensure!(
                read_back == map,
                "{map:?} became {entries:?}, which reads back as {read_back:?}"
            );
        }
        Input::Labels(given) => {
            if let Some(map) = ok_or_refused(labels(&given), "labels")? {
                let expected: HashMap<String, String> = given
                    .iter()
                    .map(|label| match label {
                        Label::Pair(k, v) => (k.clone(), v.clone()),
                        Label::Key(k) => (k.clone(), String::new()),
                    })
                    .collect();
                ensure!(map == expected, "{given:?} gave {map:?}");
            }
        }
        Input::ExtraHosts(any, valid) => {
            if let Some(entries) = ok_or_refused(extra_hosts(&any), "extra_hosts")? {
                // What was accepted is accepted again as a list of entries.
                let again: Vec<ExtraHost> = entries.iter().map(|e| ExtraHost::from(e.as_str())).collect();
                let reread = extra_hosts(&again);
                ensure!(
                    reread.as_ref().ok() == Some(&entries),
                    "{any:?} gave {entries:?}, which reads back as {reread:?}"
                );
            }
            let pairs: Vec<ExtraHost> = valid
                .iter()
                .map(|(name, ip)| ExtraHost::from((name.clone(), ip.to_string())))
                .collect();
            let entries =
                extra_hosts(&pairs).map_err(|e| TestCaseError::fail(format!("{valid:?} refused: {e}")))?;
            let mut expected: Vec<String> = valid.iter().map(|(name, ip)| format!("{name}:{ip}")).collect();
            expected.sort();
            ensure!(entries == expected, "{valid:?} gave {entries:?}");
        }
        Input::Sysctls(given) => {
            let given: Vec<Sysctl> = given.into_iter().map(Sysctl::from).collect();
            ok_or_refused(sysctls(&given), "sysctls")?;
        }
        Input::Tmpfs(given) => {
            if let Some(map) = ok_or_refused(tmpfs(&given), "tmpfs")? {
                ensure!(
                    map.keys().all(|path| path.starts_with('/')),
                    "{given:?} gave {map:?}"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn run() {
    super::run("env", strategy(), property);
}
