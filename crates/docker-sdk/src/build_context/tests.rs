//! Tests of whole contexts: trees on disk, archives read back.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use tar::EntryType;

use super::*;

/// docker-py's `ExcludePathsTest` tree.
const DIRS: &[&str] = &[
    "foo",
    "foo/bar",
    "bar",
    "target",
    "target/subdir",
    "subdir",
    "subdir/target",
    "subdir/target/subdir",
    "subdir/subdir2",
    "subdir/subdir2/target",
    "subdir/subdir2/target/subdir",
];

const FILES: &[&str] = &[
    "Dockerfile",
    "Dockerfile.alt",
    ".dockerignore",
    "a.py",
    "a.go",
    "b.py",
    "cde.py",
    "foo/a.py",
    "foo/b.py",
    "foo/bar/a.py",
    "bar/a.py",
    "foo/Dockerfile3",
    "target/file.txt",
    "target/subdir/file.txt",
    "subdir/file.txt",
    "subdir/target/file.txt",
    "subdir/target/subdir/file.txt",
    "subdir/subdir2/file.txt",
    "subdir/subdir2/target/file.txt",
    "subdir/subdir2/target/subdir/file.txt",
];

fn make_tree(dirs: &[&str], files: &[&str]) -> tempfile::TempDir {
    let base = tempfile::tempdir().expect("temp dir");
    for dir in dirs {
        fs::create_dir_all(base.path().join(dir)).expect("dir");
    }
    for file in files {
        let path = base.path().join(file);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("dir");
        }
        fs::write(path, file.as_bytes()).expect("file");
    }
    base
}

fn names(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.to_string_lossy().into_owned()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// What a context keeps: all of the tree but some paths, or only some.
enum Kept {
    AllBut(&'static [&'static str]),
    Only(&'static [&'static str]),
}

