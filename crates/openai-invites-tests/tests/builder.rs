//! The builder refuses bad settings with typed errors and never panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use openai_invites::{BuildError, Client};

#[test]
fn missing_and_unusable_keys() {
    assert!(matches!(
        Client::builder().build(),
        Err(BuildError::MissingAdminKey)
    ));
    assert!(matches!(
        Client::builder().admin_key("  ").build(),
        Err(BuildError::MissingAdminKey)
    ));
    for bad in ["sk-admin\r\nX-Injected: 1", "sk-admin\0", "sk-admin-é"] {
        let err = Client::builder().admin_key(bad).build().unwrap_err();
        assert!(
            matches!(err, BuildError::InvalidAdminKey(_)),
            "{bad:?}: {err}"
        );
        assert!(!err.to_string().contains("sk-admin"), "{err}");
    }
}

#[test]
fn bad_base_urls() {
    for url in [
        "",
        "not a url",
        "ftp://example.com",
        "https://example.com/v1?x=1",
    ] {
        let err = Client::builder()
            .admin_key("sk-admin-1")
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::BaseUrl(_)), "{url}: {err}");
    }
}

#[test]
fn bad_header_values_and_settings() {
    let err = Client::builder()
        .admin_key("sk-admin-1")
        .organization("org\n1")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidHeader {
                name: "organization",
                ..
            }
        ),
        "{err}"
    );
    let err = Client::builder()
        .admin_key("sk-admin-1")
        .attempt_timeout(std::time::Duration::ZERO)
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        BuildError::InvalidSetting {
            name: "attempt_timeout",
            ..
        }
    ));
    let err = Client::builder()
        .admin_key("sk-admin-1")
        .network_env_with(|_| None) // not the machine's proxies or SSL_CERT_FILE
        .add_root_certificate_der(vec![1, 2, 3])
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::RootCertificates { .. }), "{err}");
    assert!(
        err.to_string().contains("add_root_certificate_der"),
        "{err}"
    );
}

#[tokio::test]
async fn from_env_reads_admin_variables_and_never_the_api_key() {
    let fake = openai_invites_mock::FakeInvites::new();
    let env: HashMap<&str, String> = [
        ("OPENAI_API_KEY", "sk-proj-should-not-be-used".to_owned()),
        ("OPENAI_ADMIN_KEY", fake.admin_key().to_owned()),
        ("OPENAI_ORG_ID", "org-123".to_owned()),
        ("OPENAI_PROJECT_ID", "proj-456".to_owned()),
        ("OPENAI_BASE_URL", "https://example.test/v1".to_owned()),
    ]
    .into();
    let client = Client::builder()
        .from_env_with(|name| env.get(name).cloned())
        .transport(fake.service())
        .build()
        .unwrap();
    assert_eq!(client.base_url().as_str(), "https://example.test/v1");
    client.list_invites(Default::default()).await.unwrap();
    let request = fake.requests().pop().unwrap();
    assert_eq!(request.header("openai-organization"), Some("org-123"));
    assert_eq!(request.header("openai-project"), Some("proj-456"));

    // Only OPENAI_API_KEY set: no key.
    let only_api_key: HashMap<&str, String> = [("OPENAI_API_KEY", "sk-proj-1".to_owned())].into();
    let err = Client::builder()
        .from_env_with(|name| only_api_key.get(name).cloned())
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::ApiKeyNotRead), "{err}");
    assert!(err.is_missing_admin_key());
    let text = err.to_string();
    assert!(
        text.contains("OPENAI_ADMIN_KEY")
            && text.contains("OPENAI_API_KEY is, but it is deliberately not read"),
        "{text}"
    );
    assert!(!text.contains("sk-proj-1"), "{text}");
}

#[test]
fn user_agent_suffix_and_clone_cost() {
    let client = Client::builder()
        .admin_key("sk-admin-1")
        .user_agent("provisioner/3.1")
        .network_env_with(|_| None)
        .build()
        .unwrap();
    let clone = client.clone();
    assert_eq!(clone.base_url(), client.base_url());
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();
}
