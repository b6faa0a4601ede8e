"""Attribution of each userIdentity type to the principal whose policies allowed the call."""

from __future__ import annotations

import msgspec

from iamscope.activity.principals import attribute, role_from_session_arn
from iamscope.activity.records import UserIdentity
from tests.activity.builders import role_identity, user_identity


def _identity(raw: object) -> UserIdentity:
    return msgspec.convert(raw, UserIdentity)


def test_iam_user() -> None:
    who = attribute(_identity(user_identity("alice")))
    assert (who.arn, who.kind, who.session) == (
        "arn:aws:iam::123456789012:user/alice",
        "user",
        None,
    )


def test_role_session_goes_to_role_with_path_and_session_name() -> None:
    who = attribute(_identity(role_identity("app", "deploy-42", mfa=True)))
    assert who.arn == "arn:aws:iam::123456789012:role/teams/app"
    assert who.kind == "role"
    assert who.session == "deploy-42"
    assert who.mfa is True


def test_role_session_without_issuer_falls_back_to_the_session_arn() -> None:
    who = attribute(
        _identity(
            {
                "type": "AssumedRole",
                "arn": "arn:aws:sts::123456789012:assumed-role/ops/s",
                "accountId": "123456789012",
            }
        )
    )
    assert who.arn == "arn:aws:iam::123456789012:role/ops"
    assert role_from_session_arn("arn:aws-cn:sts::1:assumed-role/x/y") == "arn:aws-cn:iam::1:role/x"


def test_identity_center_permission_set_session() -> None:
    raw = role_identity("AWSReservedSSO_Admin_0123456789abcdef", "jane@example.com")
    who = attribute(_identity(raw))
    assert who.kind == "identity-center"
    assert who.session == "jane@example.com"
    assert who.arn.endswith(":role/teams/AWSReservedSSO_Admin_0123456789abcdef")


def test_identity_center_user() -> None:
    who = attribute(
        _identity(
            {
                "type": "IdentityCenterUser",
                "accountId": "123456789012",
                "onBehalfOf": {
                    "userId": "9067-abcd",
                    "identityStoreArn": "arn:aws:identitystore::123456789012:identitystore/d-1",
                },
            }
        )
    )
    assert (who.arn, who.kind) == ("arn:aws:identitystore:::user/9067-abcd", "identity-center")


def test_federated_user_root_service_and_account() -> None:
    federated = attribute(
        _identity(
            {
                "type": "FederatedUser",
                "arn": "arn:aws:sts::123456789012:federated-user/bob",
                "accountId": "123456789012",
            }
        )
    )
    assert (federated.kind, federated.session) == ("federated", "bob")
    root = attribute(_identity({"type": "Root", "accountId": "123456789012"}))
    assert (root.arn, root.kind) == ("arn:aws:iam::123456789012:root", "root")
    service = attribute(_identity({"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}))
    assert (service.arn, service.kind) == ("lambda.amazonaws.com", "service")
    other = attribute(_identity({"type": "AWSAccount", "accountId": "999999999999"}))
    assert (other.arn, other.kind) == ("arn:aws:iam::999999999999:root", "account")
    assert attribute(None, "kms.amazonaws.com").kind == "service"


def test_saml_and_web_identity_users() -> None:
    saml = attribute(
        _identity(
            {
                "type": "SAMLUser",
                "userName": "jane",
                "identityProvider": "arn:aws:iam::123456789012:saml-provider/Okta",
            }
        )
    )
    assert (saml.kind, saml.arn) == ("saml", "arn:aws:iam::123456789012:saml-provider/Okta:jane")
    web = attribute(
        _identity(
            {
                "type": "WebIdentityUser",
                "userName": "sub",
                "identityProvider": "accounts.google.com",
            }
        )
    )
    assert web.kind == "web-identity"


def test_call_through_a_service_keeps_the_principal_and_notes_the_service() -> None:
    raw = user_identity()
    raw["invokedBy"] = "cloudformation.amazonaws.com"
    who = attribute(_identity(raw))
    assert who.kind == "user"
    assert who.via_service == "cloudformation.amazonaws.com"