#[test]
fn dockerignore_on_docker_pys_tree() {
    use Kept::*;
    // (patterns, dockerfile, what is kept): docker-py's ExcludePathsTest
    // cases, then more of the engine's rules on the same tree.
    let cases: &[(&[&str], Option<&str>, Kept)] = &[
        (&[""], None, AllBut(&[])),
        (&["*"], None, Only(&["Dockerfile", ".dockerignore"])),
        (&["Dockerfile", ".dockerignore"], None, AllBut(&[])),
        (
            &["*"],
            Some("Dockerfile.alt"),
            Only(&["Dockerfile.alt", ".dockerignore"]),
        ),
        (
            &["*"],
            Some("foo/Dockerfile3"),
            Only(&["foo/Dockerfile3", ".dockerignore"]),
        ),
        (
            &["*"],
            Some("./foo/Dockerfile3"),
            Only(&["foo/Dockerfile3", ".dockerignore"]),
        ),
        (
            &["foo/"],
            Some("foo/Dockerfile3"),
            AllBut(&["foo", "foo/a.py", "foo/b.py", "foo/bar", "foo/bar/a.py"]),
        ),
        (&["a.py"], None, AllBut(&["a.py"])),
        (&["./a.py"], None, AllBut(&["a.py"])),
        (&["a.py/"], None, AllBut(&["a.py"])),
        (&["*.py"], None, AllBut(&["a.py", "b.py", "cde.py"])),
        (&["*.py", "!b.py"], None, AllBut(&["a.py", "cde.py"])),
        (
            &["*.*", "!*.go"],
            None,
            AllBut(&["a.py", "b.py", "cde.py", "Dockerfile.alt"]),
        ),
        (&["a.*"], None, AllBut(&["a.py", "a.go"])),
        (&["?.py"], None, AllBut(&["a.py", "b.py"])),
        (&["foo/a.py"], None, AllBut(&["foo/a.py"])),
        (&["/foo/a.py"], None, AllBut(&["foo/a.py"])),
        (&["foo/whoops/../a.py"], None, AllBut(&["foo/a.py"])),
        (&["foo/*.py"], None, AllBut(&["foo/a.py", "foo/b.py"])),
        (&["*/a.py"], None, AllBut(&["foo/a.py", "bar/a.py"])),
        (&["*/*.py"], None, AllBut(&["foo/a.py", "foo/b.py", "bar/a.py"])),
        (
            &["foo"],
            None,
            AllBut(&[
                "foo",
                "foo/a.py",
                "foo/b.py",
                "foo/bar",
                "foo/bar/a.py",
                "foo/Dockerfile3",
            ]),
        ),
        (
            &["foo/"],
            None,
            AllBut(&[
                "foo",
                "foo/a.py",
                "foo/b.py",
                "foo/bar",
                "foo/bar/a.py",
                "foo/Dockerfile3",
            ]),
        ),
        (
            &["foo", "!foo/bar/a.py"],
            None,
            AllBut(&["foo/a.py", "foo/b.py", "foo", "foo/bar", "foo/Dockerfile3"]),
        ),
        (
            &["foo", "!foo/bar"],
            None,
            AllBut(&["foo/a.py", "foo/b.py", "foo", "foo/Dockerfile3"]),
        ),
        (
            &["foo", "!foo/*.py"],
            None,
            AllBut(&["foo/bar", "foo/bar/a.py", "foo", "foo/Dockerfile3"]),
        ),
        (&["foo/bar"], None, AllBut(&["foo/bar", "foo/bar/a.py"])),
        (&["foo/bar/"], None, AllBut(&["foo/bar", "foo/bar/a.py"])),
        (
            &["**/a.py"],
            None,
            AllBut(&["a.py", "foo/a.py", "foo/bar/a.py", "bar/a.py"]),
        ),
        (&["foo/**/bar"], None, AllBut(&["foo/bar", "foo/bar/a.py"])),
        (
            &["**/target/*/*"],
            None,
            AllBut(&[
                "target/subdir/file.txt",
                "subdir/target/subdir/file.txt",
                "subdir/subdir2/target/subdir/file.txt",
            ]),
        ),
        (
            &["subdir/**"],
            None,
            AllBut(&[
                "subdir/file.txt",
                "subdir/target/file.txt",
                "subdir/target/subdir/file.txt",
                "subdir/subdir2/file.txt",
                "subdir/subdir2/target/file.txt",
                "subdir/subdir2/target/subdir/file.txt",
                "subdir/target",
                "subdir/target/subdir",
                "subdir/subdir2",
                "subdir/subdir2/target",
                "subdir/subdir2/target/subdir",
            ]),
        ),
        (
            &["**", "!bar", "!foo/bar"],
            None,
            Only(&[
                "foo/bar",
                "foo/bar/a.py",
                "bar",
                "bar/a.py",
                "Dockerfile",
                ".dockerignore",
            ]),
        ),
        // More of the engine's rules.
        (
            &["foo", "!**/a.py"],
            None,
            AllBut(&["foo", "foo/b.py", "foo/bar", "foo/Dockerfile3"]),
        ),
        (&["foo", "!foo"], None, AllBut(&[])),
        (
            &["foo", "!foo/bar", "foo/bar/a.py"],
            None,
            AllBut(&["foo", "foo/a.py", "foo/b.py", "foo/Dockerfile3", "foo/bar/a.py"]),
        ),
        (&["foo/bar/a.py", "!foo/bar/a.py"], None, AllBut(&[])),
        (&["!a.py"], None, AllBut(&[])),
        (
            &["**", "!**/*.txt"],
            None,
            Only(&[
                "Dockerfile",
                ".dockerignore",
                "target/file.txt",
                "target/subdir/file.txt",
                "subdir/file.txt",
                "subdir/target/file.txt",
                "subdir/target/subdir/file.txt",
                "subdir/subdir2/file.txt",
                "subdir/subdir2/target/file.txt",
                "subdir/subdir2/target/subdir/file.txt",
            ]),
        ),
        (
            &["target"],
            None,
            AllBut(&[
                "target",
                "target/subdir",
                "target/file.txt",
                "target/subdir/file.txt",
            ]),
        ),
        (
            &["**/target"],
            None,
            AllBut(&[
                "target",
                "target/subdir",
                "target/file.txt",
                "target/subdir/file.txt",
                "subdir/target",
                "subdir/target/file.txt",
                "subdir/target/subdir",
                "subdir/target/subdir/file.txt",
                "subdir/subdir2/target",
                "subdir/subdir2/target/file.txt",
                "subdir/subdir2/target/subdir",
                "subdir/subdir2/target/subdir/file.txt",
            ]),
        ),
        (
            &["subdir/*/"],
            None,
            AllBut(&[
                "subdir/file.txt",
                "subdir/target",
                "subdir/target/file.txt",
                "subdir/target/subdir",
                "subdir/target/subdir/file.txt",
                "subdir/subdir2",
                "subdir/subdir2/file.txt",
                "subdir/subdir2/target",
                "subdir/subdir2/target/file.txt",
                "subdir/subdir2/target/subdir",
                "subdir/subdir2/target/subdir/file.txt",
            ]),
        ),
        (
            &["subdir/**/file.txt"],
            None,
            AllBut(&[
                "subdir/file.txt",
                "subdir/target/file.txt",
                "subdir/target/subdir/file.txt",
                "subdir/subdir2/file.txt",
                "subdir/subdir2/target/file.txt",
                "subdir/subdir2/target/subdir/file.txt",
            ]),
        ),
        (
            &["*", "!subdir/subdir2/target"],
            None,
            Only(&[
                "Dockerfile",
                ".dockerignore",
                "subdir/subdir2/target",
                "subdir/subdir2/target/file.txt",
                "subdir/subdir2/target/subdir",
                "subdir/subdir2/target/subdir/file.txt",
            ]),
        ),
        (&["# a comment", "a.py"], None, AllBut(&["a.py"])),
        (&[" # a pattern, not a comment"], None, AllBut(&[])),
        (&["[ab]*.py"], None, AllBut(&["a.py", "b.py"])),
        (&["[^a]*.py"], None, AllBut(&["b.py", "cde.py"])),
        (&["c?e.py"], None, AllBut(&["cde.py"])),
        (&["A.PY"], None, AllBut(&[])),
        (&["Dockerfile*"], Some("Dockerfile.alt"), AllBut(&["Dockerfile"])),
        (
            &["**/*.txt"],
            None,
            AllBut(&[
                "target/file.txt",
                "target/subdir/file.txt",
                "subdir/file.txt",
                "subdir/target/file.txt",
                "subdir/target/subdir/file.txt",
                "subdir/subdir2/file.txt",
                "subdir/subdir2/target/file.txt",
                "subdir/subdir2/target/subdir/file.txt",
            ]),
        ),
    ];
    let tree = make_tree(DIRS, FILES);
    let all: BTreeSet<String> = DIRS.iter().chain(FILES).map(|s| (*s).to_owned()).collect();
    for (patterns, dockerfile, kept) in cases {
        let paths = match dockerfile {
            None => included_paths(tree.path(), *patterns),
            Some(dockerfile) => {
                let options = ContextOptions::new()
                    .exclude(patterns.iter().copied())
                    .dockerfile(dockerfile);
                BuildContext::new(tree.path(), &options).and_then(|c| c.included_paths())
            }
        }
        .unwrap_or_else(|e| panic!("{patterns:?}: {e}"));
        let got = names(&paths);
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(got, sorted, "{patterns:?}: archive order is path order");
        let expected = match kept {
            AllBut(excluded) => all.difference(&set(excluded)).cloned().collect(),
            Only(only) => set(only),
        };
        assert_eq!(
            got.into_iter().collect::<BTreeSet<_>>(),
            expected,
            "{patterns:?} {dockerfile:?}"
        );
    }
}

