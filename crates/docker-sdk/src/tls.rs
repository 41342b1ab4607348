//! TLS to an engine on TCP, through rustls: docker-py's `TLSConfig`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{Error, Result};

/// How to speak TLS to the engine.
///
/// The default verifies the engine's certificate against the system's roots
/// and checks its hostname, with no client certificate. Engines started with
/// `--tlsverify` want a client certificate and a private CA:
///
/// ```no_run
/// use docker_sdk::TlsConfig;
///
/// let tls = TlsConfig::new()
///     .ca_cert("/home/me/.docker/ca.pem")
///     .client_cert("/home/me/.docker/cert.pem", "/home/me/.docker/key.pem");
/// ```
///
/// Only paths are held, never key material, so `Debug` shows nothing secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    ca_cert: Option<PathBuf>,
    client_cert: Option<(PathBuf, PathBuf)>,
    verify: bool,
    assert_hostname: bool,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            ca_cert: None,
            client_cert: None,
            verify: true,
            assert_hostname: true,
        }
    }
}

impl TlsConfig {
    /// Verify against the system's roots, check the hostname, no client
    /// certificate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trust the CA certificate(s) in this PEM file instead of the system's
    /// roots.
    pub fn ca_cert(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_cert = Some(path.into());
        self
    }

    /// Present this certificate (PEM) and private key (PEM) to the engine.
    pub fn client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.client_cert = Some((cert.into(), key.into()));
        self
    }

    /// Whether to verify the engine's certificate at all (docker-py's
    /// `verify`; `DOCKER_TLS_VERIFY`). Without verification the connection
    /// is encrypted but anyone can pose as the engine.
    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Whether the engine's certificate must name the host dialled
    /// (docker-py's `assert_hostname`). The chain is still verified.
    pub fn assert_hostname(mut self, assert: bool) -> Self {
        self.assert_hostname = assert;
        self
    }

    /// Whether the certificate is verified.
    pub fn verifies(&self) -> bool {
        self.verify
    }

    /// The rustls configuration these settings describe.
    pub(crate) fn to_rustls(&self) -> Result<rustls::ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(format!("no usable protocol version: {e}")))?;

        let verifier: Arc<dyn ServerCertVerifier> = if !self.verify {
            Arc::new(AcceptAnyCertificate {
                provider: provider.clone(),
            })
        } else {
            let roots = self.roots()?;
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| tls_error(format!("cannot verify with these roots: {e}")))?;
            if self.assert_hostname {
                webpki
            } else {
                Arc::new(AnyHostname { inner: webpki })
            }
        };
        let builder = builder.dangerous().with_custom_certificate_verifier(verifier);

        match &self.client_cert {
            None => Ok(builder.with_no_client_auth()),
            Some((cert, key)) => {
                let chain = read_certificates(cert)?;
                let key = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| tls_error(format!("no usable private key in {}: {e}", key.display())))?;
                builder.with_client_auth_cert(chain, key).map_err(|e| {
                    tls_error(format!(
                        "client certificate {} does not fit its key: {e}",
                        cert.display()
                    ))
                })
            }
        }
    }

    fn roots(&self) -> Result<RootCertStore> {
        let mut roots = RootCertStore::empty();
        let certificates = match &self.ca_cert {
            Some(path) => read_certificates(path)?,
            None => {
                let found = rustls_native_certs::load_native_certs();
                if found.certs.is_empty() {
                    return Err(tls_error(
                        "no CA certificate given and none found on the system; set ca_cert (DOCKER_CERT_PATH)",
                    ));
                }
                found.certs
            }
        };
        let (added, _ignored) = roots.add_parsable_certificates(certificates);
        if added == 0 {
            let from = self
                .ca_cert
                .as_ref()
                .map_or("the system".into(), |p| p.display().to_string());
            return Err(tls_error(format!("no usable CA certificate in {from}")));
        }
        Ok(roots)
    }
}

fn tls_error(message: impl Into<String>) -> Error {
    Error::Tls {
        message: message.into(),
    }
}

fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|e| tls_error(format!("cannot read {}: {e}", path.display())))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| match e {
            // Opened, then unreadable (a directory, say): not a format error.
            rustls::pki_types::pem::Error::Io(e) => tls_error(format!("cannot read {}: {e}", path.display())),
            e => tls_error(format!("{} is not a PEM certificate file: {e}", path.display())),
        })?;
    if certificates.is_empty() {
        return Err(tls_error(format!("{} holds no certificate", path.display())));
    }
    Ok(certificates)
}

/// Verifies the chain, not the name (`assert_hostname = false`).
#[derive(Debug)]
struct AnyHostname {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for AnyHostname {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Accepts any certificate (`verify = false`), still checking that the
/// handshake is signed by the key of the certificate presented.
#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_name_the_file_not_its_contents() {
        let tls = TlsConfig::new().ca_cert("/nonexistent/ca.pem");
        let error = tls.to_rustls().unwrap_err().to_string();
        assert!(error.contains("/nonexistent/ca.pem"), "{error}");

        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("ca.pem");
        std::fs::write(&garbage, "not a certificate").unwrap();
        let error = TlsConfig::new()
            .ca_cert(&garbage)
            .to_rustls()
            .unwrap_err()
            .to_string();
        assert!(error.contains("holds no certificate"), "{error}");
    }

    #[test]
    fn unverified_needs_no_roots() {
        assert!(TlsConfig::new().verify(false).to_rustls().is_ok());
    }
}
