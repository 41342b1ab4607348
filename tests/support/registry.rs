//! A private registry (Debian's `docker-registry`) on a free 127.0.0.1 port,
//! optionally behind htpasswd auth, for pull, push and login tests. The
//! engines here treat 127.0.0.0/8 as insecure registries, so plain HTTP
//! works without any daemon change.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::daemon::free_port;
use crate::{BoxError, unique_name};

/// A running registry; dropping it stops it and removes its storage.
#[derive(Debug)]
pub struct LocalRegistry {
    dir: PathBuf,
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl LocalRegistry {
    /// Starts a registry; with `credentials`, every request needs them.
    pub fn start(credentials: Option<(&str, &str)>) -> Result<Self, BoxError> {
        let dir = std::env::temp_dir().join(unique_name("docker-sdk-registry"));
        std::fs::create_dir_all(dir.join("data"))?;
        let port = free_port()?;
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("data").display()
        );
        if let Some((user, password)) = credentials {
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
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("registry.log"))?)
            .spawn()
            .map_err(|e| format!("docker-registry: {e} (install Debian's docker-registry)"))?;
        let mut registry = LocalRegistry { dir, child, port };
        registry.wait_until_ready(Duration::from_secs(30))?;
        Ok(registry)
    }

    /// `127.0.0.1:PORT`, the registry part of its image names.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn wait_until_ready(&mut self, limit: Duration) -> Result<(), BoxError> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait()? {
                let log = std::fs::read_to_string(self.dir.join("registry.log")).unwrap_or_default();
                return Err(format!("docker-registry exited ({status}): {log}").into());
            }
            // 200 without auth, 401 with: either way it answers.
            let answer = Command::new("curl")
                .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2"])
                .arg(format!("http://{}/v2/", self.address()))
                .output();
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