#[test]
fn small_trees() {
    // (directories, files, patterns, kept): docker-py's cases on trees of
    // their own, where the engine and docker-py agree and where they do not.
    type Case = (
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    );
    let cases: &[Case] = &[
        (&[], &["a.py", "b.py"], &["/*", "!/*.py"], &["a.py", "b.py"]),
        (
            &[],
            &[
                "garbage.md",
                "trash.md",
                "README.md",
                "README-bis.md",
                "README-secret.md",
            ],
            &["*.md", "!README*.md", "README-secret.md"],
            &["README-bis.md", "README.md"],
        ),
        // docker-py keeps nothing here; the engine re-includes `a/b.py`.
        (&["a"], &["a/b.py"], &["*", "!*/b.py"], &["a/b.py"]),
        // docker-py excludes `a.py` for `../a.py`; Go's Clean keeps the
        // `..`, so the engine matches nothing.
        (
            &[],
            &["a.py", "b.py", "c.py"],
            &["../a.py", "/../b.py"],
            &["a.py", "c.py"],
        ),
        // Sorted by whole path, byte by byte.
        (
            &["a", "a/x"],
            &["a-b", "a.txt", "a/x/y", "a/z", "B"],
            &[],
            &["B", "a", "a-b", "a.txt", "a/x", "a/x/y", "a/z"],
        ),
    ];
    for (dirs, files, patterns, kept) in cases {
        let tree = make_tree(dirs, files);
        let paths = included_paths(tree.path(), *patterns).expect("valid");
        assert_eq!(names(&paths), *kept, "{patterns:?}");
    }
}

