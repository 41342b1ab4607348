//! A private registry (Debian's `docker-registry`) for pull, push and login
//! tests: on a free 127.0.0.1 port over plain HTTP, which the engines here
//! accept without any daemon change (they treat 127.0.0.0/8 as insecure
//! registries); or, for the TLS tests, over HTTPS at a cluster node's
//! address inside its network namespace, where no such exception applies
//! and the daemon must trust the registry's CA ([`CaTrust`]).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::daemon::{DaemonTls, free_port};
use crate::{BoxError, unique_name};

/// How to start a [`LocalRegistry`]; the default is plain HTTP on
/// 127.0.0.1 with no auth.
#[derive(Clone, Debug, Default)]
pub struct RegistryOptions {
    /// htpasswd basic auth with this user and password on every request.
    pub credentials: Option<(String, String)>,
    /// Serve HTTPS with this certificate (its `ca` is what clients trust).
    pub tls: Option<DaemonTls>,
    /// Listen on this address (port 5000) inside this network namespace:
    /// `(namespace, address)`, as a [`crate::cluster::ClusterNode`] has.
    pub netns: Option<(String, String)>,
}

/// A running registry; dropping it stops it and removes its storage.
#[derive(Debug)]
pub struct LocalRegistry {
    dir: PathBuf,
    child: Child,
    host: String,
    netns: Option<String>,
    ca: Option<PathBuf>,
    /// Its port.
    pub port: u16,
}

/// `program`, run inside `netns` when there is one.
fn command_in(netns: Option<&str>, program: &str) -> Command {
    match netns {
        Some(netns) => {
            let mut command = Command::new("nsenter");
            command.arg(format!("--net=/var/run/netns/{netns}")).arg(program);
            command
        }
        None => Command::new(program),
    }
}

impl LocalRegistry {
    /// Starts a plain-HTTP registry on 127.0.0.1; with `credentials`, every
    /// request needs them.
    pub fn start(credentials: Option<(&str, &str)>) -> Result<Self, BoxError> {
        Self::start_with(RegistryOptions {
            credentials: credentials.map(|(user, password)| (user.to_owned(), password.to_owned())),
            ..RegistryOptions::default()
        })
    }

    /// Starts a registry as `options` say.
    pub fn start_with(options: RegistryOptions) -> Result<Self, BoxError> {
        let dir = std::env::temp_dir().join(unique_name("docker-sdk-registry"));
        std::fs::create_dir_all(dir.join("data"))?;
        let (netns, host, port) = match options.netns {
            // A fresh namespace: nothing else listens there.
            Some((netns, address)) => (Some(netns), address, 5000),
            None => (None, "127.0.0.1".to_owned(), free_port()?),
        };
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {host}:{port}\n",
            dir.join("data").display()
        );
        if let Some(tls) = &options.tls {
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                tls.cert.display(),
                tls.key.display()
            ));
        }
        if let Some((user, password)) = &options.credentials {
            let htpasswd = Command::new("htpasswd").args(["-Bbn", user, password]).output()?;
            if !htpasswd.status.success() {
                return Err(format!("htpasswd failed: {}", String::from_utf8_lossy(&htpasswd.stderr)).into());
            }
            std::fs::write(dir.join("htpasswd"), &htpasswd.stdout)?;
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: docker-sdk-test\n    path: {}\n",
                dir.join("htpasswd").display()
            ));
        }
        let config_path = dir.join("config.yml");
        std::fs::write(&config_path, config)?;
        let child = command_in(netns.as_deref(), "docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("registry.log"))?)
            .spawn()
            .map_err(|e| format!("docker-registry: {e} (install Debian's docker-registry)"))?;
        let mut registry = LocalRegistry {
            dir,
            child,
            host,
            netns,
            ca: options.tls.map(|tls| tls.ca),
            port,
        };
        registry.wait_until_ready(Duration::from_secs(30))?;
        Ok(registry)
    }

    /// `HOST:PORT`, the registry part of its image names.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Makes every daemon on this machine trust the registry's CA, until
    /// the guard is dropped. Daemons read registry CAs only from
    /// `/etc/docker/certs.d/HOST:PORT/` (there is no flag for another
    /// directory), so this is a machine-wide file, named by this registry's
    /// own address and removed with the guard.
    pub fn trust_ca(&self) -> Result<CaTrust, BoxError> {
        let ca = self.ca.as_ref().ok_or("the registry serves no TLS")?;
        CaTrust::install(&self.address(), ca)
    }

    fn wait_until_ready(&mut self, limit: Duration) -> Result<(), BoxError> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait()? {
                let log = std::fs::read_to_string(self.dir.join("registry.log")).unwrap_or_default();
                return Err(format!("docker-registry exited ({status}): {log}").into());
            }
            // 200 without auth, 401 with: either way it answers.
            let mut curl = command_in(self.netns.as_deref(), "curl");
            curl.args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2"]);
            let scheme = match &self.ca {
                Some(ca) => {
                    curl.arg("--cacert").arg(ca);
                    "https"
                }
                None => "http",
            };
            let answer = curl.arg(format!("{scheme}://{}/v2/", self.address())).output();
            if answer.is_ok_and(|o| o.stdout == b"200" || o.stdout == b"401") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("docker-registry did not answer within {limit:?}").into())
    }
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A registry CA in `/etc/docker/certs.d`; dropping it removes it.
#[derive(Debug)]
pub struct CaTrust {
    dir: PathBuf,
}

/// Where the daemon looks for registry CAs.
const CERTS_D: &str = "/etc/docker/certs.d";

/// Whether [`CERTS_D`] was there before this process first installed a CA:
/// if it was not, the last CA to go removes it again.
static CERTS_D_WAS_THERE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

impl CaTrust {
    fn install(address: &str, ca: &Path) -> Result<Self, BoxError> {
        CERTS_D_WAS_THERE.get_or_init(|| Path::new(CERTS_D).exists());
        let dir = Path::new(CERTS_D).join(address);
        std::fs::create_dir_all(&dir)?;
        let trust = CaTrust { dir };
        std::fs::copy(ca, trust.dir.join("ca.crt"))?;
        Ok(trust)
    }
}

impl Drop for CaTrust {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("registry CA: could not remove {}: {e}", self.dir.display());
        }
        if CERTS_D_WAS_THERE.get() == Some(&false) {
            // Fails, as it should, while another test's CA is still in it.
            let _ = std::fs::remove_dir(CERTS_D);
        }
    }
}
