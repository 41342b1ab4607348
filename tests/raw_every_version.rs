//! Every version module builds a client that reaches the engine; a version
//! newer than the engine's comes back as a readable, typed error.

use docker_engine_api::{ClientInfo, Error, reqwest};
use docker_sdk_tests::{engine_socket, read_to_end};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The API version of the engine under test.
async fn engine_api_version() -> Result<(u32, u32), Box<dyn std::error::Error + Send + Sync>> {
    let client = docker_engine_api::v1_41::Client::connect_unix(engine_socket())?;
    let version = client.system_version().send().await?.into_inner();
    let api = version.api_version.ok_or("the engine states no API version")?;
    let (major, minor) = api.split_once('.').ok_or("API version is not MAJOR.MINOR")?;
    Ok((major.parse()?, minor.parse()?))
}

macro_rules! every_version {
    ($($module:ident),* $(,)?) => {$(
        mod $module {
            use super::*;
            use docker_engine_api::$module::Client;

            #[tokio::test]
            async fn pings_and_speaks_its_own_version() -> TestResult {
                let client = Client::connect_unix(engine_socket())?;
                assert_eq!(client.baseurl(), format!("http://localhost/v{}", Client::API_VERSION));
                assert_eq!(<Client as ClientInfo<()>>::api_version(), Client::API_VERSION);

                // `/_ping` is served whatever the version prefix.
                let pong = client.system_ping().send().await?;
                assert_eq!(read_to_end(pong.into_inner()).await?, b"OK");

                let (major, minor) = Client::API_VERSION.split_once('.').unwrap();
                let ours = (major.parse::<u32>()?, minor.parse::<u32>()?);
                let result = client.system_version().send().await;
                if ours <= engine_api_version().await? {
                    let version = result?.into_inner();
                    assert!(version.api_version.is_some());
                    return Ok(());
                }
                match result {
                    Err(Error::ErrorResponse(error)) => {
                        assert_eq!(error.status(), reqwest::StatusCode::BAD_REQUEST);
                        assert!(error.message.contains("is too new"), "{}", error.message);
                        assert!(error.message.contains(Client::API_VERSION), "{}", error.message);
                    }
                    other => panic!("expected a typed 400 for a too-new version, got {other:?}"),
                }
                Ok(())
            }
        }
    )*};
}

every_version!(
    v1_41, v1_42, v1_43, v1_44, v1_45, v1_46, v1_47, v1_48, v1_49, v1_50, v1_51, v1_52, v1_53, v1_54, v1_55,
);