struct Member {
    name: String,
    kind: EntryType,
    link: Option<String>,
    data: Vec<u8>,
    mode: u32,
    mtime: u64,
    uid: u64,
}

fn members(archive: &[u8]) -> Vec<Member> {
    let mut archive = tar::Archive::new(archive);
    let mut members = Vec::new();
    for entry in archive.entries().expect("a tar") {
        let mut entry = entry.expect("an entry");
        let header = entry.header().clone();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("data");
        members.push(Member {
            name: entry.path().expect("a path").to_string_lossy().into_owned(),
            kind: header.entry_type(),
            link: entry
                .link_name()
                .expect("a link name")
                .map(|l| l.to_string_lossy().into_owned()),
            data,
            mode: header.mode().expect("a mode"),
            mtime: header.mtime().expect("an mtime"),
            uid: header.uid().expect("a uid"),
        });
    }
    members
}

fn archive(dir: &Path, options: &ContextOptions) -> Vec<u8> {
    let mut out = Vec::new();
    BuildContext::new(dir, options)
        .expect("a context")
        .write_to(&mut out)
        .expect("written");
    out
}

fn member_names(archive: &[u8]) -> Vec<String> {
    members(archive).into_iter().map(|m| m.name).collect()
}

#[test]
fn docker_pys_tar_with_excludes() {
    let tree = make_tree(
        &["foo", "foo/bar", "bar"],
        &[
            "Dockerfile",
            "Dockerfile.alt",
            ".dockerignore",
            "a.py",
            "a.go",
            "b.py",
            "cde.py",
            "foo/a.py",
            "foo/b.py",
            "foo/bar/a.py",
            "bar/a.py",
        ],
    );
    fs::write(
        tree.path().join(".dockerignore"),
        "*.py\n!b.py\n!a.go\nfoo\nDockerfile*\n.dockerignore\n",
    )
    .expect("written");
    let names = member_names(&archive(tree.path(), &ContextOptions::new()));
    assert_eq!(
        names,
        [".dockerignore", "Dockerfile", "a.go", "b.py", "bar/", "bar/a.py"]
    );
}

#[test]
fn entries_keep_their_kind_mode_and_time() {
    let tree = make_tree(&["bar", "empty"], &["Dockerfile", "foo", "script.sh"]);
    let root = tree.path();
    fs::set_permissions(root.join("script.sh"), fs::Permissions::from_mode(0o750)).expect("chmod");
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000);
    fs::File::options()
        .write(true)
        .open(root.join("foo"))
        .and_then(|f| f.set_modified(when))
        .expect("mtime");
    std::os::unix::fs::symlink("../foo", root.join("bar/foo")).expect("symlink");
    std::os::unix::fs::symlink("../missing", root.join("bar/broken")).expect("symlink");
    std::os::unix::fs::symlink(root.join("empty"), root.join("bar/dir-link")).expect("symlink");
    fs::hard_link(root.join("foo"), root.join("foo-again")).expect("hard link");
    let long = format!("{}/{}", "d".repeat(80), "f".repeat(80));
    fs::create_dir(root.join("d".repeat(80))).expect("dir");
    fs::write(root.join(&long), b"long").expect("file");
    let listener = std::os::unix::net::UnixListener::bind(root.join("test.sock")).expect("socket");

    let members = members(&archive(root, &ContextOptions::new()));
    let find = |name: &str| {
        members
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("{name} in the archive"))
    };
    // (name, kind, link target)
    let cases: &[(&str, EntryType, Option<&str>)] = &[
        ("bar/", EntryType::Directory, None),
        ("empty/", EntryType::Directory, None),
        ("bar/foo", EntryType::Symlink, Some("../foo")),
        ("bar/broken", EntryType::Symlink, Some("../missing")),
        ("foo", EntryType::Regular, None),
        ("foo-again", EntryType::Link, Some("foo")),
        ("script.sh", EntryType::Regular, None),
        (long.as_str(), EntryType::Regular, None),
    ];
    for (name, kind, link) in cases {
        let member = find(name);
        assert_eq!(member.kind, *kind, "{name}");
        assert_eq!(member.link.as_deref(), *link, "{name}");
    }
    let dir_link = find("bar/dir-link");
    assert_eq!(dir_link.kind, EntryType::Symlink);
    assert!(
        !members.iter().any(|m| m.name.starts_with("bar/dir-link/")),
        "links are not followed"
    );
    assert!(
        !members.iter().any(|m| m.name == "test.sock"),
        "sockets are left out"
    );
    assert_eq!(find("foo").data, b"foo");
    assert_eq!(find(&long).data, b"long");
    assert_eq!(find("script.sh").mode, 0o750);
    assert_eq!(find("foo").mtime, 1_500_000_000);
    let uid = fs::metadata(root.join("foo")).expect("stat").uid();
    assert_eq!(find("foo").uid, u64::from(uid));
    drop(listener);
}

#[test]
fn fifos_are_recorded_never_opened() {
    let tree = make_tree(&[], &["Dockerfile"]);
    let fifo = tree.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("no mkfifo here; skipped");
        return;
    }
    // Opening the FIFO would block forever: write on another thread and
    // give up after a while rather than hang the test run.
    let dir = tree.path().to_path_buf();
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || drop(done.send(archive(&dir, &ContextOptions::new()))));
    let bytes = result
        .recv_timeout(Duration::from_secs(30))
        .expect("archived without opening the FIFO");
    let members = members(&bytes);
    let pipe = members.iter().find(|m| m.name == "pipe").expect("the FIFO");
    assert_eq!(pipe.kind, EntryType::Fifo);
    assert!(pipe.data.is_empty());
}

#[test]
fn two_runs_give_the_same_bytes() {
    let tree = make_tree(DIRS, FILES);
    let options = ContextOptions::new().exclude(["*.py", "!b.py"]);
    let first = archive(tree.path(), &options);
    let second = archive(tree.path(), &options);
    assert!(first == second, "byte-identical archives");
    let outside = make_tree(&[], &["Dockerfile.other"]);
    let options = options.dockerfile(outside.path().join("Dockerfile.other"));
    assert!(archive(tree.path(), &options) == archive(tree.path(), &options));
}

#[test]
fn a_dockerfile_outside_the_context() {
    let tree = make_tree(&["src"], &["src/main.rs", ".dockerignore"]);
    fs::write(
        tree.path().join(".dockerignore"),
        "# comment\ntarget\n\n!target/keep\n",
    )
    .expect("written");
    let elsewhere = make_tree(&[], &["Dockerfile.build"]);
    fs::write(elsewhere.path().join("Dockerfile.build"), "FROM scratch\r\n").expect("written");
    let path = elsewhere.path().join("Dockerfile.build");

    let context =
        BuildContext::new(tree.path(), &ContextOptions::new().dockerfile(&path)).expect("a context");
    let name = context.dockerfile().to_owned();
    let hash = hex(&Sha256::digest(b"FROM scratch\r\n"));
    assert_eq!(name, format!(".dockerfile.{}", &hash[..40]));
    let mut out = Vec::new();
    let stats = context.write_to(&mut out).expect("written");
    let members = members(&out);
    let listed: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    // The directory's `.dockerignore` is replaced by the generated one,
    // which comes last with the Dockerfile.
    assert_eq!(listed, ["src/", "src/main.rs", ".dockerignore", name.as_str()]);
    assert_eq!(
        members[2].data,
        format!("target\n!target/keep\n{name}").into_bytes()
    );
    assert_eq!((members[2].mode, members[2].mtime, members[2].uid), (0o644, 0, 0));
    assert_eq!(members[3].data, b"FROM scratch\r\n");
    assert_eq!(stats.entries(), 4);
    assert_eq!(stats.tar_bytes(), out.len() as u64);

    // Without a `.dockerignore`, the generated one ignores itself too.
    fs::remove_file(tree.path().join(".dockerignore")).expect("removed");
    let out = archive(tree.path(), &ContextOptions::new().dockerfile(&path));
    let members = self::members(&out);
    assert_eq!(members[2].data, format!(".dockerignore\n{name}").into_bytes());

    // `..` that leaves the context is outside it too.
    let relative = Path::new("..")
        .join(elsewhere.path().file_name().expect("a name"))
        .join("Dockerfile.build");
    let nested = make_tree(&["ctx"], &[]);
    let moved = nested.path().join(elsewhere.path().file_name().expect("a name"));
    fs::create_dir(&moved).expect("dir");
    fs::copy(&path, moved.join("Dockerfile.build")).expect("copied");
    let context = BuildContext::new(
        nested.path().join("ctx"),
        &ContextOptions::new().dockerfile(relative),
    )
    .expect("a context");
    assert_eq!(context.dockerfile(), name);
}

#[test]
fn dockerfile_names_sent_to_the_engine() {
    let tree = make_tree(&["docker"], &["Dockerfile", "docker/Dockerfile.prod"]);
    let root = tree.path();
    // (dockerfile option, name for the engine)
    let cases: Vec<(Option<PathBuf>, &str)> = vec![
        (None, "Dockerfile"),
        (Some("Dockerfile".into()), "Dockerfile"),
        (Some("./docker/Dockerfile.prod".into()), "docker/Dockerfile.prod"),
        (
            Some("docker/../docker/Dockerfile.prod".into()),
            "docker/Dockerfile.prod",
        ),
        (
            Some(root.join("docker/Dockerfile.prod")),
            "docker/Dockerfile.prod",
        ),
    ];
    for (dockerfile, expected) in cases {
        let mut options = ContextOptions::new();
        if let Some(dockerfile) = &dockerfile {
            options = options.dockerfile(dockerfile);
        }
        let context = BuildContext::new(root, &options).expect("a context");
        assert_eq!(context.dockerfile(), expected, "{dockerfile:?}");
    }
    // The engine's fallback to a lowercase `dockerfile`.
    let lower = make_tree(&[], &["dockerfile"]);
    let context = BuildContext::new(lower.path(), &ContextOptions::new()).expect("a context");
    assert_eq!(context.dockerfile(), "dockerfile");
}

#[test]
fn bad_contexts_fail_before_streaming() {
    let tree = make_tree(&["sub"], &["Dockerfile", "file"]);
    let root = tree.path();
    let missing = root.join("nope");
    // (directory, options, docker-py argument, words of the reason)
    let cases: Vec<(PathBuf, ContextOptions, &str, &str)> = vec![
        (missing.clone(), ContextOptions::new(), "path", "nope"),
        (
            root.join("file"),
            ContextOptions::new(),
            "path",
            "not a directory",
        ),
        (
            root.join("sub"),
            ContextOptions::new(),
            "dockerfile",
            "no Dockerfile",
        ),
        (
            root.to_path_buf(),
            ContextOptions::new().dockerfile("Dockerfile.nope"),
            "dockerfile",
            "Dockerfile.nope",
        ),
        (
            root.to_path_buf(),
            ContextOptions::new().dockerfile("sub"),
            "dockerfile",
            "not a file",
        ),
        (
            root.to_path_buf(),
            ContextOptions::new().dockerfile("/nonexistent-docker-sdk-test/Dockerfile"),
            "dockerfile",
            "cannot read",
        ),
        (
            root.to_path_buf(),
            ContextOptions::new().exclude(["ok", "[bad"]),
            "dockerignore",
            "line 2",
        ),
    ];
    for (dir, options, argument, words) in cases {
        match context_stream(&dir, &options) {
            Ok(_) => panic!("{dir:?} {options:?} accepted"),
            Err(Error::InvalidArgument {
                argument: got,
                reason,
            }) => {
                assert_eq!(got, argument, "{reason}");
                assert!(reason.contains(words), "{reason}");
            }
            Err(other) => panic!("{other}"),
        }
    }
    fs::write(root.join(".dockerignore"), "fine\n\n!\n").expect("written");
    let error = BuildContext::new(root, &ContextOptions::new()).expect_err("a lone !");
    assert_eq!(
        error.to_string(),
        "invalid dockerignore: line 3: invalid pattern \"!\": a lone \"!\" is not a pattern"
    );
}

/// Whether this process ignores file permissions (root does).
fn permissions_are_ignored() -> bool {
    let probe = tempfile::NamedTempFile::new().expect("temp file");
    fs::set_permissions(probe.path(), fs::Permissions::from_mode(0o200)).expect("chmod");
    fs::File::open(probe.path()).is_ok()
}

async fn collect(mut stream: ContextStream) -> Result<Vec<u8>, std::io::Error> {
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

#[tokio::test]
async fn errors_met_while_walking_end_the_stream() {
    let tree = make_tree(&[], &["Dockerfile", "foo"]);
    if !permissions_are_ignored() {
        let path = tree.path().join("foo");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o222)).expect("chmod");
        let stream = context_stream(tree.path(), &ContextOptions::new()).expect("a stream");
        let error = collect(stream).await.expect_err("unreadable");
        assert!(error.to_string().contains(&*path.to_string_lossy()), "{error}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    // A context that vanishes once checked: the walk fails in the writer.
    let context = BuildContext::new(tree.path(), &ContextOptions::new()).expect("a context");
    let moved = tree.path().with_extension("moved");
    fs::rename(tree.path(), &moved).expect("moved");
    let error = collect(context.stream().expect("a stream"))
        .await
        .expect_err("gone");
    fs::rename(&moved, tree.path()).expect("moved back");
    assert!(
        error.to_string().contains(&*tree.path().to_string_lossy()),
        "{error}"
    );
}

#[test]
fn a_file_that_shrinks_is_an_error_naming_it() {
    let tree = make_tree(&[], &["short"]);
    let path = tree.path().join("short");
    let mut exact = archive::tests_support::exact(&path, 100);
    let mut data = Vec::new();
    let error = exact.read_to_end(&mut data).expect_err("shrank");
    assert!(
        error.to_string().contains("short") && error.to_string().contains("shrank"),
        "{error}"
    );
}

#[test]
fn the_stream_can_become_a_request_body() {
    fn body<S: futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + Sync + Unpin + 'static>() {}
    body::<ContextStream>();
}

#[tokio::test]
async fn the_stream_is_the_archive_and_is_counted() {
    let tree = make_tree(DIRS, FILES);
    let options = ContextOptions::new().exclude(["**/target"]);
    let expected = archive(tree.path(), &options);
    let stream = context_stream(tree.path(), &options).expect("a stream");
    assert_eq!(stream.dockerfile(), "Dockerfile");
    let stats = stream.stats();
    let streamed = collect(stream).await.expect("streamed");
    assert!(streamed == expected, "the stream is write_to's archive");
    assert_eq!(stats.tar_bytes(), expected.len() as u64);
    assert_eq!(stats.stream_bytes(), expected.len() as u64);
    assert_eq!(stats.entries(), member_names(&expected).len() as u64);
    assert!(stats.is_finished());

    // gzip: the same tar, compressed.
    let stream = context_stream(tree.path(), &options.gzip(true)).expect("a stream");
    assert!(stream.is_gzip());
    let stats = stream.stats();
    let gzipped = collect(stream).await.expect("streamed");
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(gzipped.as_slice())
        .read_to_end(&mut tar)
        .expect("gzip");
    assert!(tar == expected, "gunzipped, the same tar");
    assert_eq!(stats.stream_bytes(), gzipped.len() as u64);
    assert_eq!(stats.tar_bytes(), expected.len() as u64);
}

#[tokio::test]
async fn a_100_mb_context_streams_in_bounded_memory() {
    let tree = make_tree(&[], &["Dockerfile"]);
    let big = fs::File::create(tree.path().join("big")).expect("file");
    // Sparse: 100 MB to read, nothing to write.
    big.set_len(100 * 1024 * 1024).expect("size");
    drop(big);
    let mut stream = context_stream(tree.path(), &ContextOptions::new()).expect("a stream");
    let stats = stream.stats();
    // Let the writer run ahead until the channel is full.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let bound = ((CHANNEL_CAPACITY + 3) * CHUNK_SIZE) as u64;
    let (mut received, mut most_ahead, mut chunks) = (0u64, 0u64, 0u64);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("a chunk");
        // Written by the writer but not yet read here: the memory in use.
        most_ahead = most_ahead.max(stats.stream_bytes() - received);
        assert!(chunk.len() <= CHUNK_SIZE);
        received += chunk.len() as u64;
        chunks += 1;
        if chunks % 256 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    assert!(most_ahead <= bound, "{most_ahead} bytes ahead, bound {bound}");
    assert!(
        most_ahead >= (CHANNEL_CAPACITY * CHUNK_SIZE) as u64,
        "the writer did run ahead: {most_ahead}"
    );
    // Two headers, the data, two zero blocks, within the tar's padding.
    assert!(received > 100 * 1024 * 1024 && received < 100 * 1024 * 1024 + 16 * 1024);
    assert_eq!(stats.tar_bytes(), received);
    assert_eq!(stats.entries(), 2);
}

#[tokio::test]
async fn dropping_the_stream_stops_the_writer() {
    let tree = make_tree(&[], &["Dockerfile"]);
    let big = fs::File::create(tree.path().join("big")).expect("file");
    big.set_len(1024 * 1024 * 1024).expect("size");
    drop(big);
    let mut stream = context_stream(tree.path(), &ContextOptions::new()).expect("a stream");
    let stats = stream.stats();
    stream.next().await.expect("a chunk").expect("no error");
    drop(stream);
    let started = Instant::now();
    while !stats.is_finished() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the writer is still running"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        stats.tar_bytes() < 64 * 1024 * 1024,
        "stopped early: {}",
        stats.tar_bytes()
    );
}

#[test]
fn thousands_of_patterns_on_a_tree() {
    let tree = make_tree(DIRS, FILES);
    let mut lines = vec!["**/**/**/**/*"; 5000];
    lines.push("!**/*.txt");
    let options = ContextOptions::new().exclude(lines);
    let context = BuildContext::new(tree.path(), &options).expect("a context");
    let kept = names(&context.included_paths().expect("walked"));
    assert_eq!(kept.len(), 10, "{kept:?}");
    assert!(
        kept.iter()
            .all(|p| p.ends_with(".txt") || p == "Dockerfile" || p == ".dockerignore")
    );
}
